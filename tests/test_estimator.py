"""Tests of automl.estimator.AutoMLClassifier: scikit-learn conventions and the fit/predict API.

Every fit here is tiny (150-200 rows, 2-3 trials of the cheapest families, 3 folds,
``time_budget=None`` so that runs are deterministic). Fitted models shared between
tests come from session fixtures in ``conftest.py`` and are only read.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline as ImbPipeline
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from automl import AutoMLClassifier
from automl.metrics import REPORTED

# --------------------------------------------------------------------------- sklearn conventions

#: Checks of scikit-learn's common suite that AutoMLClassifier fails on purpose. All but
#: two are about message wording: automl raises its own DataError with a message that
#: names the problem and a hint (house style), not scikit-learn's stock phrases.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": (
        "predict with the wrong number of columns raises DataError 'X has 3 columns but 4 were "
        "seen in fit (expected ...)', not sklearn's 'X has 3 features, but ... is expecting 4'"
    ),
    "check_complex_data": (
        "complex X raises DataError \"Column 'x0' holds complex numbers\", naming the column, "
        "instead of sklearn's 'Complex data not supported'"
    ),
    "check_dtype_object": (
        "a dict inside an object column raises DataError (a ValueError naming the column) "
        "from automl.data._normalise_column, where sklearn expects np.asarray's TypeError"
    ),
    "check_estimators_empty_data_messages": (
        "a (12, 0) X raises DataError 'X is empty: shape (12, 0). At least 1 row and 1 column "
        "are needed', not sklearn's '0 feature(s) ... a minimum of 1 is required'"
    ),
    "check_supervised_y_2d": (
        "a 2-D y with one column is raveled silently by design (documented in automl.data), "
        "so no DataConversionWarning is emitted"
    ),
    "check_fit2d_1sample": (
        "one row (so one class) raises DataError 'y has a single class ... needs at least 2 "
        "classes', which matches none of sklearn's '1 sample' / 'one class' phrases"
    ),
    "check_fit2d_predict1d": (
        "1-D X at predict raises DataError 'X must be 2-D ... Hint: use X.reshape(-1, 1)', "
        "not sklearn's 'Reshape your data'"
    ),
    "check_requires_y_none": (
        "y=None raises DataError 'y is None. Pass the target labels, one per row of X', not "
        "sklearn's 'requires y to be passed, but the target y is None'"
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "the check sets cv to a list of (train, test) pairs, which the cv parameter refuses "
        "(an int, 'auto' or a splitter); and repeating rows differs from weighting them by "
        "design: imputers, encoders and scalers are fitted unweighted (see the README)"
    ),
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS


def _cheap_instance() -> AutoMLClassifier:
    return AutoMLClassifier(
        time_budget=None, max_trials=2, models=["logreg"], cv=2, n_jobs=1, random_state=0
    )


@pytest.mark.slow  # ~40 checks, about 35 of which fit (~1 min on 2 cores)
@parametrize_with_checks(
    [_cheap_instance()], expected_failed_checks=_expected_failed_checks, xfail_strict=True
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)


def test_init_stores_arguments_unchanged():
    models = ["logreg", "hist_gb"]
    splitter = object()  # never validated in __init__, so any object is stored as is
    clf = AutoMLClassifier(
        time_budget=-5,
        max_trials=0,
        models=models,
        cv=splitter,
        metric="no-such-metric",
        search="foo",
        threshold=7,
        pos_label="x",
    )
    assert clf.models is models
    assert clf.cv is splitter
    assert (
        clf.time_budget,
        clf.max_trials,
        clf.metric,
        clf.search,
        clf.threshold,
        clf.pos_label,
    ) == (-5, 0, "no-such-metric", "foo", 7, "x")
    assert not [k for k in vars(clf) if k.endswith("_") and not k.startswith("__")]


def test_init_is_keyword_only():
    with pytest.raises(TypeError):
        AutoMLClassifier(60)  # type: ignore[misc]


def test_get_params_lists_every_init_argument_with_defaults():
    params = AutoMLClassifier().get_params()
    signature = inspect.signature(AutoMLClassifier.__init__)
    expected = {name: p.default for name, p in signature.parameters.items() if name != "self"}
    assert params == expected


def test_set_params_returns_self_and_updates(fast_clf):
    clf = fast_clf()
    assert clf.set_params(max_trials=7, metric="f1") is clf
    assert clf.get_params()["max_trials"] == 7 and clf.metric == "f1"
    with pytest.raises(ValueError, match="Invalid parameter"):
        clf.set_params(no_such_param=1)


def test_clone_copies_params_not_fitted_state(fitted_binary):
    twin = clone(fitted_binary)
    assert twin.get_params() == fitted_binary.get_params()
    assert twin is not fitted_binary
    assert not hasattr(twin, "classes_") and not hasattr(twin, "final_model_")
    # the list parameter is copied, not shared
    assert twin.models == fitted_binary.models and twin.models is not fitted_binary.models


def test_fit_does_not_modify_inputs(mixed_data, tiny_clf):
    X, y = mixed_data
    X_before, y_before = X.copy(deep=True), y.copy()
    models = ["logreg"]
    clf = tiny_clf(models=models, max_trials=1).fit(X, y)
    pd.testing.assert_frame_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    assert clf.models == ["logreg"] and clf.models is models


# ---------------------------------------------------------------------- binary fit (shared)


def test_binary_fit_attributes(fitted_binary, binary_split):
    X_train, _, y_train, _ = binary_split
    clf = fitted_binary
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    assert clf.n_features_in_ == X_train.shape[1]
    np.testing.assert_array_equal(clf.feature_names_in_, X_train.columns.to_numpy())
    assert clf.metric_ == "roc_auc"
    # out-of-fold AUC of the final model: 0.988 measured; a model that cannot rank scores 0.5
    assert 0.97 <= clf.cv_score_ <= 1.0
    weights = [m["weight"] for m in clf.ensemble_]
    assert weights and all(w > 0 for w in weights) and sum(weights) == pytest.approx(1.0)
    assert clf.threshold_ is None  # roc_auc is not a threshold metric: argmax (0.5 for binary)


def test_predict_proba_columns_follow_classes(fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    proba = fitted_binary.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    # column j is the probability of classes_[j]: predict agrees with the argmax
    pred = fitted_binary.predict(X_test)
    np.testing.assert_array_equal(pred, fitted_binary.classes_[proba.argmax(axis=1)])
    # held-out rows: 0.94 measured; predicting the majority class scores 0.58
    assert accuracy_score(y_test, pred) >= 0.9
    assert roc_auc_score(y_test, proba[:, 1]) >= 0.98  # 0.995 measured


def test_leaderboard_has_one_row_per_trial_best_first(fitted_binary):
    board = fitted_binary.leaderboard_
    required = [
        "trial",
        "family",
        "status",
        "fit_time",
        "duration",
        "threshold_mean",
        "threshold_std",
        "config",
    ]
    required += [f"{m}_{s}" for m in REPORTED for s in ("mean", "std")]
    assert set(required) <= set(board.columns)
    assert {"roc_auc_mean", "roc_auc_std", "f1_mean", "f1_std"} <= set(board.columns)
    assert len(board) == fitted_binary.max_trials == len(fitted_binary.trials_)
    assert sorted(board["trial"]) == list(range(len(board)))
    ok = board[board["status"] == "ok"]
    assert len(ok) >= 1
    scores = ok["roc_auc_mean"].to_numpy()
    assert np.all(np.diff(scores) <= 0), "leaderboard must be sorted best first"
    assert (ok["fit_time"] > 0).all() and (ok["duration"] >= ok["fit_time"]).all()
    assert fitted_binary.best_config_ == board.iloc[0]["config"]


def test_best_pipeline_is_a_fitted_imblearn_pipeline(fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    pipe = fitted_binary.best_pipeline_
    assert isinstance(pipe, ImbPipeline)  # the default final model refits on all rows
    pred = pipe.predict(X_test)  # encoded labels 0..k-1 (here the same as the int labels)
    assert pred.shape == (len(X_test),)
    assert set(np.unique(pred)) <= {0, 1}
    assert accuracy_score(y_test, pred) >= 0.9  # 0.94 measured on the held-out rows
    assert fitted_binary.best_config_["family"] in fitted_binary.models


def test_evaluate_reports_every_metric(fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    scores = fitted_binary.evaluate(X_test, y_test)
    assert set(scores) == set(REPORTED)
    assert all(np.isfinite(v) for v in scores.values())
    assert scores["accuracy"] == pytest.approx(
        accuracy_score(y_test, fitted_binary.predict(X_test))
    )
    assert scores["accuracy"] == pytest.approx(fitted_binary.score(X_test, y_test))
    assert 0.98 <= scores["roc_auc"] <= 1.0  # 0.995 measured on the held-out rows
    assert scores["log_loss"] < 0.3  # 0.17 measured; the class prior alone gives 0.68


def test_models_restricts_families(fitted_binary):
    assert set(fitted_binary.leaderboard_["family"]) <= {"logreg", "hist_gb"}
    assert tuple(fitted_binary.graph_.families) == ("logreg", "hist_gb")


def test_reproducible_with_fixed_seed(fitted_binary, binary_split, fast_clf):
    """Same random_state, max_trials, time_budget=None and n_jobs=1: the same run."""
    X_train, X_test, y_train, _ = binary_split
    again = fast_clf().fit(X_train, y_train)
    cols = ["trial", "family", "status", *[f"{m}_{s}" for m in REPORTED for s in ("mean", "std")]]
    pd.testing.assert_frame_equal(again.leaderboard_[cols], fitted_binary.leaderboard_[cols])
    assert again.leaderboard_["config"].tolist() == fitted_binary.leaderboard_["config"].tolist()
    # the same members in the same (selection) order, whatever the refit schedule
    assert again.ensemble_ == fitted_binary.ensemble_
    np.testing.assert_array_equal(again.predict_proba(X_test), fitted_binary.predict_proba(X_test))
    np.testing.assert_array_equal(again.predict(X_test), fitted_binary.predict(X_test))


# ------------------------------------------------------------------------------ multiclass


@pytest.fixture(scope="module")
def fitted_multiclass(multiclass_data, tiny_clf):
    X, y = multiclass_data
    return tiny_clf(metric="f1").fit(X[:150], y[:150])


def test_multiclass_fit_predict(fitted_multiclass, multiclass_data):
    X, y = multiclass_data
    clf = fitted_multiclass
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    proba = clf.predict_proba(X[150:])
    assert proba.shape == (30, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    pred = clf.predict(X[150:])
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # held-out rows: 0.87 measured; one class of three scores about 0.33
    assert accuracy_score(y[150:], pred) >= 0.8
    assert clf.threshold_ is None  # no binary threshold for three classes, even with f1
    scores = clf.evaluate(X[150:], y[150:])
    assert set(scores) == set(REPORTED) and scores["roc_auc"] >= 0.9  # 0.946 measured
    assert scores["f1"] == pytest.approx(f1_score(y[150:], pred, average="macro"))


# ------------------------------------------------------------------------------ label types


def _labels(kind: str, y: pd.Series):
    words = np.where(y.to_numpy() == 1, "benign", "malignant")
    if kind == "str":
        return words
    if kind == "object":
        return words.astype(object)
    if kind == "bool":
        return y.to_numpy() == 1
    if kind == "int":
        return y.to_numpy() * 10 + 3  # 3 / 13: not 0..k-1
    if kind == "category":
        return pd.Series(words, dtype="category")
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["str", "bool", "int", "category"])
def test_label_types(kind, binary_split, tiny_clf):
    X_train, X_test, y_train, _ = binary_split
    y = _labels(kind, y_train)
    clf = tiny_clf().fit(X_train, y)
    expected = np.unique(np.asarray(y))
    np.testing.assert_array_equal(clf.classes_, expected)
    pred = clf.predict(X_test)
    assert pred.shape == (len(X_test),)
    assert set(pred.tolist()) <= set(expected.tolist())
    if kind == "bool":
        assert pred.dtype == bool
    if kind == "int":
        assert np.issubdtype(pred.dtype, np.integer)
    proba = clf.predict_proba(X_test)
    np.testing.assert_array_equal(pred, clf.classes_[proba.argmax(axis=1)])
    # evaluate accepts the same label type
    assert set(clf.evaluate(X_train, y)) == set(REPORTED)


def test_mixed_dtype_frame(fitted_mixed, mixed_holdout):
    clf = fitted_mixed
    assert set(clf.schema_.dropped) == {"empty", "const"}
    assert clf.schema_.datetime == ("when",) and clf.schema_.boolean == ("flag",)
    assert set(clf.schema_.categorical) == {"city", "size"}
    assert any("empty" in n for n in clf.notes_) and any("const" in n for n in clf.notes_)
    X_new, y_new = mixed_holdout  # fresh rows from the same process
    pred = clf.predict(X_new)
    assert set(pred) <= {"no", "yes"}
    # 0.85 measured; the majority class scores 0.56
    assert accuracy_score(y_new, pred) >= 0.8


# ---------------------------------------------------------------------- search settings


@pytest.mark.parametrize("search", ["random", "grid"])
def test_search_strategies_run(search, binary_split, tiny_clf):
    X_train, X_test, y_train, _ = binary_split
    clf = tiny_clf(search=search).fit(X_train, y_train)
    assert len(clf.leaderboard_) == 2
    assert (clf.leaderboard_["status"] == "ok").any()
    assert set(clf.leaderboard_["family"]) == {"logreg"}
    assert clf.predict(X_test).shape == (len(X_test),)


def test_pipeline_fast_preset(binary_split, tiny_clf):
    X_train, X_test, y_train, _ = binary_split
    clf = tiny_clf(pipeline="fast").fit(X_train, y_train)
    assert clf.graph_.name == "fast"
    # the fast preset offers only these scalers
    assert {c["scale"] for c in clf.leaderboard_["config"]} <= {"standard", "quantile"}
    assert clf.predict(X_test).shape == (len(X_test),)


def test_max_trials_is_honoured(binary_split, tiny_clf):
    X_train, _, y_train, _ = binary_split
    clf = tiny_clf(max_trials=1, ensemble=False).fit(X_train, y_train)
    assert len(clf.leaderboard_) == 1 and len(clf.trials_) == 1
    assert clf.ensemble_ == [{"trial": 0, "weight": 1.0}]


def test_n_jobs_2(binary_split, tiny_clf):
    X_train, X_test, y_train, _ = binary_split
    clf = tiny_clf(n_jobs=2, max_trials=3).fit(X_train, y_train)
    assert 1 <= len(clf.leaderboard_) <= 3
    assert (clf.leaderboard_["status"] == "ok").any()
    proba = clf.predict_proba(X_test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


# ----------------------------------------------------------------------- threshold, pos_label


@pytest.mark.parametrize("pos_label", ["malignant", "benign"])
def test_pos_label_sets_the_f1_class(pos_label, binary_split, tiny_clf):
    X_train, X_test, y_train, y_test = binary_split
    y_tr, y_te = _labels("str", y_train), _labels("str", y_test)
    clf = tiny_clf(metric="f1", pos_label=pos_label).fit(X_train, y_tr)
    assert clf.classes_[clf.pos_index_] == pos_label
    pred = clf.predict(X_test)
    scores = clf.evaluate(X_test, y_te)
    assert scores["f1"] == pytest.approx(f1_score(y_te, pred, pos_label=pos_label))
    # the tuned threshold applies to the positive class's probability
    proba = clf.predict_proba(X_test)[:, clf.pos_index_]
    expected = np.where(proba >= clf.threshold_, pos_label, clf.classes_[1 - clf.pos_index_])
    np.testing.assert_array_equal(pred, expected)


@pytest.fixture(scope="module")
def rare_positives():
    """600 rows, 10 % positives that overlap the negatives (stratified 450 / 150 split):
    a calibrated model rarely gives a positive more than 0.5, so F1 wants a lower threshold."""
    X, y = make_classification(
        n_samples=600,
        n_features=6,
        n_informative=3,
        weights=[0.9, 0.1],
        flip_y=0.02,
        class_sep=0.8,
        random_state=2,
    )
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def test_threshold_auto_is_tuned_for_f1(rare_positives, tiny_clf):
    X_train, X_test, y_train, y_test = rare_positives
    clf = tiny_clf(metric="f1", pipeline="default").fit(X_train, y_train)
    assert isinstance(clf.threshold_std_, float) and clf.threshold_std_ >= 0.0
    assert clf.leaderboard_["threshold_mean"].notna().any()
    # tuning moves the decision towards the rare positives: 0.30 measured
    assert isinstance(clf.threshold_, float) and 0.05 < clf.threshold_ < 0.45
    p1 = clf.predict_proba(X_test)[:, 1]
    tuned, at_half = clf.predict(X_test), (p1 >= 0.5).astype(int)
    np.testing.assert_array_equal(tuned, (p1 >= clf.threshold_).astype(int))
    assert tuned.sum() > at_half.sum()  # 13 vs 6 of 150 held-out rows (17 are positive)
    # and pays off on held-out rows: F1 0.64 vs 0.48 measured
    assert f1_score(y_test, tuned) >= f1_score(y_test, at_half) + 0.1
    # out of fold too, where the threshold was tuned
    oof = clf.oof_proba_[:, 1]
    assert f1_score(y_train, oof >= clf.threshold_) > f1_score(y_train, oof >= 0.5)


def test_threshold_none_keeps_argmax(binary_split, tiny_clf):
    X_train, X_test, y_train, _ = binary_split
    clf = tiny_clf(metric="f1", threshold=None).fit(X_train, y_train)
    assert clf.threshold_ is None and clf.threshold_std_ is None
    proba = clf.predict_proba(X_test)
    np.testing.assert_array_equal(clf.predict(X_test), clf.classes_[proba.argmax(axis=1)])


def test_fixed_threshold_is_used(binary_split, tiny_clf):
    X_train, X_test, y_train, _ = binary_split
    clf = tiny_clf(metric="f1", threshold=0.3, pos_label=1).fit(X_train, y_train)
    assert clf.threshold_ == 0.3
    p1 = clf.predict_proba(X_test)[:, 1]
    np.testing.assert_array_equal(clf.predict(X_test), np.where(p1 >= 0.3, 1, 0))


def test_a_higher_fixed_threshold_predicts_fewer_positives(rare_positives, tiny_clf):
    X_train, X_test, y_train, _ = rare_positives
    fits = {
        t: tiny_clf(metric="f1", threshold=t, pipeline="default", pos_label=1).fit(X_train, y_train)
        for t in (0.2, 0.5, 0.8)
    }
    proba = fits[0.5].predict_proba(X_test)
    for clf in fits.values():  # a fixed threshold leaves the search and the model alone
        np.testing.assert_array_equal(clf.predict_proba(X_test), proba)
    positive = {t: clf.predict(X_test) == 1 for t, clf in fits.items()}
    # each positive at a higher threshold is positive at every lower one
    assert np.all(positive[0.8] <= positive[0.5]) and np.all(positive[0.5] <= positive[0.2])
    counts = [int(positive[t].sum()) for t in (0.2, 0.5, 0.8)]
    assert counts[0] > counts[1] > counts[2]  # 20 > 6 > 2 measured
