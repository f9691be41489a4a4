"""Your own metric: a scorer, a function with its direction, or a cost matrix (issue 17)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import fbeta_score, make_scorer, mean_absolute_error

from automl import AutoMLClassifier, AutoMLRegressor, CostMatrix, CustomMetric, load
from automl.exceptions import ConfigError, ModelFileError


def recall_of_fraud(truth, predicted):
    return float(np.mean(predicted[truth == "fraud"] == "fraud"))


@pytest.fixture(scope="module")
def fraud():
    X, y = make_classification(600, 8, weights=[0.85], class_sep=0.8, random_state=0)
    return (
        X[:450],
        np.where(y[:450] == 1, "fraud", "ok"),
        X[450:],
        np.where(y[450:] == 1, "fraud", "ok"),
    )


def _clf(metric, **kw):
    settings = dict(
        time_budget=None, max_trials=3, models=["logreg", "hist_gb"], random_state=0, n_jobs=1
    )
    return AutoMLClassifier(metric=metric, **{**settings, **kw})


def _cost(y, pred, fn=50.0, fp=1.0):
    return (
        fn * np.sum((y == "fraud") & (pred != "fraud"))
        + fp * np.sum((y != "fraud") & (pred == "fraud"))
    ) / len(y)


def test_a_cost_matrix_tunes_the_threshold_to_the_cheapest_decision(fraud):
    X, y, X_te, y_te = fraud
    clf = _clf(CostMatrix(fn=50, fp=1)).fit(X, y)
    assert clf.metric_ == "cost" and "cost_mean" in clf.leaderboard_
    # a missed fraud costs 50 false alarms: the threshold drops far below 0.5
    assert clf.threshold_ < 0.2
    cost = _cost(y_te, clf.predict(X_te))
    assert clf.evaluate(X_te, y_te)["cost"] == pytest.approx(cost)
    at_half = _clf("roc_auc", threshold=0.5).fit(X, y)
    assert cost < _cost(y_te, at_half.predict(X_te))


def test_a_scikit_learn_scorer_is_optimised_and_reported(fraud):
    X, y, X_te, y_te = fraud
    scorer = make_scorer(fbeta_score, beta=2, pos_label="fraud")
    clf = _clf(scorer, n_jobs=2).fit(X, y)
    assert clf.metric_ == "fbeta_score"
    assert clf.evaluate(X_te, y_te)["fbeta_score"] == pytest.approx(
        fbeta_score(y_te, clf.predict(X_te), beta=2, pos_label="fraud")
    )
    board = clf.leaderboard_
    assert board.loc[board["status"] == "ok", "fbeta_score_mean"].notna().all()


def test_a_function_defined_here_runs_in_workers_and_survives_save_and_load(fraud, tmp_path):
    X, y, X_te, y_te = fraud
    metric = CustomMetric("fraud_recall", recall_of_fraud, needs="labels")
    clf = _clf(metric, n_jobs=2).fit(X, y)
    assert np.isfinite(clf.cv_score_) and 0 <= clf.cv_score_ <= 1
    loaded = load(clf.save(str(tmp_path / "m.joblib")))
    assert loaded.evaluate(X_te, y_te)["fraud_recall"] == recall_of_fraud(y_te, clf.predict(X_te))
    assert list(loaded.leaderboard_.columns) == list(clf.leaderboard_.columns)


def test_a_model_whose_metric_function_is_gone_is_a_clear_error(fraud, tmp_path, monkeypatch):
    import importlib
    import sys

    (tmp_path / "my_metrics.py").write_text(
        "import numpy as np\n"
        "def share_flagged(truth, predicted):\n"
        "    return float(np.mean(predicted == 'fraud'))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    module = importlib.import_module("my_metrics")
    import cloudpickle  # what loky uses to ship tasks to the workers

    cloudpickle.register_pickle_by_value(module)  # the workers started before the module existed
    X, y, _, _ = fraud
    metric = CustomMetric("flagged", module.share_flagged, greater_is_better=False, needs="labels")
    path = _clf(metric, max_trials=1, models=["logreg"]).fit(X, y).save(str(tmp_path / "m.joblib"))
    cloudpickle.unregister_pickle_by_value(module)
    monkeypatch.delitem(sys.modules, "my_metrics")
    (tmp_path / "my_metrics.py").unlink()
    with pytest.raises(ModelFileError, match="cannot be found here.*my_metrics"):
        load(path)


def test_a_regression_metric_of_your_own():
    X, y = make_regression(200, 4, noise=5.0, random_state=0)
    scorer = make_scorer(mean_absolute_error, greater_is_better=False)
    reg = AutoMLRegressor(
        metric=scorer, time_budget=None, max_trials=2, models=["linear"], n_jobs=1, random_state=0
    ).fit(X, y)
    assert reg.metric_ == "mean_absolute_error"
    assert reg.cv_score_ == pytest.approx(-reg.leaderboard_["mae_mean"].iloc[0], rel=0.05)


@pytest.mark.parametrize(
    "metric, match",
    [
        (CustomMetric("roc_auc", recall_of_fraud), "built-in metric"),
        (CustomMetric("bad name", recall_of_fraud), "letters, digits"),
        (CustomMetric("v", recall_of_fraud, needs="values"), "does not fit"),
        (42, "a metric name, a scikit-learn scorer"),
    ],
)
def test_bad_metrics_are_named(fraud, metric, match):
    X, y, _, _ = fraud
    with pytest.raises(ConfigError, match=match):
        _clf(metric).fit(X, y)


def test_a_cost_matrix_needs_two_classes():
    X = np.random.default_rng(0).normal(size=(90, 3))
    y = np.arange(90) % 3
    with pytest.raises(ConfigError, match="binary"):
        _clf(CostMatrix(fn=5, fp=1)).fit(X, y)
