"""Figures of where the time went: the search trace, time per step, budget vs actual."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._figure import _COLORS, _figure


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
        ok = t.get("status") == "ok" and value is not None and bool(np.isfinite(value))
        score = float(value) if ok and value is not None else np.nan
        rows.append((t.get("trial"), float(finished), score, ok))
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
        names = sorted(values, key=lambda n: values[n])
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
