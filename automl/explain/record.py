"""What ``feature_importance`` stores on the estimator, for the report to show unchanged.

The records are plain data (frames, arrays, strings): they pickle with a saved
model, and the report reads them without refitting or predicting anything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PartialDependence:
    """The average prediction of the final model as one input column is set to each grid value.

    Attributes
    ----------
    feature : str
        The input column.
    grid : list of str
        The values the column was set to, as text, in plotting order.
    positions : ndarray of shape (n_grid,)
        Where each grid value sits on the x axis: the number itself for a numeric
        column, else ``0, 1, 2, ...``.
    numeric : bool
        Whether the x axis is numeric (a numeric column; dates and levels are spaced evenly).
    values : ndarray of shape (n_grid, n_lines)
        Mean prediction at each grid value, one column per line.
    lines : list of str
        What each column of ``values`` is: a class's probability, or the prediction.
    """

    feature: str
    grid: list[str]
    positions: np.ndarray
    numeric: bool
    values: np.ndarray
    lines: list[str]


@dataclass(frozen=True)
class Explanation:
    """One call of ``feature_importance``: the importances and the partial dependence.

    Attributes
    ----------
    importance : DataFrame
        Indexed by input column, sorted by falling importance; the columns are
        described in ``AutoMLBase.feature_importance``.
    method : {"permutation", "shap"}
        How the importances were measured.
    metric : str
        The metric whose drop is the importance (permutation); empty for SHAP.
    baseline : float
        The metric on the rows as given (permutation); NaN for SHAP.
    n_rows : int
        Rows the importances were measured on.
    n_repeats : int
        Shuffles per column (permutation); 1 for SHAP.
    partial_dependence : tuple of PartialDependence
        For the most important columns, on (a sample of) the same rows.
    prediction : str
        What the partial-dependence lines show, e.g. ``"probability of 'yes'"``.
    """

    importance: pd.DataFrame
    method: str
    metric: str
    baseline: float
    n_rows: int
    n_repeats: int
    partial_dependence: tuple[PartialDependence, ...]
    prediction: str
