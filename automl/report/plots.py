"""Figures for the run and batch reports, drawn from stored results only.

Every function returns a :class:`matplotlib.figure.Figure` built without
``pyplot``, so no matplotlib global (backend, rcParams) changes. Use
:func:`figure_to_png` to encode one. Nothing here fits a model.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch
from sklearn import metrics as skm

__all__ = [
    "budget_adherence_plot",
    "budget_bars",
    "class_balance",
    "confusion_matrix_plot",
    "critical_difference",
    "figure_to_png",
    "pipeline_graph",
    "pr_curves",
    "roc_curves",
    "search_trace",
    "step_times",
]

_COLORS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
_DPI = 100


def figure_to_png(fig: Figure, dpi: int = _DPI) -> bytes:
    """Render ``fig`` to PNG bytes with the Agg canvas (no global backend change)."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def _figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _one_vs_rest(y: np.ndarray, proba: np.ndarray, classes: Sequence[Any], pos_index: int):
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


def search_trace(
    trials: Iterable[Mapping[str, Any]], metric: str, *, greater_is_better: bool = True
) -> Figure:
    """Score of every trial and the best so far, against time and against trial number.

    Parameters
    ----------
    trials : iterable of dict
        The trial log; reads ``trial``, ``status``, ``mean[metric]``, ``finished``
        (or ``started + duration``).
    metric : str
        The optimized metric.
    greater_is_better : bool
        Direction of ``metric``.
    """
    rows = []
    for t in trials:
        finished = t.get("finished")
        if finished is None:
            finished = (t.get("started") or 0.0) + (t.get("duration") or 0.0)
        value = (t.get("mean") or {}).get(metric)
        ok = t.get("status") == "ok" and value is not None and np.isfinite(value)
        rows.append((t.get("trial"), float(finished), float(value) if ok else np.nan, ok))
    frame = pd.DataFrame(rows, columns=["trial", "finished", "score", "ok"]).sort_values("finished")
    best = (frame["score"].cummax() if greater_is_better else frame["score"].cummin()).ffill()
    scores = frame["score"].to_numpy()
    finite = scores[np.isfinite(scores)]
    spread = float(np.ptp(finite)) if len(finite) else 1.0
    floor = (finite.min() if greater_is_better else finite.max()) if len(finite) else 0.0
    floor += (-1 if greater_is_better else 1) * 0.08 * (spread or 1.0)
    fig = _figure(10, 3.8)
    axes = fig.subplots(1, 2, sharey=True)
    panels = ((axes[0], "finished", "seconds since fit start"), (axes[1], "order", "trial"))
    for ax, x, label in panels:
        xs = frame["finished"].to_numpy() if x == "finished" else np.arange(1, len(frame) + 1)
        ok = frame["ok"].to_numpy()
        ax.scatter(xs[ok], frame["score"][ok], s=18, color=_COLORS[0], alpha=0.6, label="trial")
        ax.step(xs, best, where="post", color=_COLORS[3], lw=2, label="best so far")
        if (~ok).any():
            ax.scatter(
                xs[~ok],
                np.full((~ok).sum(), floor),
                marker="x",
                color="#555555",
                label="failed / timeout",
            )
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(metric)
    axes[0].set_title("Search trace over time", fontsize=10)
    axes[1].set_title("Search trace over trials", fontsize=10)
    axes[1].legend(loc="lower right" if greater_is_better else "upper right", fontsize=8)
    return fig


def step_times(search: Mapping[str, float], refit: Mapping[str, float] | None = None) -> Figure:
    """Horizontal bars of seconds per pipeline step: summed over trials, and in the refit."""
    panels = [("search (all trials)", dict(search))]
    if refit:
        panels.append(("final refit", dict(refit)))
    fig = _figure(5 * len(panels), 0.8 + 0.35 * max(len(p[1]) for p in panels) + 0.6)
    axes = np.atleast_1d(fig.subplots(1, len(panels)))
    for ax, (title, values), color in zip(axes, panels, (_COLORS[0], _COLORS[2]), strict=False):
        names = sorted(values, key=values.get)
        ax.barh(names, [values[n] for n in names], color=color)
        for i, n in enumerate(names):
            ax.text(values[n], i, f" {values[n]:.2f}s", va="center", fontsize=8)
        ax.set_xlim(0, max(values.values(), default=1.0) * 1.3 or 1.0)
        ax.set(xlabel="seconds", title=f"Time per step: {title}")
        ax.grid(axis="x", alpha=0.3)
    return fig


def budget_bars(timings: Mapping[str, float | None]) -> Figure:
    """Budget against actual time: search, refit (and its prediction), total."""
    budget = timings.get("budget")
    labels = ["search", "refit", "predicted refit", "total"]
    keys = ["search", "refit", "predicted_refit", "total"]
    values = [float(timings.get(k) or 0.0) for k in keys]
    colors = [_COLORS[0], _COLORS[2], "#bbbbbb", _COLORS[1]]
    if budget is not None and values[3] > budget:
        colors[3] = _COLORS[3]
    fig = _figure(7, 2.8)
    ax = fig.subplots()
    ax.barh(labels[::-1], values[::-1], color=colors[::-1])
    for i, v in enumerate(values[::-1]):
        ax.text(v, i, f" {v:.1f}s", va="center", fontsize=8)
    top = max(values + [budget or 0.0]) * 1.2 or 1.0
    if budget is not None:
        ax.axvline(budget, color="black", ls="--", lw=1.2)
        ax.text(budget, len(labels) - 0.45, f" budget {budget:.0f}s", fontsize=8, va="bottom")
        title = f"Time budget vs actual: total {values[3] / budget:.0%} of budget" if budget else ""
    else:
        title = "Time spent (no time budget)"
    ax.set(xlim=(0, top), ylim=(-0.6, len(labels) - 0.1), xlabel="seconds", title=title)
    ax.grid(axis="x", alpha=0.3)
    return fig


_QUIET_PARAMS = frozenset({"verbose", "n_jobs", "copy", "warm_start", "verbose_feature_names_out"})


def _format_param(key: str, value: Any, width: int = 38) -> str:
    if isinstance(value, float):
        value = f"{value:.4g}"
    text = f"{key}={value}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _shown_params(
    params: Mapping[str, Any] | None, searched: Iterable[str]
) -> list[tuple[str, Any]]:
    """Searched parameters first, then the rest; None values and plumbing left out."""
    tuned = set(searched)
    items = [
        (k, v)
        for k, v in sorted((params or {}).items())
        if k in tuned or (v is not None and k not in _QUIET_PARAMS)
    ]
    return sorted(items, key=lambda kv: kv[0] not in tuned)


def pipeline_graph(
    steps: Sequence[tuple[str, str, Mapping[str, Any]]],
    *,
    threshold: float | None = None,
    n_ensemble: int = 1,
    max_params: int = 4,
    searched: Mapping[str, Iterable[str]] | None = None,
) -> Figure:
    """The winning pipeline as a top-down chain of boxes joined by arrows.

    Parameters
    ----------
    steps : sequence of (step name, estimator class name, params)
        The fitted pipeline's steps, in order.
    threshold : float, optional
        Binary decision threshold, drawn in the output node.
    n_ensemble : int
        Number of pipelines in the final ensemble (noted in the output node).
    max_params : int
        Parameters shown per box; the rest are counted.
    searched : mapping of step name to parameter names, optional
        Parameters the search tuned; shown first in their box. ``None`` values
        and plumbing parameters (``verbose``, ``n_jobs``, ``copy``, …) are
        left out of the boxes.
    """
    searched = searched or {}
    nodes: list[tuple[str, list[str], str]] = [("input", ["X (tabular features)"], "#eeeeee")]
    for name, cls, params in steps:
        items = _shown_params(params, searched.get(name, ()))
        lines = [cls] + [_format_param(k, v) for k, v in items[:max_params]]
        if len(items) > max_params:
            lines.append(f"(+{len(items) - max_params} more)")
        nodes.append((name, lines, "#dbe9f6" if name != steps[-1][0] else "#fde2c8"))
    out = ["class probabilities"]
    if threshold is not None:
        out.append(f"label = positive if p ≥ {threshold:.3f}")
    if n_ensemble > 1:
        out.append(f"(averaged over an ensemble of {n_ensemble} pipelines)")
    nodes.append(("output", out, "#e4f3e0"))
    gap, line_h = 0.7, 0.32
    heights = [0.98 + line_h * (len(lines) - 1) for _, lines, _ in nodes]
    total = sum(heights) + gap * (len(nodes) - 1)
    fig = _figure(5.2, 0.35 + total * 0.62)
    ax = fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, total))
    ax.axis("off")
    top = total
    for i, ((name, lines, color), h) in enumerate(zip(nodes, heights, strict=True)):
        box = FancyBboxPatch(
            (0.08, top - h),
            0.84,
            h,
            boxstyle="round,pad=0.0,rounding_size=0.08",
            facecolor=color,
            edgecolor="#333333",
            lw=1.2,
        )
        ax.add_patch(box)
        ax.text(0.5, top - 0.3, name, ha="center", va="center", fontsize=10, fontweight="bold")
        for j, line in enumerate(lines):
            ax.text(
                0.5,
                top - 0.66 - j * line_h,
                line,
                ha="center",
                va="center",
                fontsize=8,
                family="monospace" if j or i in (0, len(nodes) - 1) else None,
            )
        if i < len(nodes) - 1:
            ax.annotate(
                "",
                xy=(0.5, top - h - gap + 0.02),
                xytext=(0.5, top - h - 0.02),
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.4},
            )
        top -= h + gap
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


def _cliques(values: np.ndarray, cd: float) -> list[tuple[int, int]]:
    """Maximal runs ``(i, j)`` of sorted ranks whose spread is below ``cd``."""
    spans: list[tuple[int, int]] = []
    for i in range(len(values)):
        j = max(j for j in range(i, len(values)) if values[j] - values[i] < cd)
        if j > i and not any(a <= i and j <= b for a, b in spans):
            spans.append((i, j))
    return spans


def critical_difference(ranks: pd.Series, cd: float | None, *, title: str = "") -> Figure:
    """Demšar-style critical-difference diagram of mean ranks (1 = best).

    Systems whose mean ranks differ by less than ``cd`` (Nemenyi) are joined by a
    thick bar: the data cannot tell them apart. ``cd=None`` draws the ranks only.
    """
    ranks = ranks.sort_values()
    values, k = ranks.to_numpy(float), len(ranks)
    n_left = (k + 1) // 2
    spans = _cliques(values, cd) if cd is not None and np.isfinite(cd) else []
    base = -0.45 - 0.16 * len(spans)
    bottom = base - 0.34 * n_left
    fig = _figure(8, 0.9 + 0.55 * (1.6 - bottom))
    ax = fig.subplots()
    lo, hi = 1, max(k, 2)
    ax.set(xlim=(lo - 2.6, hi + 2.6), ylim=(bottom - 0.2, 1.5))
    ax.axis("off")
    ax.hlines(0, lo, hi, color="black", lw=1)
    for r in range(lo, hi + 1):
        ax.vlines(r, 0, 0.12, color="black", lw=1)
        ax.text(r, 0.2, str(r), ha="center", va="bottom", fontsize=8)
    if cd is not None and np.isfinite(cd):
        ax.hlines(1.05, lo, lo + cd, color=_COLORS[3], lw=2)
        ax.vlines([lo, lo + cd], 0.98, 1.12, color=_COLORS[3], lw=1)
        ax.text(lo + cd / 2, 1.15, f"CD = {cd:.2f}", ha="center", va="bottom", fontsize=8)
    for depth, (i, j) in enumerate(spans):
        y = -0.3 - 0.16 * depth
        ax.hlines(y, values[i] - 0.04, values[j] + 0.04, color="#333333", lw=3.5)
    for i, (name, r) in enumerate(ranks.items()):
        left = i < n_left
        y = base - 0.34 * (i if left else k - 1 - i)
        edge = lo - 0.3 if left else hi + 0.3
        color = _COLORS[i % 10]
        ax.plot([r, r, edge], [0, y, y], color=color, lw=1.2)
        ax.text(
            edge - 0.05 if left else edge + 0.05,
            y,
            f"{name} ({r:.2f})",
            va="center",
            ha="right" if left else "left",
            fontsize=9,
            color=color,
        )
    ax.set_title(title or "Mean rank (lower is better)", fontsize=10)
    return fig


def budget_adherence_plot(df: pd.DataFrame) -> Figure:
    """Distribution of ``budget_ratio`` (wall time / budget) per system; 1.0 is the budget."""
    data = df.dropna(subset=["budget_ratio"])
    systems = sorted(data["system"].unique())
    fig = _figure(max(4.5, 1.3 * len(systems) + 1.5), 3.4)
    ax = fig.subplots()
    rng = np.random.default_rng(0)
    values = [data.loc[data["system"] == s, "budget_ratio"].to_numpy(float) for s in systems]
    if systems:
        ax.boxplot(values, tick_labels=systems, widths=0.5, showfliers=False)
    for i, v in enumerate(values):
        over = v > 1.0
        x = i + 1 + rng.uniform(-0.12, 0.12, len(v))
        ax.scatter(x[~over], v[~over], s=12, color=_COLORS[0], alpha=0.6, zorder=3)
        ax.scatter(x[over], v[over], s=16, color=_COLORS[3], alpha=0.8, zorder=3)
    ax.axhline(1.0, color="black", ls="--", lw=1, label="budget")
    ax.set(ylabel="wall time / budget", title="Budget adherence per system")
    ax.set_ylim(0, max([1.2] + [float(v.max()) * 1.1 for v in values if len(v)]))
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig
