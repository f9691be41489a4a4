"""Metrics by name against scikit-learn, aliases, errors, and exact threshold tuning."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.preprocessing import label_binarize

from automl import metrics as M
from automl import thresholds as T
from automl.exceptions import ConfigError


def _binary(seed=0, n=80):
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.35).astype(int)
    y[:2] = [0, 1]
    p = np.clip(0.35 * y + 0.65 * rng.random(n), 0.0, 1.0)
    return y, np.c_[1 - p, p]


def _multiclass(seed=0, n=90, k=3):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    y[:k] = np.arange(k)
    logits = rng.normal(size=(n, k)) + 1.2 * np.eye(k)[y]
    proba = np.exp(logits)
    return y, proba / proba.sum(axis=1, keepdims=True)


def _sklearn_binary(name, y, proba, pos, labels):
    p, y_pos = proba[:, pos], (y == pos).astype(int)
    return {
        "roc_auc": lambda: skm.roc_auc_score(y_pos, p),
        "average_precision": lambda: skm.average_precision_score(y_pos, p),
        "log_loss": lambda: skm.log_loss(y, proba, labels=[0, 1]),
        "f1": lambda: skm.f1_score(y, labels, pos_label=pos, zero_division=0.0),
        "precision": lambda: skm.precision_score(y, labels, pos_label=pos, zero_division=0.0),
        "recall": lambda: skm.recall_score(y, labels, pos_label=pos, zero_division=0.0),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y, labels),
        "accuracy": lambda: skm.accuracy_score(y, labels),
        "mcc": lambda: skm.matthews_corrcoef(y, labels),
    }[name]()


def _sklearn_multiclass(name, y, proba):
    labels = proba.argmax(axis=1)
    k = proba.shape[1]
    return {
        "roc_auc": lambda: skm.roc_auc_score(y, proba, multi_class="ovr", average="macro"),
        "average_precision": lambda: skm.average_precision_score(
            label_binarize(y, classes=np.arange(k)), proba, average="macro"
        ),
        "log_loss": lambda: skm.log_loss(y, proba, labels=np.arange(k)),
        "f1": lambda: skm.f1_score(y, labels, average="macro", zero_division=0.0),
        "precision": lambda: skm.precision_score(y, labels, average="macro", zero_division=0.0),
        "recall": lambda: skm.recall_score(y, labels, average="macro", zero_division=0.0),
        "balanced_accuracy": lambda: skm.balanced_accuracy_score(y, labels),
        "accuracy": lambda: skm.accuracy_score(y, labels),
        "mcc": lambda: skm.matthews_corrcoef(y, labels),
    }[name]()


def test_every_metric_is_covered_here():
    classification = {n for n, m in M.METRICS.items() if m.task == "classification"}
    assert classification == {
        "roc_auc",
        "average_precision",
        "log_loss",
        "f1",
        "precision",
        "recall",
        "balanced_accuracy",
        "accuracy",
        "mcc",
    }
    assert set(M.REPORTED) == classification
    assert set(M.REPORTED_REGRESSION) == set(M.METRICS) - classification
    assert all(M.ALIASES.get(m, m) in M.METRICS for m in M.OPTIMIZABLE)


@pytest.mark.parametrize("name", sorted(M.REPORTED))
@pytest.mark.parametrize("pos", [1, 0])
def test_binary_metrics_match_sklearn(name, pos):
    y, proba = _binary()
    labels = proba.argmax(axis=1)
    expected = _sklearn_binary(name, y, proba, pos, labels)
    assert M.score(name, y, proba, pos_index=pos) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", sorted(M.REPORTED))
@pytest.mark.parametrize("threshold", [0.2, 0.7])
def test_binary_metrics_at_a_threshold_match_sklearn(name, threshold):
    y, proba = _binary(seed=1)
    labels = (proba[:, 1] >= threshold).astype(int)
    expected = _sklearn_binary(name, y, proba, 1, labels)
    assert M.score(name, y, proba, threshold=threshold) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("name", sorted(M.REPORTED))
def test_multiclass_metrics_match_sklearn(name):
    y, proba = _multiclass()
    assert M.score(name, y, proba) == pytest.approx(_sklearn_multiclass(name, y, proba), abs=1e-12)
    # a threshold only applies to binary problems
    assert M.score(name, y, proba, threshold=0.9) == M.score(name, y, proba)


def test_multiclass_roc_auc_with_a_class_absent_from_the_fold():
    y, proba = _multiclass(k=4, n=120)
    keep = y != 2
    y, proba = y[keep], proba[keep]
    present = np.array([0, 1, 3])
    p = proba[:, present] / proba[:, present].sum(axis=1, keepdims=True)
    expected = skm.roc_auc_score(np.searchsorted(present, y), p, multi_class="ovr")
    assert M.score("roc_auc", y, proba) == pytest.approx(expected)
    assert np.isfinite(M.score("average_precision", y, proba))


def test_log_loss_is_clipped_and_renormalised():
    y = np.array([0, 1])
    proba = np.array([[0.0, 1.0], [0.0, 1.0]])
    assert np.isfinite(M.score("log_loss", y, proba))


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_score_all_reports_every_metric_and_nan_when_undefined():
    y, proba = _binary()
    scores = M.score_all(y, proba)
    assert list(scores) == list(M.REPORTED)
    for name, value in scores.items():
        assert value == pytest.approx(M.score(name, y, proba))
    single = M.score_all(np.zeros(5, dtype=int), np.tile([0.7, 0.3], (5, 1)))
    assert np.isnan(single["roc_auc"])
    assert single["accuracy"] == 1.0


def test_predict_labels():
    proba = np.array([[0.6, 0.4], [0.3, 0.7], [0.5, 0.5]])
    assert M.predict_labels(proba).tolist() == [0, 1, 0]
    assert M.predict_labels(proba, threshold=0.4).tolist() == [1, 1, 1]
    assert M.predict_labels(proba, threshold=0.45, pos_index=0).tolist() == [0, 1, 0]
    multi = np.array([[0.2, 0.5, 0.3]])
    assert M.predict_labels(multi, threshold=0.1).tolist() == [1]


def test_directions_and_loss():
    assert M.get_metric("log_loss").greater_is_better is False
    assert all(M.get_metric(m).greater_is_better for m in M.REPORTED if m != "log_loss")
    assert M.to_loss("roc_auc", 0.8) == -0.8
    assert M.to_loss("log_loss", 0.3) == 0.3
    assert M.get_metric("roc_auc").needs == "proba" and M.get_metric("f1").needs == "labels"


@pytest.mark.parametrize(
    "alias, name", [("pr_auc", "average_precision"), ("auc", "roc_auc"), ("f1_macro", "f1")]
)
def test_aliases(alias, name):
    assert M.get_metric(alias) is M.get_metric(name)
    y, proba = _multiclass()
    assert M.score(alias, y, proba) == M.score(name, y, proba)
    assert M.to_loss(alias, 0.5) == M.to_loss(name, 0.5)


def test_unknown_metric_message():
    with pytest.raises(ConfigError) as info:
        M.get_metric("rocauc")
    message = str(info.value)
    assert "Unknown metric 'rocauc'" in message
    assert "Did you mean 'roc_auc'" in message
    for name in ("roc_auc", "average_precision", "log_loss", "pr_auc"):
        assert name in message  # the valid names are listed, aliases included
    with pytest.raises(ConfigError):
        M.score("nope", *_binary())


@pytest.mark.parametrize("bad", [None, 3, ["roc_auc"]])
def test_non_string_metric_names_give_config_error(bad):
    with pytest.raises(ConfigError):
        M.get_metric(bad)


# --- threshold tuning ---------------------------------------------------------------

_SK_LABEL_METRICS = {
    "f1": lambda y, pred: skm.f1_score(y, pred, zero_division=0.0),
    "mcc": skm.matthews_corrcoef,
    "balanced_accuracy": skm.balanced_accuracy_score,
    "accuracy": skm.accuracy_score,
}


def _brute_force(y_pos, p, metric):
    """Best value of ``metric`` over every way to threshold ``p`` (none positive included)."""
    fn = _SK_LABEL_METRICS[metric]
    candidates = [*np.unique(p), np.inf]
    return max(fn(y_pos, (p >= t).astype(int)) for t in candidates)


def _cases():
    rng = np.random.default_rng(42)
    for seed in range(6):
        n = int(rng.integers(15, 60))
        y = (rng.random(n) < rng.uniform(0.15, 0.6)).astype(int)
        y[:2] = [0, 1]
        p = np.clip(rng.uniform(0.0, 0.6) * y + rng.random(n), 0, None)
        p = p / p.max() * 0.97
        if seed % 2:  # ties between scores
            p = np.round(p, 1)
        yield y, p
    # anti-correlated scores: predicting no positive is best for accuracy and mcc
    yield np.array([0, 0, 0, 1, 1, 0, 0, 0]), np.array([0.9, 0.85, 0.8, 0.2, 0.1, 0.3, 0.4, 0.05])


@pytest.mark.parametrize("metric", sorted(_SK_LABEL_METRICS))
@pytest.mark.parametrize("case", range(7))
def test_tune_threshold_equals_brute_force(metric, case):
    y, p = list(_cases())[case]
    t = T.tune_threshold(y, p, metric)
    achieved = _SK_LABEL_METRICS[metric](y, (p >= t).astype(int))
    assert achieved == pytest.approx(_brute_force(y, p, metric), abs=1e-12)
    assert T.best_threshold_score(y, p, metric) == pytest.approx(achieved, abs=1e-12)
    # the threshold sits between scores rather than on one, so it generalises
    assert t not in set(p.tolist())
    # scored through the public API with the tuned threshold
    proba = np.c_[1 - p, p]
    assert M.score(metric, y, proba, threshold=t) == pytest.approx(achieved, abs=1e-12)


@pytest.mark.parametrize("metric", sorted(_SK_LABEL_METRICS))
def test_tune_threshold_with_positive_class_zero(metric):
    y, p = list(_cases())[0]
    y0 = 1 - y  # class 0 is now the positive one, its probability is p
    t = T.tune_threshold(y0, p, metric, pos_index=0)
    pred = np.where(p >= t, 0, 1)
    fn = _SK_LABEL_METRICS[metric]
    assert fn((y0 == 0).astype(int), (pred == 0).astype(int)) == pytest.approx(
        _brute_force((y0 == 0).astype(int), p, metric)
    )
    proba = np.c_[p, 1 - p]
    assert M.score(metric, y0, proba, pos_index=0, threshold=t) == pytest.approx(
        fn(y0, pred) if metric != "f1" else skm.f1_score(y0, pred, pos_label=0)
    )


@pytest.mark.parametrize("metric", ["accuracy", "mcc"])
def test_tune_threshold_no_positive_with_a_score_of_one(metric):
    y = np.array([0, 0, 0, 1, 0, 0])
    p = np.array([1.0, 0.9, 0.8, 0.1, 0.3, 0.2])  # tree models give exact 1.0 often
    t = T.tune_threshold(y, p, metric)
    achieved = _SK_LABEL_METRICS[metric](y, (p >= t).astype(int))
    assert achieved == pytest.approx(_brute_force(y, p, metric))


def test_tune_threshold_aliases_and_errors():
    y, proba = _binary()
    assert T.tune_threshold(y, proba[:, 1], "f1_macro") == T.tune_threshold(y, proba[:, 1], "f1")
    with pytest.raises(ConfigError, match="Threshold tuning needs one of"):
        T.tune_threshold(y, proba[:, 1], "roc_auc")


def test_tune_threshold_with_a_single_class_is_one_half():
    assert T.tune_threshold(np.zeros(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4]), "f1") == 0.5
    assert T.tune_threshold(np.ones(4, dtype=int), np.array([0.1, 0.2, 0.3, 0.4]), "mcc") == 0.5


@pytest.mark.parametrize("k", [2, 4])
def test_roc_auc_with_tied_scores_matches_sklearn(k):
    y, proba = _multiclass(seed=3, n=300, k=k)
    proba = np.round(proba, 1)  # many ties: they count half, as in scikit-learn
    proba /= proba.sum(axis=1, keepdims=True)
    expected = (
        skm.roc_auc_score(y, proba[:, 1])
        if k == 2
        else skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")
    )
    assert M.score("roc_auc", y, proba, pos_index=1) == pytest.approx(expected, abs=1e-12)


def test_roc_auc_of_a_single_class_is_a_value_error():
    with pytest.raises(ValueError, match="one class"):
        M.binary_roc_auc(np.ones(5, dtype=bool), np.arange(5.0))


def test_bagged_threshold_is_steady_and_deterministic():
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.08).astype(int)
    p = np.clip(0.3 * y + rng.random(400) * 0.7, 0, 1)
    t = T.bagged_threshold(y, p, "f1", pos_index=1)
    assert t == T.bagged_threshold(y, p, "f1", pos_index=1)
    assert p.min() <= t <= p.max()
    # it is the median of thresholds tuned on resamples: within their range
    exact = T.tune_threshold(y, p, "f1", pos_index=1)
    assert abs(t - exact) < 0.3


def test_bagged_threshold_is_exact_with_many_positives():
    y, proba = _binary(seed=2, n=3000)
    assert np.count_nonzero(y) > T.BAGGED_MAX_POSITIVES
    p = proba[:, 1]
    assert T.bagged_threshold(y, p, "f1") == T.tune_threshold(y, p, "f1")


def test_bootstrap_std_matches_the_binomial_noise_of_accuracy():
    rng = np.random.default_rng(0)
    n, p_right = 400, 0.8
    y = rng.integers(0, 2, n)
    labels = np.where(rng.random(n) < p_right, y, 1 - y)
    proba = np.eye(2)[labels]
    acc = np.mean(labels == y)
    expected = np.sqrt(acc * (1 - acc) / n)
    sd = M.bootstrap_std("accuracy", y, proba, labels, n_resamples=400, random_state=1)
    assert sd == pytest.approx(expected, rel=0.15)
    assert sd == M.bootstrap_std("accuracy", y, proba, labels, n_resamples=400, random_state=1)


def test_bootstrap_std_is_zero_for_perfect_predictions_and_nan_when_never_defined():
    y = np.array([0, 1] * 20)
    proba = np.eye(2)[y]
    assert M.bootstrap_std("f1", y, proba, y) == 0.0
    ones = np.ones(10, dtype=int)
    assert np.isnan(M.bootstrap_std("roc_auc", ones, np.eye(2)[ones], ones))
