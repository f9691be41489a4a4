"""Boosting from a ridge fit: extrapolates a trend where trees alone flatten out."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor

from automl import AutoMLRegressor
from automl.models import ModelContext, get_family
from automl.models.linear_base import LinearBaseRegressor

REGRESSION = ModelContext(task="regression", n_classes=1, random_state=0)


def _trend(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, size=(n, 3))
    y = 30.0 * X[:, 0] + np.sin(6 * X[:, 1]) + 0.1 * rng.normal(size=n)
    return X, y


def test_the_linear_base_extrapolates_where_trees_flatten():
    X, y = _trend()
    beyond = np.column_stack([np.full(50, 2.0), np.linspace(0, 1, 50), np.full(50, 0.5)])
    truth = 60.0 + np.sin(6 * beyond[:, 1])
    trees = HistGradientBoostingRegressor(random_state=0).fit(X, y)
    based = LinearBaseRegressor(HistGradientBoostingRegressor(random_state=0)).fit(X, y)
    assert np.abs(trees.predict(beyond) - truth).mean() > 25  # stuck near 30
    assert np.abs(based.predict(beyond) - truth).mean() < 3
    inside = _trend(200, seed=1)
    assert np.sqrt(np.mean((based.predict(inside[0]) - inside[1]) ** 2)) < 0.5


def test_missing_values_categories_and_wild_inputs():
    X, y = _trend()
    X[::7, 0] = np.nan
    X[:, 2] = np.arange(len(y)) % 4  # category codes: left to the trees
    model = LinearBaseRegressor(
        HistGradientBoostingRegressor(categorical_features=[2], random_state=0),
        categorical_features=(2,),
    ).fit(X, y)
    assert model.coef_[2] == 0.0 and model.coef_[0] > 10
    assert np.isfinite(model.predict(X)).all()
    wild = X[:3].copy()
    wild[:, 0] = 1e9  # clipped to the training range widened by its span: at most 2
    assert np.all(model.predict(wild) < 30.0 * 2 + 5)


def test_sample_weights_reach_both_fits():
    X, y = _trend()
    y_bad = y.copy()
    y_bad[:100] = -1000.0  # rows with weight 0 must not matter
    weights = np.r_[np.zeros(100), np.ones(len(y) - 100)]
    model = LinearBaseRegressor(HistGradientBoostingRegressor(random_state=0))
    weighted = clone(model).fit(X, y_bad, sample_weight=weights)
    dropped = clone(model).fit(X[100:], y[100:])
    np.testing.assert_allclose(weighted.coef_, dropped.coef_, rtol=1e-6, atol=1e-8)
    assert np.abs(weighted.predict(X[100:]) - y[100:]).mean() < 1.0


def test_hist_gb_searches_the_base_for_regression_only():
    assert "base" in get_family("hist_gb").space(REGRESSION)
    assert "base" not in get_family("hist_gb").space(ModelContext(random_state=0))
    assert {"base": "linear"} in get_family("hist_gb").portfolio(REGRESSION)
    X, y = _trend()
    model = get_family("hist_gb").build({"base": "linear", "refit_rounds": 17}, REGRESSION)
    assert isinstance(model, LinearBaseRegressor)
    assert model.fit(X, y).n_rounds_ == 17  # the refit's fixed rounds reach the booster
    plain = get_family("hist_gb").build({"base": "none"}, REGRESSION)
    assert isinstance(plain, HistGradientBoostingRegressor)


def test_the_search_picks_the_linear_base_on_a_trend_and_predicts_beyond_it():
    X, y = _trend(300)
    reg = AutoMLRegressor(
        models=["hist_gb"], max_trials=2, time_budget=None, cv=3, n_jobs=1, random_state=0
    ).fit(X, y)
    assert reg.best_config_["model.base"] == "linear"
    beyond = np.column_stack([np.full(20, 1.5), np.linspace(0, 1, 20), np.full(20, 0.5)])
    assert reg.predict(beyond).mean() == pytest.approx(45.0, abs=3.0)


def test_shap_counts_the_line_as_well_as_the_trees():
    """The trend lives in the ridge; SHAP of the booster alone would miss it."""
    pytest.importorskip("shap")
    import pandas as pd

    X, y = _trend(300)
    frame = pd.DataFrame(X, columns=["trend", "wave", "noise"])
    reg = AutoMLRegressor(
        models=["hist_gb"], max_trials=2, time_budget=None, cv=3, n_jobs=1, random_state=0
    ).fit(frame, y)
    assert reg.best_config_["model.base"] == "linear"
    fi = reg.feature_importance(frame, y, method="shap")
    assert list(fi.index[:2]) == ["trend", "wave"]
    # 30 E|x - 1/2| = 7.5 against E|sin(6x) - mean| < 1 (the booster alone sees no trend)
    assert fi.loc["trend", "importance"] > 5 * fi.loc["wave", "importance"]
