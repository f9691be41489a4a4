"""Hyperband: the bracket schedule, promotions of the best 1/eta, pending trials, exhaustion."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from automl.exceptions import ConfigError
from automl.fidelity import fidelity_of, without_fidelity
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.search import STRATEGIES, make_strategy
from automl.search.brackets import bracket_sizes, n_halvings, rung_fidelities
from automl.search.hyperband import HyperbandStrategy, point_key
from automl.space import Categorical

CTX = ModelContext(n_rows=500, n_features=8, random_state=0)
LOGREG = {"logreg"}


def _graph():
    # logreg alone, no portfolio: every point past the default is the strategy's own
    return replace(PipelineGraph.from_preset("fast").with_families(["logreg"]), portfolio=False)


def _loss(config):
    """A synthetic loss: the point's quality, blurred less at higher fidelity."""
    quality = (np.log10(config["model.C"]) - 1.0) ** 2
    return float(quality + 0.05 * (1.0 - fidelity_of(config)))


def test_schedule_follows_hyperband():
    assert rung_fidelities(1 / 27, 3) == pytest.approx([1 / 27, 1 / 9, 1 / 3, 1.0])
    assert rung_fidelities(0.05, 3) == pytest.approx([1 / 9, 1 / 3, 1.0])  # never below 0.05
    assert rung_fidelities(1.0, 3) == [1.0]
    assert n_halvings(1 / 81, 3) == 4 and n_halvings(0.5, 3) == 0
    # Li et al.'s table for R = 27 (s_max = 3), eta = 3
    assert bracket_sizes(3, 3, 3) == [27, 9, 3, 1]
    assert bracket_sizes(2, 3, 3) == [12, 4, 1]
    assert bracket_sizes(1, 3, 3) == [6, 2]
    assert bracket_sizes(0, 3, 3) == [4]


@pytest.mark.parametrize("name", ["hyperband", "bohb"])
def test_multi_fidelity_strategies_are_registered(name):
    strategy = make_strategy(name, _graph(), CTX, random_state=0, min_fidelity=0.2, eta=2)
    assert getattr(STRATEGIES[name], "multi_fidelity", False)
    assert strategy.fidelities == pytest.approx([0.25, 0.5, 1.0])  # 1/8 would be below 0.2


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"eta": 1}, "eta"),
        ({"eta": "3"}, "eta"),
        ({"min_fidelity": 0.0}, "min_fidelity"),
        ({"min_fidelity": 1.5}, "min_fidelity"),
    ],
)
def test_bad_settings_name_the_parameter(kwargs, word):
    with pytest.raises(ConfigError, match=word):
        HyperbandStrategy(_graph(), CTX, random_state=0, **kwargs)


def test_sequential_run_promotes_the_best_third_rung_by_rung():
    strategy = HyperbandStrategy(_graph(), CTX, random_state=0, min_fidelity=1 / 9, eta=3)
    asked = []
    for _ in range(9 + 3 + 1 + 5 + 1 + 3):
        config = strategy.ask(LOGREG, [])
        asked.append(config)
        strategy.tell(config, _loss(config))
    fids = [fidelity_of(c) for c in asked]
    # bracket s=2: 9 at 1/9, 3 at 1/3, 1 at 1; s=1: 5 at 1/3, 1 at 1; s=0: 3 at 1
    assert fids == pytest.approx([1 / 9] * 9 + [1 / 3] * 3 + [1.0] + [1 / 3] * 5 + [1.0] * 4)
    assert asked[0] == {**_graph().default_config("logreg", CTX), "fidelity": 1 / 9}
    first = sorted(asked[:9], key=_loss)
    assert {point_key(c) for c in asked[9:12]} == {point_key(c) for c in first[:3]}
    second = sorted(asked[9:12], key=_loss)
    assert point_key(asked[12]) == point_key(second[0])
    assert point_key(asked[18]) == point_key(min(asked[13:18], key=_loss))
    # new points of each bracket are never repeats
    starts = [*asked[:9], *asked[13:18], *asked[19:]]
    assert len({point_key(c) for c in starts}) == len(starts)
    assert strategy.n_brackets == 3


def test_pending_trials_never_stall_the_search():
    strategy = HyperbandStrategy(_graph(), CTX, random_state=0, min_fidelity=1 / 9, eta=3)
    pending = []
    for _ in range(12):  # four workers' worth of trials beyond the first rung, none told
        config = strategy.ask(LOGREG, pending)
        assert config is not None
        pending.append(config)
    fids = [fidelity_of(c) for c in pending]
    assert fids[:9] == pytest.approx([1 / 9] * 9)
    assert fids[9:] == pytest.approx([1 / 3] * 3)  # the next bracket opened meanwhile
    assert strategy.n_brackets == 2
    for config in pending[:9]:  # the first rung of the first bracket finishes
        strategy.tell(config, _loss(config))
    promoted = [strategy.ask(LOGREG, pending) for _ in range(3)]
    assert all(fidelity_of(c) == pytest.approx(1 / 3) for c in promoted)
    best = sorted(pending[:9], key=_loss)[:3]
    assert {point_key(c) for c in promoted} == {point_key(c) for c in best}


def test_failed_trials_are_never_promoted():
    strategy = HyperbandStrategy(_graph(), CTX, random_state=0, min_fidelity=1 / 3, eta=3)
    first = [strategy.ask(LOGREG, []) for _ in range(3)]  # bracket s=1: [3, 1]
    for i, config in enumerate(first):
        strategy.tell(config, None if i < 2 else 5.0)
    promoted = strategy.ask(LOGREG, [])
    assert fidelity_of(promoted) == 1.0 and point_key(promoted) == point_key(first[2])


def test_a_promotion_waits_while_its_family_is_not_allowed():
    graph = replace(PipelineGraph.from_preset("fast"), portfolio=False)
    strategy = HyperbandStrategy(graph, CTX, random_state=0, min_fidelity=1 / 3, eta=3)
    first = [strategy.ask(set(graph.families), []) for _ in range(3)]
    for i, config in enumerate(first):
        strategy.tell(config, float(i))
    family = first[0]["family"]
    others = set(graph.families) - {family}
    meanwhile = strategy.ask(others, [])  # a new point (of the next bracket) instead
    assert meanwhile["family"] in others
    assert point_key(meanwhile) not in {point_key(c) for c in first}
    promoted = strategy.ask({family}, [])
    assert fidelity_of(promoted) == 1.0 and point_key(promoted) == point_key(first[0])


@pytest.mark.parametrize("name", ["hyperband", "bohb"])
def test_an_exhausted_space_ends_the_search(name):
    strategy = make_strategy(name, _graph(), CTX, random_state=0, min_fidelity=1 / 3, eta=3)
    strategy.spaces["logreg"] = {"model.penalty": Categorical(["l2", "l1"])}
    asked = []
    while (config := strategy.ask(LOGREG, [])) is not None:
        asked.append(config)
        strategy.tell(config, _loss(config))
        assert len(asked) <= 20
    points = {point_key(c) for c in asked}
    assert len(points) == 2  # the default (l2) and l1, each started once at the lowest rung
    assert [fidelity_of(c) for c in asked].count(1 / 3) == 2
    assert strategy.ask(LOGREG, []) is None  # and it stays over


def test_a_resumed_log_is_not_proposed_again():
    graph = _graph()
    first = HyperbandStrategy(graph, CTX, random_state=0, min_fidelity=1 / 9, eta=3)
    told = []
    for _ in range(10):
        config = first.ask(LOGREG, [])
        first.tell(config, _loss(config))
        told.append(config)
    resumed = HyperbandStrategy(graph, CTX, random_state=0, min_fidelity=1 / 9, eta=3)
    for config in told:
        resumed.tell(config, _loss(config))
    again = [resumed.ask(LOGREG, []) for _ in range(12)]
    assert not {point_key(c) for c in again} & {point_key(c) for c in told}
    assert all(without_fidelity(c)["family"] == "logreg" for c in again)
