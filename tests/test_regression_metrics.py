"""Regression metrics agree with scikit-learn's, and refuse what they cannot score."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from automl import metrics as M

SKLEARN = {
    "rmse": lambda y, p: skm.root_mean_squared_error(y, p),
    "mae": skm.mean_absolute_error,
    "r2": skm.r2_score,
    "mape": skm.mean_absolute_percentage_error,
    "rmsle": lambda y, p: skm.root_mean_squared_log_error(y, p),
    "median_ae": skm.median_absolute_error,
}


@pytest.mark.parametrize("name", M.REPORTED_REGRESSION)
def test_regression_metrics_match_sklearn(name):
    rng = np.random.default_rng(0)
    y = rng.gamma(2.0, 10.0, size=200)
    pred = y + rng.normal(scale=3.0, size=200).clip(-y + 0.01, None)
    ours = M.score(name, y, pred.reshape(-1, 1))
    assert ours == pytest.approx(SKLEARN[name](y, pred), rel=1e-10)
    metric = M.get_metric(name)
    assert metric.task == "regression" and metric.needs == "values"
    assert metric.greater_is_better == (name == "r2")


def test_losses_and_directions():
    y = np.array([1.0, 2.0, 3.0])
    assert M.to_loss("rmse", 2.0) == 2.0 and M.to_loss("r2", 0.9) == -0.9
    assert M.score("rmse", y, y[:, None]) == 0.0 and M.score("r2", y, y[:, None]) == 1.0


def test_rmsle_refuses_targets_at_or_below_minus_one_and_r2_a_constant_target():
    with pytest.raises(ValueError, match="above -1"):
        M.score("rmsle", np.array([-1.0, 2.0]), np.array([[0.0], [1.0]]))
    scores = M.score_all(np.ones(3), np.ones((3, 1)), names=M.REPORTED_REGRESSION)
    assert np.isnan(scores["r2"]) and scores["rmse"] == 0.0


def test_huge_and_tiny_targets_keep_their_precision():
    rng = np.random.default_rng(1)
    y, noise = rng.normal(size=100), rng.normal(scale=0.1, size=100)
    unit = M.score("rmse", y, (y + noise)[:, None])
    for scale in (1e9, 1e-6):
        scaled = M.score("rmse", y * scale, ((y + noise) * scale)[:, None])
        assert scaled == pytest.approx(unit * scale, rel=1e-9)


def test_optimizable_metrics_per_task():
    assert set(M.optimizable("regression")) == set(M.REPORTED_REGRESSION)
    assert "rmse" not in M.optimizable("classification")
    assert "roc_auc" in M.optimizable("classification")
