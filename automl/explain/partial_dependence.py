"""Partial dependence of the final model on one input column, by brute force.

For each grid value, the column is set to that value on every sampled row and the
final model's predictions are averaged (Friedman, 2001). The grid holds values the
column really takes (quantiles of a numeric or date column, the most frequent
levels of any other), and each is copied from a row of the column itself, so its
dtype (category, boolean, date-time, text) is never converted. All grid copies are
predicted in one call.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..schema import Schema
from .record import PartialDependence

#: Rows sampled from the data given to ``feature_importance``.
PD_ROWS = 500
#: Grid points of a numeric or date column (quantiles 5 % to 95 %).
GRID_POINTS = 20
#: Levels shown for a categorical, boolean or text column (the most frequent).
MAX_LEVELS = 12
#: Multiclass: lines drawn, for the classes of highest mean predicted probability.
MAX_CLASS_LINES = 6


def _grid_rows(column: pd.Series, ordered: bool) -> list[int]:
    """Positions in ``column`` whose values make the grid (distinct, in plotting order)."""
    present = np.flatnonzero(~pd.isna(column).to_numpy())
    if not len(present):
        return []
    values = column.iloc[present]
    if ordered:
        order = present[np.argsort(values.to_numpy(), kind="stable")]
        steps = np.linspace(0.05, 0.95, GRID_POINTS) if len(order) > 1 else np.zeros(1)
        picks = order[np.unique(np.round(steps * (len(order) - 1)).astype(int))]
    else:
        text = values.astype(str).to_numpy()
        levels = pd.Series(text).value_counts().head(MAX_LEVELS).index
        picks = np.array([present[np.flatnonzero(text == level)[0]] for level in levels])
    seen: set[str] = set()
    rows = []
    for position in picks:
        key = str(column.iloc[int(position)])
        if key not in seen:
            seen.add(key)
            rows.append(int(position))
    return rows


def _text(value: Any) -> str:
    """A grid value as a label: numbers to 4 significant digits, the rest as written."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.4g}"
    if isinstance(value, pd.Timestamp) and value == value.normalize():
        return str(value.date())  # a day, without its midnight
    return str(value)


def _lines(
    proba: np.ndarray, classes: np.ndarray | None, pos_index: int
) -> tuple[list[int], list[str]]:
    """Columns of the prediction matrix drawn as lines, and their names."""
    if classes is None:
        return [0], ["prediction"]
    if len(classes) == 2:
        return [pos_index], [f"P({classes[pos_index]})"]
    top = np.argsort(-proba.mean(axis=0), kind="stable")[:MAX_CLASS_LINES]
    top = np.sort(top)
    return [int(k) for k in top], [f"P({classes[k]})" for k in top]


def partial_dependence(
    model: Any,
    X: pd.DataFrame,
    features: list[str],
    schema: Schema,
    *,
    classes: np.ndarray | None,
    pos_index: int = 1,
    random_state: int | None = None,
) -> tuple[PartialDependence, ...]:
    """The partial dependence of ``model`` on each of ``features``.

    Parameters
    ----------
    model : EnsembleModel
        The final model (``predict_matrix`` on validated rows).
    X : DataFrame
        Validated rows; at most :data:`PD_ROWS` of them are used (a seeded sample).
    features : list of str
        Input columns, in the order to show them.
    schema : Schema
        The fit schema: which columns are numeric (a line over their values).
    classes : ndarray or None
        Class labels of a classifier; None for a regressor. Binary: the positive
        class's probability; multiclass: one line per class, for the
        :data:`MAX_CLASS_LINES` classes of highest mean predicted probability.
    pos_index : int, default=1
        The positive class of a binary classifier.
    random_state : int or None, default=None
        Seed of the row sample.

    Returns
    -------
    tuple of PartialDependence
        One per feature that has at least one non-missing value.
    """
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.permutation(len(X))[:PD_ROWS])
    sample = X.iloc[rows].reset_index(drop=True)
    n = len(sample)
    base = model.predict_matrix(sample)
    columns, names = _lines(base, classes, pos_index)
    numeric = set(schema.numeric)
    ordered = numeric | set(schema.datetime)
    out = []
    for feature in features:
        column = sample[feature]
        grid = _grid_rows(column, feature in ordered)
        if not grid:
            continue
        blocks = []
        for position in grid:
            block = sample.copy()
            block[feature] = column.iloc[np.full(n, position)].set_axis(sample.index)
            blocks.append(block)
        predicted = model.predict_matrix(pd.concat(blocks, ignore_index=True))
        means = predicted[:, columns].reshape(len(grid), n, len(columns)).mean(axis=1)
        is_numeric = feature in numeric
        values = column.iloc[grid]
        x = values.to_numpy(dtype=float) if is_numeric else np.arange(len(grid), dtype=float)
        out.append(
            PartialDependence(
                feature=feature,
                grid=[_text(v) for v in values],
                positions=x,
                numeric=is_numeric,
                values=means,
                lines=list(names),
            )
        )
    return tuple(out)
