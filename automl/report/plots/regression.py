"""Figures of out-of-fold regression predictions: predicted vs actual, residuals, deciles."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ._figure import _COLORS, _figure

#: Most points drawn in a scatter plot; larger runs show a fixed random sample.
MAX_POINTS = 5000


def _values(y: Any, pred: Any) -> tuple[np.ndarray, np.ndarray]:
    """True values and predictions as flat float arrays of one length."""
    t = np.asarray(y, dtype=float).ravel()
    p = np.asarray(pred, dtype=float).reshape(len(t), -1)[:, 0]
    if not len(t):
        raise ValueError("No predictions to plot.")
    return t, p


def _sample(n: int) -> np.ndarray:
    """Row indices to draw: all of them, or a seeded sample of ``MAX_POINTS``."""
    if n <= MAX_POINTS:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False))


def _scatter(ax: Axes, x: np.ndarray, y: np.ndarray) -> str:
    """Scatter ``(x, y)`` (sampled when large); returns a note on how many points show."""
    rows = _sample(len(x))
    alpha = float(np.clip(40.0 / np.sqrt(len(rows)), 0.15, 0.8))
    ax.scatter(x[rows], y[rows], s=10, color=_COLORS[0], alpha=alpha, lw=0)
    return "" if len(rows) == len(x) else f" ({len(rows)} of {len(x)} rows shown)"


def predicted_vs_actual(y: Any, pred: Any) -> Figure:
    """Out-of-fold predictions against the true values, with the diagonal of a perfect model.

    Parameters
    ----------
    y : array of shape (n,)
        The true target.
    pred : array of shape (n,) or (n, 1)
        Out-of-fold predicted values.

    Returns
    -------
    Figure
    """
    t, p = _values(y, pred)
    fig = _figure(5.2, 4.6)
    ax = fig.subplots()
    shown = _scatter(ax, t, p)
    lo, hi = float(min(t.min(), p.min())), float(max(t.max(), p.max()))
    pad = 0.03 * (hi - lo or 1.0)
    ax.plot(
        [lo - pad, hi + pad],
        [lo - pad, hi + pad],
        ls="--",
        color="#999999",
        lw=1.2,
        label="predicted = actual",
    )
    rmse = float(np.sqrt(np.mean((t - p) ** 2)))
    ss = float(np.sum((t - t.mean()) ** 2))
    r2 = f", R² {1 - float(np.sum((t - p) ** 2)) / ss:.3f}" if ss > 0 else ""
    ax.set(
        xlim=(lo - pad, hi + pad),
        ylim=(lo - pad, hi + pad),
        xlabel="actual",
        ylabel="predicted (out of fold)",
    )
    ax.set_title(f"Predicted vs actual: RMSE {rmse:.4g}{r2}{shown}", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(alpha=0.3)
    return fig


def residuals_plot(y: Any, pred: Any, *, bins: int = 20) -> Figure:
    """Residuals (actual − predicted) against the prediction, with their mean per bin.

    A flat mean line at zero is an unbiased model; a slope or curve shows where
    it over- (below zero) or under-predicts (above zero); a widening band shows
    errors growing with the prediction.

    Parameters
    ----------
    y : array of shape (n,)
        The true target.
    pred : array of shape (n,) or (n, 1)
        Out-of-fold predicted values.
    bins : int
        Most quantile bins of the prediction over which the mean residual is
        drawn (fewer for small data: about 25 rows per bin).

    Returns
    -------
    Figure
    """
    t, p = _values(y, pred)
    residual = t - p
    fig = _figure(6.2, 4.2)
    ax = fig.subplots()
    shown = _scatter(ax, p, residual)
    ax.axhline(0.0, color="#999999", ls="--", lw=1.2)
    bins = min(bins, max(len(p) // 25, 2))  # about 25 rows or more per bin
    edges = np.unique(np.quantile(p, np.linspace(0, 1, bins + 1)))
    if len(edges) > 2:
        which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, len(edges) - 2)
        centers, means = [], []
        for b in range(len(edges) - 1):
            inside = which == b
            if inside.any():
                centers.append(float(p[inside].mean()))
                means.append(float(residual[inside].mean()))
        ax.plot(
            centers, means, color=_COLORS[3], lw=2, marker="o", ms=3, label="mean residual per bin"
        )
        ax.legend(loc="upper right", fontsize=8)
    ax.set(xlabel="predicted (out of fold)", ylabel="residual (actual − predicted)")
    ax.set_title(f"Residuals vs predicted{shown}", fontsize=10)
    ax.grid(alpha=0.3)
    return fig


def error_by_decile(y: Any, pred: Any) -> Figure:
    """Mean absolute error of the out-of-fold predictions per decile of the true target.

    Rows are ranked by their true value and cut into ten groups of (nearly)
    equal size, so ties never leave a decile empty; each bar is labelled with
    the range of the target it covers.

    Parameters
    ----------
    y : array of shape (n,)
        The true target.
    pred : array of shape (n,) or (n, 1)
        Out-of-fold predicted values.

    Returns
    -------
    Figure
    """
    t, p = _values(y, pred)
    order = np.argsort(t, kind="stable")
    groups = [g for g in np.array_split(order, min(10, len(t))) if len(g)]
    error = np.abs(t - p)
    maes = [float(error[g].mean()) for g in groups]
    labels = [f"D{i}\n{t[g].min():.3g}–{t[g].max():.3g}" for i, g in enumerate(groups, 1)]
    fig = _figure(8, 3.6)
    ax = fig.subplots()
    ax.bar(range(len(groups)), maes, color=_COLORS[0])
    for i, value in enumerate(maes):
        ax.text(i, value, f"{value:.3g}", ha="center", va="bottom", fontsize=8)
    overall = float(error.mean())
    ax.axhline(overall, color=_COLORS[3], ls="--", lw=1.2, label=f"overall MAE {overall:.3g}")
    ax.set_xticks(range(len(groups)), labels, fontsize=7)
    ax.set_ylim(0, max(maes + [overall]) * 1.25 or 1.0)
    ax.set(xlabel="decile of the true target (range)", ylabel="mean absolute error")
    ax.set_title("Error by target decile (out of fold)", fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    return fig
