"""Budget, CostModel and refit predictions: pure logic on a fake clock."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from automl.models import get_family, registry
from automl.search.budget import Budget, CostModel, predict_refit_seconds, record_refit_seconds


def test_no_time_budget(clock):
    budget = Budget(None, None)
    assert budget.left() == math.inf and budget.search_left() == math.inf
    assert budget.margin == 0.0
    assert all(budget.trials_left(n) for n in (0, 10, 10**6))
    clock.now += 1e6
    assert budget.left() == math.inf


def test_time_accounting(clock):
    budget = Budget(100.0, None)
    assert budget.start == 1000.0 and budget.elapsed() == 0.0
    assert budget.margin == pytest.approx(100 * 0.04 + 0.5)
    clock.now += 30.0
    assert budget.elapsed() == pytest.approx(30.0)
    assert budget.left() == pytest.approx(70.0)
    assert budget.search_left() == pytest.approx(70.0 - 4.5)
    budget.reserve = 20.0
    assert budget.search_left() == pytest.approx(70.0 - 4.5 - 20.0)
    clock.now += 100.0
    assert budget.left() < 0 and budget.search_left() < 0


def test_explicit_start_and_margin(clock):
    budget = Budget(10.0, None, margin=0.1, start=clock.now - 4.0)
    assert budget.elapsed() == pytest.approx(4.0)
    assert budget.left() == pytest.approx(6.0)
    assert budget.margin == pytest.approx(1.5)


def test_trial_limit():
    budget = Budget(None, 3)
    assert [budget.trials_left(n) for n in range(5)] == [True, True, True, False, False]
    assert Budget(60.0, None).trials_left(10**6)


def test_cost_model_before_any_measurement():
    costs = CostModel(n_rows=8000, n_folds=5)
    for family in ("logreg", "xgboost", "mlp"):
        hint = get_family(family).cost
        assert costs.predict(family) == pytest.approx(hint * 5 * (0.05 + 8000 / 40_000))
        assert not costs.known(family)
    assert costs.predict("mlp") > costs.predict("logreg")


def test_cost_model_uses_measurements():
    costs = CostModel(n_rows=1000, n_folds=3)
    for seconds in (1.0, 3.0, 2.0):
        costs.observe("logreg", seconds)
    assert costs.known("logreg") and not costs.known("xgboost")
    assert costs.predict("logreg") == pytest.approx(2.0)
    # an unmeasured family: its hint scaled by the fastest measured seconds per hint unit
    per_hint = 2.0 / get_family("logreg").cost
    assert costs.predict("xgboost") == pytest.approx(per_hint * get_family("xgboost").cost)
    costs.observe("hist_gb", 0.2)  # cheaper per hint unit than logreg
    per_hint = min(per_hint, 0.2 / get_family("hist_gb").cost)
    assert costs.predict("xgboost") == pytest.approx(per_hint * get_family("xgboost").cost)


def test_cost_model_uses_the_last_five_measurements():
    costs = CostModel(n_rows=1000, n_folds=3)
    for seconds in (100, 100, 100, 1, 1, 1, 1, 1):
        costs.observe("logreg", seconds)
    assert costs.predict("logreg") == pytest.approx(1.0)
    costs.observe("logreg", np.float64(7))
    assert isinstance(costs.durations["logreg"][-1][1], float)


@pytest.mark.parametrize(
    "fit_time, n_folds, expected",
    [
        (4.0, 5, 1.3 * 4.0 / 4),
        (3.0, 3, 1.3 * 3.0 / 2),
        (2.0, 2, 1.3 * 2.0),
        (2.0, 1, 1.3 * 2.0),
        (0.0, 5, 0.0),
    ],
)
def test_predict_refit_seconds(fit_time, n_folds, expected):
    assert predict_refit_seconds(fit_time, n_folds) == pytest.approx(expected)


def test_refit_prediction_exceeds_one_fold():
    # a refit trains on all rows: more than one fold's share of the summed fit time
    for k in (2, 3, 5, 10):
        assert predict_refit_seconds(10.0, k) > 10.0 / k


def test_cost_model_keeps_the_fidelity_of_each_measurement():
    costs = CostModel(n_rows=1000, n_folds=5)
    costs.observe("mlp", 6.0, fidelity=0.04)  # a slow cheapest rung: mostly fixed costs
    # at the fidelity it ran at, the prediction is what was measured, not 6 / 0.04 * 0.04
    # after a round trip through a full-fidelity estimate that a search could not afford
    assert costs.predict("mlp", 0.04) == pytest.approx(6.0)
    assert costs.predict("mlp") == pytest.approx(150.0)  # scaled up: cautious at full
    costs.observe("mlp", 20.0)  # a full-fidelity measurement
    assert costs.predict("mlp", 0.5) == pytest.approx(np.median([6.0 * 0.5 / 0.04, 20.0 * 0.5]))
    assert costs.predict("logreg", 0.5) == pytest.approx(0.5 * costs.predict("logreg"))


def test_a_low_fidelity_refit_scales_up_rows_but_keeps_a_resource_parameter(monkeypatch):
    # fidelity as rows: the refit trains on all rows, 1/0.1 times what the trial's folds did;
    # fidelity as a parameter (SearchCV's resource): the refit keeps the trial's epochs
    logreg = get_family("logreg")
    epochs = dataclasses.replace(logreg, name="budget_test_epochs", reads_fidelity=True)
    monkeypatch.setitem(registry._FAMILIES, epochs.name, epochs)  # gone after the test
    record = {"status": "ok", "fit_time": 2.0, "duration": 5.0}
    rows = {**record, "config": {"family": "logreg", "fidelity": 0.1}}
    resource = {**record, "config": {"family": "budget_test_epochs", "fidelity": 0.1}}
    assert record_refit_seconds(rows, 5) == pytest.approx(predict_refit_seconds(20.0, 5))
    assert record_refit_seconds(resource, 5) == pytest.approx(predict_refit_seconds(2.0, 5))
    full = {**record, "config": {"family": "budget_test_epochs"}}
    assert record_refit_seconds(full, 5) == pytest.approx(predict_refit_seconds(5.0, 5))
