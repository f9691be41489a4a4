"""Figures of benchmark results: critical-difference diagram, budget adherence."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._figure import _COLORS, _figure


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
