"""BOHB: the surrogate proposes new points once a fidelity has dims + 1 observations."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from automl.exceptions import ConfigError
from automl.fidelity import fidelity_of
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.search.bohb import BOHBStrategy
from automl.search.hyperband import point_key

CTX = ModelContext(n_rows=500, n_features=8, random_state=0)
LOGREG = {"logreg"}


def _graph():
    return replace(PipelineGraph.from_preset("fast").with_families(["logreg"]), portfolio=False)


def _loss(config):
    quality = (np.log10(config["model.C"]) - 1.3) ** 2 + 0.5 * (config["model.penalty"] == "l1")
    return float(quality + 0.05 * (1.0 - fidelity_of(config)))


def _run(strategy, n):
    asked = []
    for _ in range(n):
        config = strategy.ask(LOGREG, [])
        asked.append(config)
        strategy.tell(config, _loss(config))
    return asked


def test_the_surrogate_waits_for_dims_plus_one_observations():
    strategy = BOHBStrategy(_graph(), CTX, random_state=0, min_fidelity=1 / 9, random_fraction=0)
    dims = len(strategy.spaces["logreg"])
    assert dims + 1 <= 9
    _run(strategy, dims)  # fewer than dims + 1 observations anywhere: uniform draws only
    assert strategy.model_fidelity("logreg") is None and strategy.n_model_proposals == 0
    _run(strategy, 9 - dims)  # the first rung (9 at 1/9) is complete
    assert strategy.model_fidelity("logreg") == pytest.approx(1 / 9)
    _run(strategy, 4)  # promotions of the first bracket, then its full-fidelity winner
    asked = _run(strategy, 6)  # the next bracket's first rung: proposed by the surrogate
    assert strategy.n_model_proposals > 0
    assert [fidelity_of(c) for c in asked[:5]] == pytest.approx([1 / 3] * 5)
    # once a higher fidelity has dims + 1 observations, the model moves up to it
    assert strategy.model_fidelity("logreg") == pytest.approx(1 / 3)


@pytest.mark.slow
def test_model_proposals_beat_uniform_draws():
    def first_rung_losses(random_fraction, seed):
        strategy = BOHBStrategy(
            _graph(), CTX, random_state=seed, min_fidelity=1 / 9, random_fraction=random_fraction
        )
        asked = _run(strategy, 45)
        starts = [c for c in asked[13:] if fidelity_of(c) < 1 / 3]  # past the first bracket
        return np.mean([_loss(c) for c in starts])

    bohb = np.mean([first_rung_losses(0.0, seed) for seed in (0, 1)])
    uniform = np.mean([first_rung_losses(1.0, seed) for seed in (0, 1)])
    assert bohb < uniform


def test_bohb_never_repeats_a_point():
    strategy = BOHBStrategy(_graph(), CTX, random_state=3, min_fidelity=1 / 9, random_fraction=0)
    asked = _run(strategy, 25)
    keys = [(point_key(c), fidelity_of(c)) for c in asked]
    assert len(set(keys)) == len(keys)


def test_random_fraction_is_checked():
    with pytest.raises(ConfigError, match="random_fraction"):
        BOHBStrategy(_graph(), CTX, random_fraction=1.5)
