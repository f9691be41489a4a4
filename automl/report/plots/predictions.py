"""Figures of out-of-fold predictions: ROC and PR curves, confusion matrix, class balance."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from sklearn import metrics as skm

from ._figure import _COLORS, _figure


def _one_vs_rest(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[Any], pos_index: int
) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """Yield (label, is_class, score) for the positive class (binary) or each class."""
    y = np.asarray(y)
    indices = [pos_index] if proba.shape[1] == 2 else range(proba.shape[1])
    for i in indices:
        truth = y == i
        if truth.all() or not truth.any():  # a curve needs both outcomes
            continue
        yield str(classes[i]), truth, proba[:, i]


def roc_curves(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[Any], *, pos_index: int = 1
) -> Figure:
    """ROC curve of the positive class (binary) or one-vs-rest per class (multiclass).

    Parameters
    ----------
    y : array of shape (n,)
        Encoded labels ``0..k-1``.
    proba : array of shape (n, k)
        Out-of-fold class probabilities.
    classes : sequence
        Original class labels, indexed by encoded label.
    pos_index : int
        Encoded positive class (binary only).
    """
    fig = _figure(5.2, 4.2)
    ax = fig.subplots()
    curves = _one_vs_rest(y, np.asarray(proba), classes, pos_index)
    for j, (label, truth, score) in enumerate(curves):
        fpr, tpr, _ = skm.roc_curve(truth, score)
        auc = skm.auc(fpr, tpr)
        ax.plot(fpr, tpr, color=_COLORS[j % 10], lw=1.8, label=f"{label} (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], ls="--", color="#999999", lw=1, label="chance")
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1.01),
        xlabel="false positive rate",
        ylabel="true positive rate",
        title="ROC curve" + ("s (one-vs-rest)" if np.shape(proba)[1] > 2 else ""),
    )
    ax.legend(loc="lower right", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def pr_curves(
    y: np.ndarray, proba: np.ndarray, classes: Sequence[Any], *, pos_index: int = 1
) -> Figure:
    """Precision-recall curve(s), same conventions as :func:`roc_curves`.

    The dotted horizontal line of each class is its prevalence (a random ranker).
    """
    fig = _figure(5.2, 4.2)
    ax = fig.subplots()
    curves = _one_vs_rest(y, np.asarray(proba), classes, pos_index)
    for j, (label, truth, score) in enumerate(curves):
        precision, recall, _ = skm.precision_recall_curve(truth, score)
        ap = skm.average_precision_score(truth, score)
        color = _COLORS[j % 10]
        ax.step(
            recall, precision, where="post", color=color, lw=1.8, label=f"{label} (AP {ap:.3f})"
        )
        ax.axhline(truth.mean(), color=color, ls=":", lw=1)
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1.01),
        xlabel="recall",
        ylabel="precision",
        title="Precision-recall curve" + ("s (one-vs-rest)" if np.shape(proba)[1] > 2 else ""),
    )
    ax.legend(loc="lower left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def confusion_matrix_plot(
    y: np.ndarray, predicted: np.ndarray, classes: Sequence[Any], *, threshold: float | None = None
) -> Figure:
    """Confusion matrix of encoded labels; cells show counts, colour shows the row share."""
    k = len(classes)
    cm = skm.confusion_matrix(y, predicted, labels=np.arange(k))
    share = cm / np.clip(cm.sum(axis=1, keepdims=True), 1, None)
    size = min(3.2 + 0.45 * k, 9.0)
    fig = _figure(size + 1.0, size)
    ax = fig.subplots()
    image = ax.imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(k):
        for j in range(k):
            ax.text(
                j,
                i,
                f"{cm[i, j]}\n{share[i, j]:.0%}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if share[i, j] > 0.6 else "black",
            )
    names = [str(c) for c in classes]
    ax.set_xticks(range(k), names, rotation=45 if k > 4 else 0, ha="right" if k > 4 else "center")
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted", ylabel="true")
    rule = f"threshold {threshold:.3f}" if threshold is not None else "most probable class"
    ax.set_title(f"Confusion matrix ({rule})", fontsize=10)
    fig.colorbar(image, ax=ax, shrink=0.8, label="share of true class")
    return fig


def class_balance(balance: Sequence[Mapping[str, Any]]) -> Figure:
    """Bar chart of class counts, annotated with shares (``[{label, count, share}]``)."""
    labels = [str(b["label"]) for b in balance]
    counts = [b["count"] for b in balance]
    fig = _figure(min(2.5 + 0.6 * len(labels), 9), 3.0)
    ax = fig.subplots()
    ax.bar(labels, counts, color=[_COLORS[i % 10] for i in range(len(labels))])
    for i, b in enumerate(balance):
        ax.text(
            i, b["count"], f"{b['count']}\n{b['share']:.1%}", ha="center", va="bottom", fontsize=8
        )
    ax.set_ylim(0, max(counts, default=1) * 1.3)
    ax.set(ylabel="rows", title="Class balance")
    ax.grid(axis="y", alpha=0.3)
    return fig
