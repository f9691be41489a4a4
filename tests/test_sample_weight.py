"""Row weights through the whole engine: models, scores, threshold, ensemble (issue 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import accuracy_score, f1_score, mean_squared_error, roc_auc_score
from sklearn.model_selection import KFold, PredefinedSplit, TimeSeriesSplit

from automl import AutoMLClassifier, AutoMLRegressor, CustomMetric, load
from automl import metrics as M
from automl.exceptions import ConfigError, DataError, SearchError
from automl.graph import PipelineGraph
from automl.models import ModelContext, get_family
from automl.pipeline_fit import fit_pipeline_timed
from automl.sample_weight import graph_for_weights, validate_sample_weight
from automl.schema import infer_schema
from automl.steps.resample import SafeResampler
from automl.thresholds import threshold_scores, tune_threshold, validated_rows


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(
        300, 6, n_informative=3, weights=[0.7], flip_y=0.1, class_sep=0.6, random_state=0
    )
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(6)]), y


def _clf(**kw):
    settings = dict(
        time_budget=None,
        max_trials=1,
        models=["logreg"],
        ensemble=False,
        n_jobs=1,
        random_state=0,
    )
    return AutoMLClassifier(**{**settings, **kw})


def _with_zero_weight_copies(X, y, test_fold):
    """X twice over; the copies weigh 0 and sit in the same folds as their originals.

    The copies leave every fitted statistic (medians, means, standard deviations) of
    each training fold as it was, so the only way they could change a result is
    through their weight, which must make them count for nothing.
    """
    X2 = pd.concat([X, X], ignore_index=True)
    y2 = np.r_[y, 1 - y]  # the copies even carry the other label
    w = np.r_[np.ones(len(y)), np.zeros(len(y))]
    return X2, y2, w, PredefinedSplit(np.r_[test_fold, test_fold])


def test_zero_weights_on_a_block_equal_dropping_it(binary):
    X, y = binary
    test_fold = np.arange(len(y)) % 4
    plain = _clf(metric="f1", cv=PredefinedSplit(test_fold)).fit(X, y)
    X2, y2, w, cv2 = _with_zero_weight_copies(X, y, test_fold)
    weighted = _clf(metric="f1", cv=cv2).fit(X2, y2, sample_weight=w)
    for metric, value in plain.trials_[0]["mean"].items():
        assert weighted.trials_[0]["mean"][metric] == pytest.approx(value, abs=1e-4), metric
    assert weighted.trials_[0]["threshold"]["value"] == pytest.approx(
        plain.trials_[0]["threshold"]["value"], abs=1e-3
    )
    np.testing.assert_allclose(weighted.predict_proba(X), plain.predict_proba(X), atol=1e-4)


def test_the_regressor_with_zero_weights_on_a_block_equals_dropping_it():
    X, y = make_regression(200, 5, noise=5.0, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    test_fold = np.arange(len(y)) % 4
    settings = dict(
        time_budget=None, max_trials=1, models=["linear"], ensemble=False, n_jobs=1, random_state=0
    )
    plain = AutoMLRegressor(cv=PredefinedSplit(test_fold), **settings).fit(X, y)
    X2 = pd.concat([X, X], ignore_index=True)
    y2 = np.r_[y, y]  # equal copies: the target's standardisation stays as it was
    w = np.r_[np.ones(len(y)), np.zeros(len(y))]
    weighted = AutoMLRegressor(cv=PredefinedSplit(np.r_[test_fold, test_fold]), **settings)
    weighted.fit(X2, y2, sample_weight=w)
    assert weighted.cv_score_ == pytest.approx(plain.cv_score_, rel=1e-5)
    np.testing.assert_allclose(weighted.predict(X), plain.predict(X), rtol=1e-5)
    # evaluate weighs every metric as scikit-learn does
    w_test = np.random.default_rng(0).uniform(0.1, 2.0, len(y))
    rmse = np.sqrt(mean_squared_error(y, plain.predict(X), sample_weight=w_test))
    assert plain.evaluate(X, y, sample_weight=w_test)["rmse"] == pytest.approx(rmse)


def test_upweighted_positives_lower_the_f1_threshold_and_weigh_the_scores(binary):
    X, y = binary
    cv = PredefinedSplit(np.arange(len(y)) % 4)
    folds = list(cv.split(X))
    plain = _clf(metric="f1", cv=cv).fit(X, y)
    w = np.where(y == 1, 5.0, 1.0)
    weighted = _clf(metric="f1", cv=cv).fit(X, y, sample_weight=w)
    # the threshold is tuned on the weighted F1 of the out-of-fold predictions ...
    oof = weighted.oof_proba_
    tuned = threshold_scores(y, oof, folds, "f1", 1, bagged=True, sample_weight=w)
    assert weighted.threshold_ == pytest.approx(tuned[2])
    assert weighted.cv_score_ == pytest.approx(np.mean(tuned[1]))
    # ... where a missed positive costs five times a false alarm: positive sooner
    unweighted = threshold_scores(y, oof, folds, "f1", 1, bagged=True)[2]
    assert weighted.threshold_ < unweighted - 0.05
    assert weighted.predict(X).sum() > plain.predict(X).sum() + 10
    scores = weighted.evaluate(X, y, sample_weight=w)
    assert scores["f1"] == pytest.approx(f1_score(y, weighted.predict(X), sample_weight=w))
    assert scores["roc_auc"] == pytest.approx(
        roc_auc_score(y, weighted.predict_proba(X)[:, 1], sample_weight=w)
    )
    assert weighted.score(X, y, sample_weight=w) == pytest.approx(
        accuracy_score(y, weighted.predict(X), sample_weight=w)
    )


def test_weighted_threshold_tuning_matches_counting_rows_twice():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 200)
    p = np.clip(0.3 * y + rng.uniform(0, 0.7, 200), 0, 1)
    twice = np.r_[np.arange(200), np.flatnonzero(y == 1)]  # every positive counted twice
    for metric in ("f1", "balanced_accuracy", "mcc", "accuracy"):
        weighted = tune_threshold(y, p, metric, sample_weight=np.where(y == 1, 2.0, 1.0))
        assert weighted == pytest.approx(tune_threshold(y[twice], p[twice], metric)), metric


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.ones(10), "X has 300 rows but sample_weight has 10"),
        (np.r_[np.nan, np.ones(299)], "1 NaN or infinite values, first at rows \\[0\\]"),
        (np.r_[np.ones(299), np.inf], "1 NaN or infinite values, first at rows \\[299\\]"),
        (np.r_[-1.0, -2.0, np.ones(298)], "2 negative values"),
        (np.zeros(300), "zero for all 300 rows"),
        (np.ones((300, 2)), "must be 1-D"),
        (np.array(["a"] * 300), "must hold numbers"),
        ("one class", "zero for every row of all classes but class 0"),
    ],
)
def test_bad_weights_are_refused_before_the_search(binary, weights, match):
    X, y = binary
    if isinstance(weights, str):  # the positives all weigh 0
        weights = (y == 0).astype(float)
    with pytest.raises(DataError, match=match):
        _clf().fit(X, y, sample_weight=weights)


def test_a_family_that_cannot_take_weights_is_left_out_with_a_note(binary):
    X, y = binary
    clf = _clf(models=["mlp", "logreg"], max_trials=2, verbose=2)
    clf.fit(X, y, sample_weight=np.ones(len(y)))
    assert any("mlp cannot take sample_weight" in n for n in clf.notes_)
    assert set(clf.leaderboard_["family"]) == {"logreg"}
    with pytest.raises(ConfigError, match="No model family .* can take sample_weight"):
        _clf(models=["mlp"]).fit(X, y, sample_weight=np.ones(len(y)))


def test_synthetic_samplers_leave_the_graph_and_random_ones_carry_weights():
    graph, notes = graph_for_weights(PipelineGraph.from_preset("imbalanced"))
    assert set(graph.resample) == {"none", "random_over", "random_under"}
    assert "mlp" not in graph.families and len(notes) == 2
    X = np.random.default_rng(0).normal(size=(60, 3))
    y = np.r_[np.zeros(50, dtype=int), np.ones(10, dtype=int)]
    w = np.arange(60, dtype=float)
    for method in ("random_over", "random_under"):
        sampler = SafeResampler(method=method, random_state=0)
        X_res, y_res, w_res = sampler.fit_resample_weighted(X, y, w)
        assert len(X_res) == len(w_res) != 60
        rows = sampler.sample_indices_
        np.testing.assert_array_equal(X_res, X[rows])
        np.testing.assert_array_equal(w_res, w[rows])  # each row carries its own weight
    with pytest.raises(ConfigError, match="synthetic rows"):
        SafeResampler(method="smote").fit_resample_weighted(X, y, w)


@pytest.mark.parametrize("family", ["logreg", "random_forest", "extra_trees", "hist_gb", "xgboost"])
def test_weights_reach_every_family_that_takes_them(binary, family):
    X, y = binary
    assert get_family(family).supports_sample_weight
    graph = PipelineGraph.from_preset("default").with_families([family])
    ctx = ModelContext(n_rows=len(y), n_features=6, random_state=0)
    config = graph.default_config(family, ctx)
    train, test = np.arange(200), np.arange(200, len(y))
    # the training rows, and a copy of each with the other label: unweighted, the copies
    # cancel what there is to learn; weighing 0, they must count for nothing
    X2 = pd.concat([X.iloc[train], X.iloc[train]], ignore_index=True)
    y2 = np.r_[y[train], 1 - y[train]]
    w = np.r_[np.ones(len(train)), np.zeros(len(train))]
    aucs = []
    for rows, labels, weights in [(X.iloc[train], y[train], None), (X2, y2, w), (X2, y2, None)]:
        pipe = graph.compile(config, infer_schema(X), ctx)
        fit_pipeline_timed(pipe, rows, labels, weights)
        aucs.append(roc_auc_score(y[test], pipe.predict_proba(X.iloc[test])[:, 1]))
    clean, weighted, poisoned = aucs
    # near the clean fit (leaf sizes and boosting's early-stopping split count rows, not
    # weight, so not exactly), far from the poisoned one
    assert weighted > clean - 0.06 and weighted > poisoned + 0.15, aucs


def test_a_weighted_fit_survives_save_and_load(binary, tmp_path):
    X, y = binary
    clf = _clf(metric="f1").fit(X, y, sample_weight=np.where(y == 1, 2.0, 1.0))
    loaded = load(clf.save(str(tmp_path / "model.joblib")))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded.threshold_ == clf.threshold_


def test_a_resume_with_other_weights_is_refused(binary, tmp_path):
    X, y = binary
    w = np.where(y == 1, 2.0, 1.0)
    _clf(log_dir=str(tmp_path)).fit(X, y, sample_weight=w)
    resumed = _clf(log_dir=str(tmp_path), resume=True, max_trials=2)
    with pytest.raises(ConfigError, match="sample weights"):
        resumed.fit(X, y, sample_weight=w * np.r_[3.0, np.ones(len(y) - 1)])
    with pytest.raises(ConfigError, match="fingerprint differs"):
        resumed.fit(X, y)  # no weights is other weights too
    resumed.fit(X, y, sample_weight=w)
    assert len(resumed.trials_) == 2


def validation_raises(truth, predicted):
    raise RuntimeError("lookup table missing")


def validation_nan(truth, predicted):
    return float("nan")


@pytest.mark.parametrize(
    "fn, reason",
    [(validation_raises, "RuntimeError: lookup table missing"), (validation_nan, "nan")],
)
def test_a_metric_that_raises_or_gives_nan_is_named_as_the_fault(binary, fn, reason):
    X, y = binary
    metric = CustomMetric(fn.__name__, fn, needs="proba")
    with pytest.raises(SearchError, match=f"Your metric '{fn.__name__}' is at fault") as info:
        _clf(metric=metric, max_trials=2).fit(X, y)
    assert reason in str(info.value)


def test_a_splitter_that_trains_on_one_class_is_refused_before_the_search(binary):
    X, y = binary
    order = np.argsort(y, kind="stable")
    with pytest.raises(DataError, match="Training fold 1 of the cv splitter holds only class 0"):
        _clf(cv=KFold(2)).fit(X.iloc[order], y[order])
    # a class missing from one training fold of several: handled, and said
    y3 = np.r_[y[order], np.full(30, 2)]
    X3 = pd.concat([X.iloc[order], X.iloc[:30]], ignore_index=True)
    clf = _clf(cv=KFold(3)).fit(X3, y3)
    assert any("lacks class(es) 2" in n for n in clf.notes_)


def test_rows_no_fold_validates_are_never_scored():
    X, y = make_classification(240, 5, flip_y=0.05, random_state=2)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    clf = AutoMLClassifier(
        time_budget=None,
        max_trials=3,
        models=["logreg", "extra_trees"],
        metric="f1",
        cv=TimeSeriesSplit(3),
        n_jobs=1,
        random_state=0,
    ).fit(X, y)
    folds = list(TimeSeriesSplit(3).split(X))
    valid = validated_rows(folds, len(y))
    assert not valid[:60].any() and valid[60:].all()
    fold_t, fold_values, threshold = threshold_scores(
        y[valid],
        clf.oof_proba_[valid],
        [(tr[tr >= 60] - 60, te - 60) for tr, te in folds],
        "f1",
        1,
        bagged=True,
    )
    assert clf.threshold_ == pytest.approx(threshold)
    assert clf.cv_score_ == pytest.approx(np.mean(fold_values))
    # in-sample predictions of the first block may be anything: nothing changes
    poisoned = clf.oof_proba_.copy()
    poisoned[:60] = np.where(y[:60, None] == 1, [1.0, 0.0], [0.0, 1.0])
    assert threshold_scores(y, poisoned, folds, "f1", 1, bagged=True)[2] == pytest.approx(
        clf.threshold_
    )


def loss_of_alarms(truth, predicted):
    """Missed positives cost 20, false alarms 1: a label metric with no curve."""
    missed = np.sum((truth == 1) & (predicted == 0))
    return -(20.0 * missed + np.sum((truth == 0) & (predicted == 1)))


def test_a_label_metric_of_your_own_tunes_the_threshold_on_itself(binary):
    from sklearn.metrics import make_scorer

    X, y = binary
    scorer = make_scorer(loss_of_alarms, response_method="predict")
    clf = _clf(metric=scorer, pipeline="imbalanced", models=["logreg"], max_trials=2)
    clf.fit(X, y)
    assert M.get_metric("loss_of_alarms").curve is None
    assert clf.best_trial_["threshold"] is not None
    oof = clf.oof_proba_[:, clf.pos_index_]
    ours = tune_threshold(y, oof, "loss_of_alarms", pos_index=clf.pos_index_)
    f1 = tune_threshold(y, oof, "f1", pos_index=clf.pos_index_)
    assert clf.threshold_ == pytest.approx(ours)
    assert ours < f1  # missed positives cost 20: a lower threshold than F1 would choose
    grid = np.linspace(0.0, 1.0, 201)
    best_on_grid = max(loss_of_alarms(y, (oof >= t).astype(int)) for t in grid)
    assert loss_of_alarms(y, (oof >= ours).astype(int)) >= best_on_grid - 1.0


def test_validate_sample_weight_passes_good_weights_through():
    assert validate_sample_weight(None, 3) is None
    w = validate_sample_weight(pd.Series([0, 1, 2]), 3)
    assert w.dtype == float and w.tolist() == [0.0, 1.0, 2.0]


def share_right(truth, predicted, sample_weight=None):
    return float(np.average(truth == predicted, weights=sample_weight))


def share_right_unweighted(truth, predicted):
    return float(np.mean(truth == predicted))


def test_your_metric_gets_the_weights_when_it_takes_them():
    from sklearn.metrics import make_scorer

    from automl.custom_metrics import as_metric
    from automl.sample_weight import unweighted_metric_note

    classes = np.array(["no", "yes"])
    y = np.array([0, 1, 1, 0, 1, 0])
    proba = np.array([[0.8, 0.2], [0.3, 0.7], [0.6, 0.4], [0.4, 0.6], [0.1, 0.9], [0.9, 0.1]])
    w = np.array([1.0, 2.0, 5.0, 1.0, 0.0, 3.0])
    labels = proba.argmax(axis=1)
    expected = accuracy_score(y, labels, sample_weight=w)
    for spec in (
        CustomMetric("share_right", share_right, needs="labels"),
        make_scorer(accuracy_score),
    ):
        metric = as_metric(spec, "binary", classes)
        M.register_metric(metric)
        assert metric.weighted and not unweighted_metric_note(metric)
        assert M.score(metric.name, y, proba, sample_weight=w) == pytest.approx(expected)
    spec = CustomMetric("share_right_unweighted", share_right_unweighted, needs="labels")
    plain = as_metric(spec, "binary", classes)
    M.register_metric(plain)
    assert M.score(plain.name, y, proba, sample_weight=w) == pytest.approx(np.mean(y == labels))
    assert "unweighted" in unweighted_metric_note(plain)[0]


def test_ensemble_selection_reads_only_rows_with_weight():
    from automl.ensemble import greedy_selection

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 400)
    oof = {t: np.clip(rng.normal(0.5 + 0.2 * (y - 0.5) * t, 0.3)[:, None], 0, 1) for t in range(4)}
    oof = {t: np.hstack([1 - p, p]) for t, p in oof.items()}
    # the second half weighs 0: its predictions are scrambled and must not matter
    scrambled = {t: np.vstack([p[:200], p[200:][::-1]]) for t, p in oof.items()}
    w = np.r_[np.ones(200), np.zeros(200)]
    for metric in ("roc_auc", "log_loss", "f1"):
        expected = greedy_selection(
            {t: p[:200] for t, p in oof.items()}, [3, 2, 1, 0], y[:200], metric, 1
        )
        assert greedy_selection(scrambled, [3, 2, 1, 0], y, metric, 1, sample_weight=w) == expected


def test_the_prior_model_predicts_the_weighted_class_shares():
    X = pd.DataFrame({"constant": np.ones(40)})
    y = np.r_[np.zeros(30, dtype=int), np.ones(10, dtype=int)]
    w = np.r_[np.ones(30), np.full(10, 3.0)]  # the classes now weigh the same
    clf = _clf().fit(X, y, sample_weight=w)
    np.testing.assert_allclose(clf.predict_proba(X[:2]), [[0.5, 0.5], [0.5, 0.5]])
