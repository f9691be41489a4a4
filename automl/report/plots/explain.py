"""Figures of what ``feature_importance`` stored: importance bars, partial dependence."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ._figure import _COLORS, _figure

#: Columns shown in the importance chart (the most important).
TOP_FEATURES = 20


def importance_bars(table: pd.DataFrame, label: str, *, top: int = TOP_FEATURES) -> Figure:
    """Horizontal bars of the importance of the input columns, with their spread.

    Parameters
    ----------
    table : DataFrame
        Indexed by input column, sorted best first, with ``importance`` and
        ``stddev`` (drawn as error bars).
    label : str
        The x axis label, e.g. ``"drop in roc_auc when shuffled"``.
    top : int
        Columns shown; the rest are named in the title.

    Returns
    -------
    Figure
    """
    shown = table.head(top)
    if shown.empty:
        raise ValueError("No importances to plot.")
    names = [str(c) for c in shown.index][::-1]
    values = shown["importance"].to_numpy(dtype=float)[::-1]
    spread = shown["stddev"].fillna(0.0).to_numpy(dtype=float)[::-1]
    fig = _figure(7, 0.3 * len(names) + 1.4)
    ax = fig.subplots()
    colors = [_COLORS[0] if v > 0 else "#aaaaaa" for v in values]
    ax.barh(names, values, xerr=spread, color=colors, ecolor="#444444", capsize=2)
    ax.axvline(0.0, color="#777777", lw=1)
    ax.set_xlabel(label)
    more = f" (top {len(shown)} of {len(table)})" if len(table) > len(shown) else ""
    ax.set_title(f"Importance of the input columns{more}", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.grid(axis="x", alpha=0.3)
    return fig


def partial_dependence_plot(records: Sequence[Any], prediction: str) -> Figure:
    """One panel per column: the mean prediction as the column is set to each grid value.

    Parameters
    ----------
    records : sequence of PartialDependence
        As stored by ``feature_importance`` (``feature``, ``grid``, ``positions``,
        ``numeric``, ``values`` of shape (n_grid, n_lines), ``lines``).
    prediction : str
        What the y axis shows, e.g. ``"probability of class 'yes'"``.

    Returns
    -------
    Figure
    """
    if not records:
        raise ValueError("No partial dependence to plot.")
    n = len(records)
    cols = min(n, 2)
    rows = int(np.ceil(n / cols))
    fig = _figure(5.2 * cols, 3.4 * rows)
    axes = fig.subplots(rows, cols, squeeze=False, sharey=True).ravel()
    for ax, record in zip(axes, records, strict=False):
        values = np.asarray(record.values, dtype=float)
        x = np.asarray(record.positions, dtype=float)
        style = {"ls": "-", "ms": 3} if record.numeric else {"ls": ":", "ms": 6}  # levels: points
        for j, line in enumerate(record.lines):
            color = _COLORS[j % len(_COLORS)]
            ax.plot(x, values[:, j], marker="o", lw=1.8, color=color, label=line, **style)
        if not record.numeric:
            ax.set_xticks(x, record.grid, rotation=30, ha="right", fontsize=7)
        ax.set_xlabel(str(record.feature))
        ax.set_ylabel(prediction if len(prediction) < 30 else "mean prediction", fontsize=8)
        ax.grid(alpha=0.3)
        if len(record.lines) > 1:
            ax.legend(fontsize=7)
    for ax in axes[n:]:
        ax.set_visible(False)
    fig.suptitle(f"Partial dependence: mean {prediction}", fontsize=10)
    return fig
