"""AutoMLRegressor: the engine on numeric targets, end to end."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_friedman1
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier, AutoMLRegressor, load
from automl.exceptions import ConfigError, DataError, NotFittedError

FAST = {
    "time_budget": None,
    "max_trials": 3,
    "models": ["linear", "hist_gb"],
    "cv": 3,
    "random_state": 0,
    "n_jobs": 1,
}


def make_reg(**kw):
    return AutoMLRegressor(**{**FAST, **kw})


@pytest.fixture(scope="module")
def friedman():
    X, y = make_friedman1(n_samples=400, n_features=6, noise=0.5, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(6)])
    X["colour"] = np.where(X["f0"] > 0.5, "red", "blue")
    X.loc[::17, "f5"] = np.nan
    return train_test_split(X, y, test_size=0.25, random_state=0)


@pytest.fixture(scope="module")
def fitted(friedman):
    X_tr, _, y_tr, _ = friedman
    return make_reg().fit(X_tr, y_tr)


def test_fit_predicts_held_out_rows_well(friedman, fitted):
    _, X_te, _, y_te = friedman
    pred = fitted.predict(X_te)
    assert pred.shape == (len(y_te),) and np.all(np.isfinite(pred))
    # a default HistGradientBoostingRegressor reaches about 0.85 here; a mean predictor 0
    assert fitted.score(X_te, y_te) >= 0.8
    scores = fitted.evaluate(X_te, y_te)
    assert set(scores) == {"rmse", "mae", "r2", "mape", "rmsle", "median_ae"}
    assert scores["r2"] == pytest.approx(fitted.score(X_te, y_te))
    assert scores["rmse"] < np.std(y_te) * 0.5


def test_leaderboard_and_cv_score_speak_regression(fitted):
    board = fitted.leaderboard_
    for m in ("rmse", "mae", "r2", "mape", "rmsle", "median_ae"):
        assert f"{m}_mean" in board and f"{m}_std" in board
    assert "roc_auc_mean" not in board
    ok = board[board["status"] == "ok"]
    assert list(ok["rmse_mean"]) == sorted(ok["rmse_mean"])  # best (lowest) first
    assert fitted.metric_ == "rmse" and 0 < fitted.cv_score_ < 2.0
    assert fitted.oof_proba_.shape == (300, 1) and fitted.threshold_ is None
    assert fitted.profile_["target"]["min"] <= fitted.profile_["target"]["max"]


def test_the_target_transform_is_searched_and_inverted(friedman):
    X_tr, X_te, y_tr, y_te = friedman
    reg = make_reg(max_trials=8, models=["linear"], search="random").fit(X_tr, y_tr)
    transforms = {c.get("target") for c in reg.leaderboard_["config"]}
    assert transforms - {"none"}, transforms  # the node is searched
    for _, row in reg.leaderboard_.iterrows():  # every transform scores on y's own scale
        if row["status"] == "ok":
            assert row["rmse_mean"] < np.std(y_tr)
    assert np.all(np.abs(reg.predict(X_te) - y_te.mean()) < 5 * np.std(y_te))


def test_log1p_is_left_out_for_negative_targets(friedman):
    X_tr, _, y_tr, _ = friedman
    reg = make_reg(max_trials=2).fit(X_tr, y_tr - 20.0)
    assert "log1p" not in reg.graph_.target
    assert any("log1p" in n for n in reg.notes_)


@pytest.mark.parametrize("scale", [1e9, 1e-6])
def test_targets_of_huge_or_tiny_magnitude(friedman, fitted, scale):
    X_tr, X_te, y_tr, y_te = friedman
    reg = make_reg().fit(X_tr, y_tr * scale)
    assert reg.score(X_te, y_te * scale) == pytest.approx(fitted.score(X_te, y_te), abs=0.02)


def test_save_load_and_clone(friedman, fitted, tmp_path):
    _, X_te, _, _ = friedman
    path = fitted.save(str(tmp_path / "reg.joblib"))
    loaded = load(path)
    np.testing.assert_allclose(loaded.predict(X_te), fitted.predict(X_te))
    assert clone(fitted).get_params() == fitted.get_params()


def test_resume_and_parallel_workers(friedman, tmp_path):
    X_tr, X_te, y_tr, _ = friedman
    first = make_reg(max_trials=2, log_dir=str(tmp_path), n_jobs=2).fit(X_tr, y_tr)
    resumed = make_reg(max_trials=4, log_dir=str(tmp_path), resume=True, n_jobs=2).fit(X_tr, y_tr)
    assert len(resumed.trials_) == 4
    assert [t["config"] for t in resumed.trials_[:2]] == [t["config"] for t in first.trials_]


def test_constant_features_give_the_mean(friedman):
    X = pd.DataFrame({"k": np.ones(50)})
    y = np.arange(50.0)
    reg = make_reg().fit(X, y)
    np.testing.assert_allclose(reg.predict(X.head(3)), 24.5)
    assert any("mean of y" in n for n in reg.notes_)


@pytest.mark.parametrize(
    "y, match",
    [
        (np.r_[np.nan, np.arange(9.0)], "missing"),
        (np.r_[np.inf, np.arange(9.0)], "infinite"),
        (np.ones(10), "constant"),
        (np.array(list("abababbbaa")), "AutoMLClassifier"),
    ],
)
def test_bad_targets_are_named(y, match):
    X = pd.DataFrame({"a": np.arange(10.0)})
    with pytest.raises(DataError, match=match):
        make_reg().fit(X, y)


def test_classifier_on_a_continuous_target_suggests_the_regressor(friedman):
    X_tr, _, y_tr, _ = friedman
    with pytest.raises(DataError, match="AutoMLRegressor"):
        AutoMLClassifier(max_trials=1, time_budget=None).fit(X_tr, y_tr)


def test_rmsle_needs_targets_above_minus_one(friedman):
    X_tr, _, y_tr, _ = friedman
    with pytest.raises(DataError, match="rmsle"):
        make_reg(metric="rmsle").fit(X_tr, y_tr - 100)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"metric": "roc_auc"}, "classification metric"),
        ({"models": ["logreg"]}, "cannot do regression"),
        ({"pipeline": "default"}, "classification graph"),
        ({"cv": 1}, "'cv' parameter of AutoMLRegressor"),
    ],
)
def test_bad_settings_are_named(friedman, params, match):
    X_tr, _, y_tr, _ = friedman
    with pytest.raises(ConfigError, match=match):
        make_reg(**params).fit(X_tr, y_tr)


def test_predict_before_fit_is_a_clear_error():
    with pytest.raises(NotFittedError, match="AutoMLRegressor instance is not fitted"):
        AutoMLRegressor().predict(np.zeros((2, 2)))


def test_memory_limit_stops_regression_trials_too():
    from sklearn.datasets import make_regression

    from automl.exceptions import SearchError

    # the limit is read every 0.5 s: the trials must outlast one reading even in a warm worker
    X, y = make_regression(n_samples=3000, n_features=20, random_state=0)
    reg = AutoMLRegressor(
        max_trials=2, time_budget=None, n_jobs=1, memory_limit=1, cv=3, models=["random_forest"]
    )
    with pytest.raises(SearchError, match="memory_limit"):
        reg.fit(X, y)
