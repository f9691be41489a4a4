"""Metrics by name: pure functions of encoded labels and class probabilities.

All functions take ``y`` encoded as ``0..k-1`` and ``proba`` of shape ``(n, k)``.
Binary threshold metrics treat column ``pos_index`` as the positive class and
predict it when its probability reaches ``threshold`` (argmax when ``None``).
Multiclass threshold metrics are macro-averaged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.stats import rankdata
from sklearn import metrics as skm

from . import regression_metrics as R
from .exceptions import ConfigError, unknown_name_message

#: A binary metric computed from arrays of confusion counts (tp, fp, fn, tn).
ConfusionCurve = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metric:
    """A named metric.

    Attributes
    ----------
    name : str
    greater_is_better : bool
    needs : {"proba", "labels", "values"}
        Whether the metric reads probabilities, thresholded labels or (regression)
        predicted values.
    fn : callable
        ``fn(y, proba, labels, pos_index)`` returning a float.
    optimizable : bool
        Whether the search may optimise it (precision or recall alone are
        degenerate targets: predicting one class maximises them).
    curve : callable or None
        The binary metric from confusion counts, ``curve(tp, fp, fn, tn)`` on arrays:
        set exactly for the metrics whose decision threshold can be tuned.
    """

    name: str
    greater_is_better: bool
    needs: Literal["proba", "labels", "values"]
    fn: Callable[[np.ndarray, np.ndarray, np.ndarray | None, int], float]
    optimizable: bool = True
    curve: ConfusionCurve | None = None
    task: Literal["classification", "regression"] = "classification"

    @property
    def tunes_threshold(self) -> bool:
        """Whether a binary decision threshold can be tuned for this metric."""
        return self.curve is not None


def predict_labels(
    proba: np.ndarray, *, pos_index: int = 1, threshold: float | None = None
) -> np.ndarray:
    """Turn probabilities into encoded labels.

    Binary with a ``threshold``: the positive class when its probability is at
    least the threshold. Otherwise the most probable class.
    """
    proba = np.asarray(proba)
    if proba.shape[1] == 2 and threshold is not None:
        neg_index = 1 - pos_index
        return np.where(proba[:, pos_index] >= threshold, pos_index, neg_index)
    return np.argmax(proba, axis=1)


def _is_binary(proba: np.ndarray) -> bool:
    return proba.shape[1] == 2


def binary_roc_auc(positive: np.ndarray, scores: np.ndarray) -> float:
    """ROC AUC of ``scores`` for the boolean labels ``positive``, ties counted half.

    The Mann-Whitney form over average ranks: the same value as
    :func:`sklearn.metrics.roc_auc_score`, without its input validation, which costs
    far more than the arithmetic when ensemble selection scores hundreds of blends.

    Raises
    ------
    ValueError
        When ``positive`` holds only one class (the AUC is undefined).
    """
    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("Only one class present in y_true; ROC AUC is not defined.")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _macro_ovr_auc(y: np.ndarray, proba: np.ndarray) -> float:
    return float(np.mean([binary_roc_auc(y == k, proba[:, k]) for k in range(proba.shape[1])]))


def _roc_auc(y, proba, labels, pos):
    y = np.asarray(y)
    if _is_binary(proba):
        return binary_roc_auc(y == pos, proba[:, pos])
    present = np.unique(y)
    if len(present) < proba.shape[1]:  # a class absent from this fold: score the present ones
        p = proba[:, present] / np.clip(proba[:, present].sum(axis=1, keepdims=True), 1e-12, None)
        if len(present) == 2:
            return binary_roc_auc(y == present[1], p[:, 1])
        return _macro_ovr_auc(np.searchsorted(present, y), p)
    return _macro_ovr_auc(y, proba)


def _average_precision(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.average_precision_score(y == pos, proba[:, pos])
    onehot = np.eye(proba.shape[1])[y]
    present = onehot.sum(axis=0) > 0
    return skm.average_precision_score(onehot[:, present], proba[:, present], average="macro")


def _log_loss(y, proba, labels, pos):
    # sklearn.metrics.log_loss with labels=range(k) on clipped, renormalised rows; written
    # out because ensemble selection calls it hundreds of times and validation dominates
    p = np.clip(np.asarray(proba, dtype=float), 1e-15, 1.0)
    y = np.asarray(y, dtype=int)
    picked = p[np.arange(len(y)), y] / p.sum(axis=1)
    return float(-np.mean(np.log(picked)))


def _f1(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.f1_score(y, labels, pos_label=pos, zero_division=0.0)
    return skm.f1_score(
        y, labels, average="macro", labels=np.arange(proba.shape[1]), zero_division=0.0
    )


def _precision(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.precision_score(y, labels, pos_label=pos, zero_division=0.0)
    return skm.precision_score(y, labels, average="macro", zero_division=0.0)


def _recall(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.recall_score(y, labels, pos_label=pos, zero_division=0.0)
    return skm.recall_score(y, labels, average="macro", zero_division=0.0)


def _balanced_accuracy(y, proba, labels, pos):
    return skm.balanced_accuracy_score(y, labels)


def _accuracy(y, proba, labels, pos):
    return skm.accuracy_score(y, labels)


def _mcc(y, proba, labels, pos):
    return skm.matthews_corrcoef(y, labels)


def _f1_curve(tp, fp, fn, tn):
    return np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)


def _balanced_accuracy_curve(tp, fp, fn, tn):
    return (tp / np.maximum(tp + fn, 1) + tn / np.maximum(tn + fp, 1)) / 2


def _accuracy_curve(tp, fp, fn, tn):
    return (tp + tn) / np.maximum(tp + fp + fn + tn, 1)


def _mcc_curve(tp, fp, fn, tn):
    denominator = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
    return np.divide(
        tp * tn - fp * fn, np.sqrt(denominator), out=np.zeros_like(tp), where=denominator > 0
    )


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("roc_auc", True, "proba", _roc_auc),
        Metric("average_precision", True, "proba", _average_precision),
        Metric("log_loss", False, "proba", _log_loss),
        Metric("f1", True, "labels", _f1, curve=_f1_curve),
        Metric(
            "balanced_accuracy", True, "labels", _balanced_accuracy, curve=_balanced_accuracy_curve
        ),
        Metric("accuracy", True, "labels", _accuracy, curve=_accuracy_curve),
        Metric("mcc", True, "labels", _mcc, curve=_mcc_curve),
        Metric("precision", True, "labels", _precision, optimizable=False),
        Metric("recall", True, "labels", _recall, optimizable=False),
        Metric("rmse", False, "values", R.rmse, task="regression"),
        Metric("mae", False, "values", R.mae, task="regression"),
        Metric("r2", True, "values", R.r2, task="regression"),
        Metric("mape", False, "values", R.mape, task="regression"),
        Metric("rmsle", False, "values", R.rmsle, task="regression"),
        Metric("median_ae", False, "values", R.median_ae, task="regression"),
    )
}
ALIASES = {
    "pr_auc": "average_precision",
    "auc": "roc_auc",
    "f1_macro": "f1",
}

#: Names (aliases included) of the metrics the search may optimise.
OPTIMIZABLE = tuple(
    [m.name for m in METRICS.values() if m.optimizable]
    + [alias for alias, name in ALIASES.items() if METRICS[name].optimizable]
)
#: Metrics every regression trial and benchmark cell reports.
REPORTED_REGRESSION = ("rmse", "mae", "r2", "mape", "rmsle", "median_ae")
#: Metrics every classification trial and benchmark cell reports.
REPORTED = (
    "roc_auc",
    "average_precision",
    "log_loss",
    "f1",
    "balanced_accuracy",
    "accuracy",
    "mcc",
    "precision",
    "recall",
)


def reported(task: str) -> tuple[str, ...]:
    """The metrics reported for every trial of a task.

    Parameters
    ----------
    task : {"binary", "multiclass", "classification", "regression"}
        The task (a :class:`~automl.models.ModelContext` task or its kind).

    Returns
    -------
    tuple of str
    """
    return REPORTED_REGRESSION if task == "regression" else REPORTED


def optimizable(task: str) -> tuple[str, ...]:
    """Names (aliases included) of the metrics the search may optimise for ``task``.

    Parameters
    ----------
    task : {"classification", "regression"}
        The kind of task.

    Returns
    -------
    tuple of str
    """
    kind = "regression" if task == "regression" else "classification"
    return tuple(n for n in OPTIMIZABLE if get_metric(n).task == kind)


#: Metrics of a user's (custom metrics), registered by name in each process that runs a fit.
_REGISTERED: dict[str, Metric] = {}


def register_metric(metric: Metric) -> None:
    """Make a user's metric known by its name in this process (idempotent).

    Parameters
    ----------
    metric : Metric
        Built by :func:`automl.custom_metrics.as_metric`.
    """
    _REGISTERED[metric.name] = metric


def get_metric(name: str) -> Metric:
    """Look a metric up by name or alias.

    Raises
    ------
    ConfigError
        For an unknown name, with the valid names and close matches.
    """
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    try:
        return METRICS[key] if key in METRICS else _REGISTERED[key]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("metric", name, [*METRICS, *ALIASES])) from None


def score(
    name: str,
    y: np.ndarray,
    proba: np.ndarray,
    *,
    pos_index: int = 1,
    threshold: float | None = None,
) -> float:
    """Score encoded labels ``y`` against probabilities with the metric ``name``."""
    metric = get_metric(name)
    labels = (
        predict_labels(proba, pos_index=pos_index, threshold=threshold)
        if metric.needs == "labels"
        else None
    )
    return float(metric.fn(np.asarray(y), np.asarray(proba), labels, pos_index))


def score_all(
    y: np.ndarray,
    proba: np.ndarray,
    *,
    pos_index: int = 1,
    threshold: float | None = None,
    names: tuple[str, ...] = REPORTED,
) -> dict[str, float]:
    """Score with every metric in ``names``; a metric that cannot be computed gives NaN."""
    y, proba = np.asarray(y), np.asarray(proba)
    needs_labels = any(get_metric(n).needs == "labels" for n in names)
    labels = (
        predict_labels(proba, pos_index=pos_index, threshold=threshold) if needs_labels else None
    )
    out: dict[str, float] = {}
    for name in names:
        metric = get_metric(name)
        try:
            out[name] = float(metric.fn(y, proba, labels, pos_index))
        except ValueError:
            out[name] = float("nan")
    return out


def bootstrap_std(
    name: str,
    y: np.ndarray,
    proba: np.ndarray,
    labels: np.ndarray,
    *,
    pos_index: int = 1,
    n_resamples: int = 200,
    random_state: int = 0,
) -> float:
    """Standard deviation of metric ``name`` over bootstrap resamples of the rows.

    How much a score measured on these rows would move on another sample of the
    same size: the sampling noise of a test score. Resamples on which the metric
    cannot be computed (say, without a positive) are skipped.

    Parameters
    ----------
    name : str
        A metric name or alias.
    y : array of shape (n,)
        Encoded labels.
    proba : array of shape (n, k)
        Class probabilities.
    labels : array of shape (n,)
        Predicted encoded labels (for label metrics).
    pos_index : int
        Binary positive class.
    n_resamples : int
        Bootstrap resamples.
    random_state : int
        Seed; the result is deterministic for a given seed.

    Returns
    -------
    float
        NaN when fewer than two resamples could be scored.
    """
    metric = get_metric(name)
    y, proba, labels = np.asarray(y), np.asarray(proba), np.asarray(labels)
    rng = np.random.default_rng(random_state)
    values = []
    for _ in range(n_resamples):
        rows = rng.integers(0, len(y), len(y))
        try:
            value = float(metric.fn(y[rows], proba[rows], labels[rows], pos_index))
        except ValueError:
            continue
        if np.isfinite(value):
            values.append(value)
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


def to_loss(name: str, value: float) -> float:
    """Map a score to a loss the optimizer minimises (lower is better)."""
    return -value if get_metric(name).greater_is_better else value
