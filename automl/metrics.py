"""Metrics by name: pure functions of encoded labels and class probabilities.

All functions take ``y`` encoded as ``0..k-1`` and ``proba`` of shape ``(n, k)``.
Binary threshold metrics treat column ``pos_index`` as the positive class and
predict it when its probability reaches ``threshold`` (argmax when ``None``).
Multiclass threshold metrics are macro-averaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Literal

import numpy as np
from sklearn import metrics as skm

from .exceptions import ConfigError, unknown_name_message


@dataclass(frozen=True)
class Metric:
    """A named metric.

    Attributes
    ----------
    name : str
    greater_is_better : bool
    needs : {"proba", "labels"}
        Whether the metric reads probabilities or thresholded labels.
    fn : callable
        ``fn(y, proba, labels, pos_index)`` returning a float.
    """

    name: str
    greater_is_better: bool
    needs: Literal["proba", "labels"]
    fn: Callable[[np.ndarray, np.ndarray, np.ndarray, int], float]


def predict_labels(proba: np.ndarray, *, pos_index: int = 1, threshold: float | None = None) -> np.ndarray:
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


def _roc_auc(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.roc_auc_score(y == pos, proba[:, pos])
    present = np.unique(y)
    if len(present) < proba.shape[1]:  # a class absent from this fold: score the present ones
        p = proba[:, present] / np.clip(proba[:, present].sum(axis=1, keepdims=True), 1e-12, None)
        if len(present) == 2:
            return skm.roc_auc_score(y == present[1], p[:, 1])
        return skm.roc_auc_score(np.searchsorted(present, y), p, multi_class="ovr", average="macro")
    return skm.roc_auc_score(y, proba, multi_class="ovr", average="macro")


def _average_precision(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.average_precision_score(y == pos, proba[:, pos])
    onehot = np.eye(proba.shape[1])[y]
    present = onehot.sum(axis=0) > 0
    return skm.average_precision_score(onehot[:, present], proba[:, present], average="macro")


def _log_loss(y, proba, labels, pos):
    return skm.log_loss(y, np.clip(proba, 1e-15, 1.0), labels=np.arange(proba.shape[1]))


def _f1(y, proba, labels, pos):
    if _is_binary(proba):
        return skm.f1_score(y, labels, pos_label=pos, zero_division=0.0)
    return skm.f1_score(y, labels, average="macro", labels=np.arange(proba.shape[1]), zero_division=0.0)


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


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("roc_auc", True, "proba", _roc_auc),
        Metric("average_precision", True, "proba", _average_precision),
        Metric("log_loss", False, "proba", _log_loss),
        Metric("f1", True, "labels", _f1),
        Metric("balanced_accuracy", True, "labels", _balanced_accuracy),
        Metric("accuracy", True, "labels", _accuracy),
        Metric("mcc", True, "labels", _mcc),
        Metric("precision", True, "labels", _precision),
        Metric("recall", True, "labels", _recall),
    )
}
ALIASES = {"pr_auc": "average_precision", "auc": "roc_auc", "f1_macro": "f1"}

#: Metrics the search may optimise (precision and recall alone are degenerate targets).
OPTIMIZABLE = ("roc_auc", "average_precision", "pr_auc", "log_loss", "f1", "balanced_accuracy",
               "accuracy", "mcc")
#: Metrics every trial and benchmark cell reports.
REPORTED = ("roc_auc", "average_precision", "log_loss", "f1", "balanced_accuracy", "accuracy",
            "mcc", "precision", "recall")


def get_metric(name: str) -> Metric:
    """Look a metric up by name or alias.

    Raises
    ------
    ConfigError
        For an unknown name, with the valid names and close matches.
    """
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    try:
        return METRICS[key]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("metric", name, [*METRICS, *ALIASES])) from None


def score(name: str, y: np.ndarray, proba: np.ndarray, *, pos_index: int = 1,
          threshold: float | None = None) -> float:
    """Score encoded labels ``y`` against probabilities with the metric ``name``."""
    metric = get_metric(name)
    labels = predict_labels(proba, pos_index=pos_index, threshold=threshold)
    return float(metric.fn(np.asarray(y), np.asarray(proba), labels, pos_index))


def score_all(y: np.ndarray, proba: np.ndarray, *, pos_index: int = 1,
              threshold: float | None = None, names: tuple[str, ...] = REPORTED) -> dict[str, float]:
    """Score with every metric in ``names``; a metric that cannot be computed gives NaN."""
    y, proba = np.asarray(y), np.asarray(proba)
    labels = predict_labels(proba, pos_index=pos_index, threshold=threshold)
    out: dict[str, float] = {}
    for name in names:
        metric = get_metric(name)
        try:
            out[name] = float(metric.fn(y, proba, labels, pos_index))
        except ValueError:
            out[name] = float("nan")
    return out


def to_loss(name: str, value: float) -> float:
    """Map a score to a loss the optimizer minimises (lower is better)."""
    return -value if get_metric(name).greater_is_better else value


def tune_threshold(y: np.ndarray, pos_proba: np.ndarray, metric: str, *, pos_index: int = 1) -> float:
    """The binary decision threshold that maximises ``metric`` on the given predictions.

    Call it only with out-of-fold predictions: thresholds picked on training
    predictions are optimistic.

    Parameters
    ----------
    y : array of shape (n,)
        Encoded labels (0/1).
    pos_proba : array of shape (n,)
        Probability of the positive class.
    metric : str
        A label metric (``f1``, ``balanced_accuracy``, ``mcc``, ``accuracy``).
    pos_index : int
        Encoded label of the positive class.

    Returns
    -------
    float
        The threshold; midpoints between distinct scores, so it generalises.
    """
    m = get_metric(metric)
    pos_proba = np.asarray(pos_proba, dtype=float)
    candidates = np.unique(np.quantile(pos_proba, np.linspace(0.0, 1.0, 201)))
    if len(candidates) < 2:
        return 0.5
    mids = (candidates[:-1] + candidates[1:]) / 2
    y = np.asarray(y)
    neg_index = 1 - pos_index
    proba2 = np.zeros((len(y), 2))
    proba2[:, pos_index] = pos_proba
    proba2[:, neg_index] = 1 - pos_proba
    best_t, best_v = 0.5, -np.inf
    for t in mids:
        labels = np.where(pos_proba >= t, pos_index, neg_index)
        v = m.fn(y, proba2, labels, pos_index)
        v = v if m.greater_is_better else -v
        if v > best_v + 1e-12:
            best_t, best_v = float(t), v
    return best_t
