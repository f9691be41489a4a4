"""The target of a regression: validated once at fit, and split into shuffled folds."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from sklearn.model_selection import KFold, StratifiedKFold

from .exceptions import ConfigError, DataError
from .folds import AUTO_CV_LARGE, splitter_notes
from .large_data import auto_n_splits

#: Quantile bins of the target that ``cv="stratified"`` balances across folds.
STRATIFY_BINS = 10


def validate_regression_target(y: Any, n_rows: int, *, allow_constant: bool = False) -> np.ndarray:
    """``y`` as a float64 vector, or a :class:`~automl.exceptions.DataError` saying why not.

    Parameters
    ----------
    y : array-like of shape (n_rows,)
        Numbers (pandas nullable and Arrow numbers included), no missing values.
    n_rows : int
        Rows of X.
    allow_constant : bool, default=False
        Accept a constant target (held-out rows to score; never for fit).

    Returns
    -------
    ndarray of float64

    Raises
    ------
    DataError
        For None, a length that differs from X, text or categories, missing or
        infinite values, or a constant target.
    """
    if y is None:
        raise DataError("y is None. Pass the target values, one per row of X.")
    series = y.iloc[:, 0] if isinstance(y, pd.DataFrame) and y.shape[1] == 1 else y
    series = pd.Series(np.asarray(series).ravel() if not isinstance(series, pd.Series) else series)
    if len(series) != n_rows:
        raise DataError(f"X has {n_rows} rows but y has {len(series)} values; they must match.")
    if ptypes.is_bool_dtype(series.dtype) or not (
        ptypes.is_numeric_dtype(series.dtype)
        or (ptypes.is_object_dtype(series.dtype) and _all_numbers(series))
    ):
        examples = ", ".join(repr(v) for v in series.dropna().unique()[:3])
        raise DataError(
            f"y must hold numbers for a regression; it has dtype {series.dtype} (e.g. "
            f"{examples}). Hint: for class labels use AutoMLClassifier."
        )
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        kind = "missing (NaN)" if np.isnan(values[bad]).any() else "infinite"
        raise DataError(
            f"y has {int(bad.sum())} {kind} or non-finite value(s), e.g. at row "
            f"{int(np.flatnonzero(bad)[0])}. Hint: drop those rows; a target cannot be imputed."
        )
    if not allow_constant and np.ptp(values) == 0:
        raise DataError(
            f"y is constant (every value is {float(values[0])!r}): there is nothing to learn. "
            "Hint: check the target column."
        )
    return values


def _all_numbers(series: pd.Series) -> bool:
    kind = ptypes.infer_dtype(series, skipna=True)
    return kind in ("integer", "floating", "mixed-integer-float", "decimal")


def regression_folds(
    cv: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    random_state: int | None,
    time_budget: float | None = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
    """Shuffled K-fold train/validation index pairs for a numeric target.

    Parameters
    ----------
    cv : int, "auto", "stratified" or CV splitter
        ``"auto"``: 5 folds up to :data:`AUTO_CV_LARGE` rows, 3 above; an int: that
        many shuffled folds; ``"stratified"``: 5 folds balanced on
        :data:`STRATIFY_BINS` quantile bins of the target; a splitter is used as given.
    X : DataFrame
        The features (for splitters that read them).
    y : ndarray
        The target.
    random_state : int or None
        Seed of the shuffle.
    time_budget : float or None
        The fit's budget: with ``cv="auto"``, large data under a short budget gets
        fewer folds (:func:`automl.large_data.auto_n_splits`).

    Returns
    -------
    folds : list of (train, test) index arrays
    notes : list of str

    Raises
    ------
    ConfigError
        For fewer than 2 folds, more folds than rows, or a splitter that yields none.
    """
    if not isinstance(cv, str) and hasattr(cv, "split"):
        folds = [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X, y)]
        if not folds:
            raise ConfigError("The CV splitter produced no folds.")
        return folds, splitter_notes(folds, y, classification=False)
    stratified = isinstance(cv, str) and cv == "stratified"
    if isinstance(cv, str) and cv in ("auto", "stratified"):
        n_splits = 5 if len(y) <= AUTO_CV_LARGE or stratified else 3
        if not stratified:
            n_splits = auto_n_splits(n_splits, len(y), X.shape[1], time_budget)
    elif isinstance(cv, Integral) and not isinstance(cv, bool):
        n_splits = int(cv)
    else:
        raise ConfigError(f"cv must be an int, 'auto', 'stratified' or a splitter; got {cv!r}.")
    if n_splits < 2 or n_splits > len(y):
        raise ConfigError(f"cv must give between 2 and {len(y)} folds; got {cv!r}.")
    if stratified:
        edges = np.quantile(y, np.linspace(0, 1, STRATIFY_BINS + 1)[1:-1])
        bins = np.searchsorted(edges, y, side="right")
        splitter: Any = StratifiedKFold(n_splits, shuffle=True, random_state=random_state)
        return [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), bins)], []
    splitter = KFold(n_splits, shuffle=True, random_state=random_state)
    return [(tr, te) for tr, te in splitter.split(np.zeros(len(y)))], []
