"""Search strategies: defaults first, allowed families, Bayes beats random, grid interleaving."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from automl.exceptions import ConfigError
from automl.fidelity import without_fidelity
from automl.graph import PipelineGraph
from automl.models import ModelContext, get_family
from automl.search import STRATEGIES, make_strategy
from automl.search.base import sample_uniform
from automl.search.bayes import BayesStrategy
from automl.space import Categorical, Integer, Real

CTX = ModelContext(n_rows=500, n_features=8, random_state=0)
NAMES = sorted(STRATEGIES)


def _graph(preset="fast"):
    return PipelineGraph.from_preset(preset)


def _ask(strategy, allowed, pending=()):
    """The strategy's next configuration, its fidelity left out (multi-fidelity strategies
    start the defaults at a low fidelity; the point is what these tests compare)."""
    config = strategy.ask(set(allowed), list(pending))
    return None if config is None else without_fidelity(config)


def _in_graph_space(graph, config):
    space = graph.space(config["family"], CTX)
    return all(dim.contains(config[key]) for key, dim in space.items())


@pytest.mark.parametrize("name", NAMES)
def test_defaults_first_cheapest_family_first(name):
    graph = _graph()
    strategy = make_strategy(name, graph, CTX, random_state=0)
    expected = sorted(graph.families, key=lambda f: get_family(f).cost)
    asked = [_ask(strategy, graph.families) for _ in graph.families]
    assert [c["family"] for c in asked] == expected
    assert asked == [graph.default_config(f, CTX) for f in expected]
    # then proposals that are not the defaults, each a complete configuration in the space
    for _ in range(4):
        config = strategy.ask(set(graph.families), [])
        strategy.tell(config, 0.0)
        assert set(config) >= set(graph.default_config(config["family"], CTX))
        assert _in_graph_space(graph, config)


@pytest.mark.parametrize("name", NAMES)
def test_portfolios_follow_the_defaults_one_family_at_a_time(name):
    graph = replace(_graph("default"), portfolio=True)  # the hand-written portfolios
    strategy = make_strategy(name, graph, CTX, random_state=0)
    fams = sorted(graph.families, key=lambda f: get_family(f).cost)
    portfolios = {f: graph.portfolio_configs(f, CTX) for f in fams}
    expected = [portfolios[f][0] for f in fams if portfolios[f]]
    expected += [portfolios[f][1] for f in fams if len(portfolios[f]) > 1]
    asked = [_ask(strategy, fams) for _ in range(len(fams) + len(expected))]
    assert asked[len(fams) :] == expected
    assert _ask(strategy, fams) not in [*asked, *expected]  # then the strategy's own


@pytest.mark.parametrize("name", NAMES)
def test_the_shipped_learned_portfolio_follows_the_defaults_in_its_file_order(name):
    graph = _graph("default")
    assert graph.portfolio == "learned"
    strategy = make_strategy(name, graph, CTX, random_state=0)
    fams = sorted(graph.families, key=lambda f: get_family(f).cost)
    expected = graph.portfolio_queue(fams, CTX)
    assert len({c["family"] for c in expected}) > 3  # several families, interleaved by rank
    asked = [_ask(strategy, fams) for _ in range(len(fams) + len(expected))]
    assert asked[: len(fams)] == [graph.default_config(f, CTX) for f in fams]
    assert asked[len(fams) :] == expected


@pytest.mark.parametrize("name", NAMES)
def test_respects_allowed(name):
    graph = _graph()
    strategy = make_strategy(name, graph, CTX, random_state=1)
    for i in range(8):
        allowed = {"xgboost"} if i % 2 else {"logreg", "hist_gb"}
        config = strategy.ask(allowed, [])
        assert config["family"] in allowed
        strategy.tell(config, float(i))
    assert strategy.ask(set(), []) is None


@pytest.mark.parametrize("name", NAMES)
def test_default_of_a_family_allowed_later_is_still_tried_first(name):
    graph = _graph()
    strategy = make_strategy(name, graph, CTX, random_state=0)
    strategy.ask({"hist_gb"}, [])  # e.g. the budget allows only hist_gb for now
    assert _ask(strategy, {"logreg"}) == graph.default_config("logreg", CTX)


@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_sequence(name):
    def run(seed):
        strategy = make_strategy(name, _graph(), CTX, random_state=seed)
        out = []
        for i in range(6):
            config = strategy.ask({"logreg", "hist_gb", "xgboost"}, [])
            strategy.tell(config, float(i % 3))
            out.append(config)
        return out

    assert run(5) == run(5)


def test_failed_trials_are_told_as_bad_points():
    graph = _graph().with_families(["logreg"])
    strategy = BayesStrategy(graph, CTX, random_state=0, n_initial_points=2)
    for _ in range(4):
        config = strategy.ask({"logreg"}, [])
        strategy.tell(config, None)
    assert strategy.optimizers["logreg"].n_told == 4
    assert strategy.worst_loss() == 1.0
    strategy.tell(strategy.ask({"logreg"}, []), -0.8)
    assert strategy.worst_loss() > -0.8
    assert strategy.best == {"logreg": -0.8}


def test_bayes_pending_configs_get_distinct_proposals():
    graph = _graph().with_families(["logreg"])
    strategy = BayesStrategy(graph, CTX, random_state=0, n_initial_points=2)
    first = strategy.ask({"logreg"}, [])
    pending = [first]
    for _ in range(2):
        pending.append(strategy.ask({"logreg"}, pending))
    assert len({repr(sorted(c.items())) for c in pending}) == 3


def _objective(config):
    """Cheap synthetic loss over the logreg space of the fast preset."""
    return (
        (np.log10(config["model.C"]) - 1.3) ** 2
        + 0.5 * (config["model.penalty"] == "l1")
        + 0.3 * (config["scale"] == "quantile")
    )


def _run(name, seed, n=30):
    # the portfolio is left out: this compares the strategies' own proposals
    graph = replace(_graph().with_families(["logreg"]), portfolio=False)
    strategy = make_strategy(name, graph, CTX, random_state=seed)
    losses = []
    for _ in range(n):
        config = strategy.ask({"logreg"}, [])
        loss = _objective(config)
        strategy.tell(config, loss)
        losses.append(loss)
    return losses


@pytest.mark.slow
def test_bayes_improves_over_random():
    bayes = [_run("bayes", seed) for seed in (0, 1)]
    random = [_run("random", seed) for seed in (0, 1)]
    # Bayes concentrates its later proposals near the optimum ...
    late_bayes = np.mean([np.mean(run[-15:]) for run in bayes])
    late_random = np.mean([np.mean(run[-15:]) for run in random])
    assert late_bayes < 0.5 * late_random
    # ... and finds at least as good a point as random search
    assert np.mean([min(run) for run in bayes]) <= np.mean([min(run) for run in random])


def _grid_graph(tmp_path, families=("logreg", "hist_gb", "xgboost")):
    # no portfolio: these tests follow the grid's own proposals
    path = tmp_path / "grid.toml"
    path.write_text(
        f"[nodes.scale]\nchoices = ['standard']\n\n[nodes.model]\nfamilies = {list(families)}\n"
        "portfolio = false\n",
        encoding="utf-8",
    )
    return PipelineGraph.from_preset(str(path))


def test_grid_interleaves_families(tmp_path):
    graph = _grid_graph(tmp_path)
    strategy = make_strategy("grid", graph, CTX, random_state=0)
    allowed = set(graph.families)
    for _ in graph.families:
        strategy.ask(allowed, [])  # the defaults
    families = [strategy.ask(allowed, [])["family"] for _ in range(9)]
    assert families == list(graph.families) * 3


def test_grid_visits_each_point_once_then_stops(tmp_path):
    graph = _grid_graph(tmp_path, families=("logreg",))
    space = graph.space("logreg", CTX)
    assert set(space) == {"model.C", "model.penalty"}
    strategy = make_strategy("grid", graph, CTX, random_state=0)
    assert strategy.ask({"logreg"}, []) == graph.default_config("logreg", CTX)
    points = []
    while (config := strategy.ask({"logreg"}, [])) is not None:
        points.append((config["model.C"], config["model.penalty"]))
        assert len(points) <= 50
    expected = {(c, p) for c in space["model.C"].grid(3) for p in ("l2", "l1")}
    assert len(points) == len(expected) == 6 and set(points) == expected


def test_grid_skips_families_not_allowed(tmp_path):
    graph = _grid_graph(tmp_path)
    strategy = make_strategy("grid", graph, CTX, random_state=0)
    for _ in graph.families:
        strategy.ask(set(graph.families), [])
    assert {strategy.ask({"hist_gb"}, [])["family"] for _ in range(4)} == {"hist_gb"}


def test_make_strategy_unknown_name():
    with pytest.raises(ConfigError) as info:
        make_strategy("bayesian", _graph(), CTX)
    message = str(info.value)
    assert "Unknown search strategy 'bayesian'" in message
    assert "Did you mean 'bayes'" in message
    assert all(name in message for name in NAMES)
    with pytest.raises(ConfigError):
        make_strategy(None, _graph(), CTX)  # type: ignore[arg-type]


def test_sample_uniform_respects_bounds_and_types():
    space = {
        "r": Real(0.1, 0.2),
        "l": Real(1e-5, 1.0, log=True),
        "i": Integer(1, 3),
        "li": Integer(1, 1000, log=True),
        "c": Categorical(["a", None, 0.5]),
    }
    rng = np.random.default_rng(0)
    seen_ints = set()
    for _ in range(200):
        values = sample_uniform(space, rng)
        for key, dim in space.items():
            assert dim.contains(values[key]), (key, values[key])
        seen_ints.add(values["i"])
    assert seen_ints == {1, 2, 3}


def test_gaussian_process_offers_its_computed_point_beside_pending_ones(monkeypatch):
    # a constant-liar batch refits a Gaussian process once per lie (1 s at 60 points), so
    # beside a running trial the GP first offers the point it computed at its last tell
    graph = _graph().with_families(["logreg"])
    strategy = BayesStrategy(graph, CTX, random_state=0, n_initial_points=2, surrogate="GP")
    optimizer = strategy.optimizers["logreg"]
    assert optimizer.surrogate == "GP"
    sizes: list[int] = []
    original = type(optimizer).ask
    monkeypatch.setattr(
        type(optimizer), "ask", lambda self, n=1: sizes.append(n) or original(self, n)
    )
    running = [strategy.ask({"logreg"}, [])]
    asked = list(running)
    for i in range(8):  # two trials at once: tell the older, ask beside the other
        config = strategy.ask({"logreg"}, running)
        running.append(config)
        asked.append(config)
        strategy.tell(running.pop(0), float(np.sin(i)))
    assert len({repr(sorted(c.items())) for c in asked}) == len(asked)  # never a repeat
    assert sizes.count(1) >= len(sizes) - 2  # a batch only where the point was taken
