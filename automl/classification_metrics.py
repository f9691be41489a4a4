"""Classification metrics: pure functions of encoded labels and class probabilities.

Each takes ``(y, proba, labels, pos_index, w=None)``: ``y`` encoded ``0..k-1``,
``proba`` of shape ``(n, k)``, ``labels`` the thresholded predictions (for label
metrics), ``pos_index`` the binary positive class and ``w`` optional row weights
(None: every row weighs 1). The table of :mod:`automl.metrics` holds them by name;
``curve`` functions give a binary metric from (weighted) confusion counts, for the
threshold search.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.stats import rankdata
from sklearn import metrics as skm


def _is_binary(proba: np.ndarray) -> bool:
    return proba.shape[1] == 2


def binary_roc_auc(positive: np.ndarray, scores: np.ndarray, w: Any = None) -> float:
    """ROC AUC of ``scores`` for the boolean labels ``positive``, ties counted half.

    Unweighted, the Mann-Whitney form over average ranks: the same value as
    :func:`sklearn.metrics.roc_auc_score`, without its input validation, which costs
    far more than the arithmetic when ensemble selection scores hundreds of blends.
    With row weights ``w``, scikit-learn's weighted ROC AUC.

    Raises
    ------
    ValueError
        When ``positive`` holds only one class (the AUC is undefined).
    """
    positive = np.asarray(positive, dtype=bool)
    if w is not None:
        w = np.asarray(w, dtype=float)
        if not (w[positive].sum() > 0 and w[~positive].sum() > 0):
            raise ValueError("Only one class has weight in y_true; ROC AUC is not defined.")
        return float(skm.roc_auc_score(positive, scores, sample_weight=w))
    n_pos = int(positive.sum())
    n_neg = positive.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("Only one class present in y_true; ROC AUC is not defined.")
    ranks = rankdata(scores)
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _macro_ovr_auc(y: np.ndarray, proba: np.ndarray, w: Any = None) -> float:
    return float(np.mean([binary_roc_auc(y == k, proba[:, k], w) for k in range(proba.shape[1])]))


def roc_auc(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """ROC AUC: binary for the positive class, else macro one-vs-rest over present classes."""
    y = np.asarray(y)
    if _is_binary(proba):
        return binary_roc_auc(y == pos, proba[:, pos], w)
    present = np.unique(y)
    if len(present) < proba.shape[1]:  # a class absent from this fold: score the present ones
        p = proba[:, present] / np.clip(proba[:, present].sum(axis=1, keepdims=True), 1e-12, None)
        if len(present) == 2:
            return binary_roc_auc(y == present[1], p[:, 1], w)
        return _macro_ovr_auc(np.searchsorted(present, y), p, w)
    return _macro_ovr_auc(y, proba, w)


def average_precision(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Average precision: binary for the positive class, else macro over present classes."""
    if _is_binary(proba):
        return float(skm.average_precision_score(y == pos, proba[:, pos], sample_weight=w))
    onehot = np.eye(proba.shape[1])[y]
    present = onehot.sum(axis=0) > 0
    return float(
        skm.average_precision_score(
            onehot[:, present], proba[:, present], average="macro", sample_weight=w
        )
    )


def log_loss(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Mean (weighted) negative log-likelihood of the true class, on clipped rows."""
    # sklearn.metrics.log_loss with labels=range(k) on clipped, renormalised rows; written
    # out because ensemble selection calls it hundreds of times and validation dominates
    p = np.clip(np.asarray(proba, dtype=float), 1e-15, 1.0)
    y = np.asarray(y, dtype=int)
    picked = p[np.arange(len(y)), y] / p.sum(axis=1)
    return float(-weighted_mean(np.log(picked), w))


def weighted_mean(values: np.ndarray, w: Any = None) -> float:
    """The mean of ``values``, weighted by ``w`` when given.

    Raises
    ------
    ValueError
        When the weights sum to zero (nothing to average).
    """
    if w is None:
        return float(np.mean(values))
    w = np.asarray(w, dtype=float)
    total = float(w.sum())
    if total <= 0:
        raise ValueError("The rows scored carry no weight; the metric is not defined.")
    return float(np.dot(values, w) / total)


def f1(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """F1 of the positive class (binary) or macro F1."""
    if _is_binary(proba):
        return float(skm.f1_score(y, labels, pos_label=pos, zero_division=0.0, sample_weight=w))
    return float(
        skm.f1_score(
            y,
            labels,
            average="macro",
            labels=np.arange(proba.shape[1]),
            zero_division=0.0,
            sample_weight=w,
        )
    )


def precision(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Precision of the positive class (binary) or macro precision."""
    if _is_binary(proba):
        return float(
            skm.precision_score(y, labels, pos_label=pos, zero_division=0.0, sample_weight=w)
        )
    return float(
        skm.precision_score(y, labels, average="macro", zero_division=0.0, sample_weight=w)
    )


def recall(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Recall of the positive class (binary) or macro recall."""
    if _is_binary(proba):
        return float(skm.recall_score(y, labels, pos_label=pos, zero_division=0.0, sample_weight=w))
    return float(skm.recall_score(y, labels, average="macro", zero_division=0.0, sample_weight=w))


def balanced_accuracy(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Mean recall over classes."""
    return float(skm.balanced_accuracy_score(y, labels, sample_weight=w))


def accuracy(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Share (of weight) of rows predicted right."""
    return float(skm.accuracy_score(y, labels, sample_weight=w))


def mcc(y: Any, proba: Any, labels: Any, pos: int, w: Any = None) -> float:
    """Matthews correlation coefficient."""
    return float(skm.matthews_corrcoef(y, labels, sample_weight=w))


def f1_curve(tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
    """F1 from arrays of confusion counts."""
    return np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=(2 * tp + fp + fn) > 0)


def balanced_accuracy_curve(tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
    """Balanced accuracy from arrays of confusion counts (weighted counts may be below 1)."""
    pos, neg = tp + fn, tn + fp
    recall_pos = np.divide(tp, pos, out=np.zeros_like(tp), where=pos > 0)
    recall_neg = np.divide(tn, neg, out=np.zeros_like(tn), where=neg > 0)
    return (recall_pos + recall_neg) / 2


def accuracy_curve(tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
    """Accuracy from arrays of confusion counts."""
    total = tp + fp + fn + tn
    return np.divide(tp + tn, total, out=np.zeros_like(tp), where=total > 0)


def mcc_curve(tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
    """MCC from arrays of confusion counts."""
    denominator = (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
    return np.divide(
        tp * tn - fp * fn, np.sqrt(denominator), out=np.zeros_like(tp), where=denominator > 0
    )
