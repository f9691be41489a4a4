"""feature_importance: the right columns first, on held-out rows, with clear errors.

The data are synthetic tables where only the first 3 of 20 columns carry signal
(``shuffle=False`` keeps them first); a working importance ranks exactly those 3
on top. Fits are small: no time limit, a few trials, one worker.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import train_test_split

import automl
from automl import AutoMLClassifier, AutoMLRegressor, CustomMetric
from automl.exceptions import ConfigError, DataError, MissingDependencyError, NotFittedError

COLUMNS = [f"c{i:02d}" for i in range(20)]
SIGNAL = {"c00", "c01", "c02"}
FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0}


def _frame(X):
    return pd.DataFrame(X, columns=COLUMNS)


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(
        n_samples=900,
        n_features=20,
        n_informative=3,
        n_redundant=0,
        n_repeated=0,
        shuffle=False,
        class_sep=1.5,
        random_state=0,
    )
    y = np.where(y == 1, "yes", "no")
    Xtr, Xte, ytr, yte = train_test_split(_frame(X), y, test_size=0.4, random_state=0)
    clf = AutoMLClassifier(models=["hist_gb"], max_trials=2, **FAST).fit(Xtr, ytr)
    return clf, Xte, yte


@pytest.fixture(scope="module")
def multiclass():
    X, y = make_classification(
        n_samples=900,
        n_features=20,
        n_informative=3,
        n_redundant=0,
        n_repeated=0,
        n_classes=3,
        n_clusters_per_class=1,
        shuffle=False,
        class_sep=1.5,
        random_state=1,
    )
    Xtr, Xte, ytr, yte = train_test_split(_frame(X), y, test_size=0.4, random_state=0)
    clf = AutoMLClassifier(models=["hist_gb"], max_trials=2, **FAST).fit(Xtr, ytr)
    return clf, Xte, yte


@pytest.fixture(scope="module")
def regressor():
    """A linear regressor fitted for a metric of the user's own (mean absolute error)."""
    X, y = make_regression(
        n_samples=600, n_features=20, n_informative=3, noise=5.0, shuffle=False, random_state=0
    )
    Xtr, Xte, ytr, yte = train_test_split(_frame(X), y, test_size=0.4, random_state=0)
    metric = CustomMetric("abs_error", mean_absolute_error, greater_is_better=False, needs="values")
    reg = AutoMLRegressor(models=["linear"], max_trials=2, metric=metric, **FAST).fit(Xtr, ytr)
    return reg, Xte, yte


def test_classifier_ranks_the_three_informative_columns_first(binary):
    clf, X, y = binary
    fi = clf.feature_importance(X, y, random_state=0)
    assert set(fi.index[:3]) == SIGNAL
    assert list(fi.columns) == ["importance", "stddev", "p_value", "n"]
    assert sorted(fi.index) == COLUMNS and fi.index.name == "feature"
    assert fi["importance"].is_monotonic_decreasing
    assert (fi.loc[list(SIGNAL), "importance"] > 0.05).all()  # AUC drops far when shuffled
    assert (fi.loc[list(SIGNAL), "p_value"] < 0.01).all()
    assert fi["importance"].iloc[3:].abs().max() < 0.02  # noise columns: next to nothing
    assert (fi["stddev"] >= 0).all() and (fi["n"] == 5).all()


def test_the_baseline_is_the_held_out_score_and_label_metrics_use_the_threshold(binary):
    clf, X, y = binary
    clf.feature_importance(X, y, scoring="f1", n_repeats=2, random_state=0)
    stored = clf.explanation_
    assert stored.metric == "f1" and stored.n_rows == len(X) and stored.n_repeats == 2
    assert stored.baseline == pytest.approx(clf.evaluate(X, y)["f1"])  # evaluate uses threshold_


def test_a_loss_rises_when_an_informative_column_is_shuffled(binary):
    clf, X, y = binary
    fi = clf.feature_importance(X, y, scoring="log_loss", n_repeats=3, random_state=0)
    assert set(fi.index[:3]) == SIGNAL and (fi["importance"].iloc[:3] > 0).all()


def test_seeded_runs_repeat(binary):
    clf, X, y = binary
    a = clf.feature_importance(X, y, n_repeats=2, random_state=3)
    b = clf.feature_importance(X, y, n_repeats=2, random_state=3)
    pd.testing.assert_frame_equal(a, b)


def test_partial_dependence_of_the_top_columns_is_stored(binary):
    clf, X, y = binary
    fi = clf.feature_importance(X, y, random_state=0)
    records = clf.explanation_.partial_dependence
    assert [r.feature for r in records] == list(fi.index[:4])
    top = records[0]
    assert top.numeric and top.lines == ["P(yes)"] and top.values.shape == (len(top.grid), 1)
    assert np.all(np.diff(top.positions) > 0)
    assert np.ptp(top.values) > 0.2  # the probability moves with the strongest column
    assert "probability of class 'yes'" == clf.explanation_.prediction


def test_explanation_survives_save_and_load(binary, tmp_path):
    clf, X, y = binary
    fi = clf.feature_importance(X, y, n_repeats=2, random_state=0)
    loaded = automl.load(clf.save(str(tmp_path / "m.joblib")))
    pd.testing.assert_frame_equal(loaded.explanation_.importance, fi)
    assert loaded.explanation_.partial_dependence[0].feature == fi.index[0]


def test_multiclass_ranks_and_draws_one_line_per_class(multiclass):
    clf, X, y = multiclass
    fi = clf.feature_importance(X, y, random_state=0)
    assert set(fi.index[:3]) == SIGNAL
    records = clf.explanation_.partial_dependence
    assert records[0].lines == ["P(0)", "P(1)", "P(2)"] and records[0].values.shape[1] == 3


def test_shap_ranks_the_informative_columns_first(multiclass):
    pytest.importorskip("shap")
    clf, X, y = multiclass
    fi = clf.feature_importance(X, y, method="shap")
    assert set(fi.index[:3]) == SIGNAL
    assert clf.explanation_.method == "shap" and (fi["n"] == len(X)).all()
    assert fi["importance"].iloc[2] > 5 * fi["importance"].iloc[3]


def test_shap_without_the_package_says_how_to_install_it(multiclass, monkeypatch):
    clf, X, y = multiclass
    monkeypatch.setitem(sys.modules, "shap", None)  # import shap raises ImportError
    with pytest.raises(MissingDependencyError, match=r"pip install automl-tabular\[shap\]"):
        clf.feature_importance(X, y, method="shap")


def test_regressor_ranks_the_three_informative_columns_first_with_its_own_metric(regressor):
    reg, X, y = regressor
    fi = reg.feature_importance(X, y, random_state=0)
    assert set(fi.index[:3]) == SIGNAL
    stored = reg.explanation_
    assert stored.metric == "abs_error"  # the fit's own metric, a loss: it rises
    assert stored.baseline == pytest.approx(mean_absolute_error(y, reg.predict(X)))
    assert (fi["importance"].iloc[:3] > 5.0).all()
    assert stored.partial_dependence[0].lines == ["prediction"]
    fi_r2 = reg.feature_importance(X, y, scoring="r2", n_repeats=2, random_state=0)
    assert set(fi_r2.index[:3]) == SIGNAL and (fi_r2["importance"].iloc[:3] > 0.05).all()


def test_shap_needs_a_tree_model(regressor):
    pytest.importorskip("shap")
    reg, X, y = regressor
    with pytest.raises(ConfigError, match="tree model.*method='permutation'"):
        reg.feature_importance(X, y, method="shap")


def test_unfitted_model():
    for est in (AutoMLClassifier(), AutoMLRegressor()):
        with pytest.raises(NotFittedError, match="not fitted yet") as info:
            est.feature_importance(pd.DataFrame({"a": [1, 2]}), [0, 1])
        assert isinstance(info.value, SklearnNotFittedError)


def test_columns_that_differ_from_fit_are_named(binary):
    clf, X, y = binary
    with pytest.raises(DataError, match="missing columns.*c05"):
        clf.feature_importance(X.drop(columns=["c05"]), y)
    with pytest.raises(DataError, match="extra columns.*surprise"):
        clf.feature_importance(X.assign(surprise=1.0), y)


def test_y_of_the_wrong_length(binary, regressor):
    clf, X, y = binary
    with pytest.raises(DataError, match=f"X has {len(X)} rows but y has {len(X) - 1}"):
        clf.feature_importance(X, y[:-1])
    reg, Xr, yr = regressor
    with pytest.raises(DataError, match="rows but y has"):
        reg.feature_importance(Xr, yr[:5])


def test_bad_options(binary):
    clf, X, y = binary
    with pytest.raises(ConfigError, match="'n_repeats'.*Got 0"):
        clf.feature_importance(X, y, n_repeats=0)
    with pytest.raises(ConfigError, match="'method'.*'lime'"):
        clf.feature_importance(X, y, method="lime")
    with pytest.raises(ConfigError, match="Unknown metric 'rocauc'"):
        clf.feature_importance(X, y, scoring="rocauc")
    with pytest.raises(ConfigError, match="regression metric but this is a classification"):
        clf.feature_importance(X, y, scoring="rmse")
    with pytest.raises(DataError):  # a label never seen in fit
        clf.feature_importance(X, np.where(y == "yes", "maybe", y))


def test_a_refit_forgets_the_old_importances(tmp_path):
    X, y = make_classification(n_samples=150, n_features=4, random_state=0)
    X = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = AutoMLClassifier(models=["logreg"], max_trials=1, **FAST).fit(X, y)
    assert clf.explanation_ is None
    clf.feature_importance(X, y, n_repeats=1)
    with open(clf.report(str(tmp_path / "a.html"))) as fh:
        assert 'data-figure="importance"' in fh.read()
    clf.fit(X.iloc[:100], y[:100])  # another fit: the stored importances described the old model
    assert clf.explanation_ is None
    with open(clf.report(str(tmp_path / "b.html"))) as fh:
        assert "clf.feature_importance(X_test, y_test)" in fh.read()
