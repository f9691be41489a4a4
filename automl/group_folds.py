"""Folds that keep groups together: rows of one customer, patient or session never straddle
a training and a validation part, so the CV score is not inflated by near-duplicates.
"""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import GroupKFold, StratifiedGroupKFold

from .exceptions import ConfigError, DataError
from .folds import AUTO_CV_LARGE, splitter_notes

Folds = list[tuple[np.ndarray, np.ndarray]]


def validate_groups(groups: Any, n_rows: int) -> np.ndarray:
    """``groups`` as a 1-D array, or a :class:`~automl.exceptions.DataError` saying why not.

    Parameters
    ----------
    groups : array-like of shape (n_rows,)
        A group label per row (any hashable type).
    n_rows : int
        Rows of X.

    Returns
    -------
    ndarray of shape (n_rows,)

    Raises
    ------
    DataError
        For another length than X, missing labels, or a single group.
    """
    values = np.asarray(groups.to_numpy() if isinstance(groups, pd.Series) else groups)
    if values.ndim != 1:
        raise DataError(f"groups must be 1-D (one label per row); got shape {values.shape}.")
    if len(values) != n_rows:
        raise DataError(
            f"X has {n_rows} rows but groups has {len(values)} labels; they must match."
        )
    missing = np.flatnonzero(pd.isna(values))
    if len(missing):
        raise DataError(
            f"groups has {len(missing)} missing labels (NaN/None), first at rows "
            f"{missing[:5].tolist()}. Hint: give those rows a group of their own."
        )
    if len(pd.unique(values)) < 2:
        raise DataError("groups holds a single group: cross-validation needs at least 2.")
    return values


def group_folds(
    cv: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    random_state: int | None,
    stratify: bool,
) -> tuple[Folds, list[str]]:
    """Train/validation index pairs that never split a group, and notes.

    Parameters
    ----------
    cv : "auto", int or splitter
        A splitter gets ``groups`` (``GroupKFold``, ``StratifiedGroupKFold``,
        ``TimeSeriesSplit``, a user's own); ``"auto"`` or an int uses shuffled
        ``StratifiedGroupKFold`` (classification) or ``GroupKFold`` (regression),
        with at most as many folds as groups.
    X : DataFrame
        The features (for splitters that read them).
    y : ndarray
        Encoded labels or the regression target.
    groups : ndarray
        A validated group label per row.
    random_state : int or None
        Seed of the shuffle.
    stratify : bool
        Balance the classes across folds (classification).

    Returns
    -------
    folds : list of (train, test) index arrays
    notes : list of str

    Raises
    ------
    ConfigError
        For fewer than 2 folds, or a splitter that yields none.
    DataError
        When a training fold holds a single class (classification).
    """
    notes: list[str] = []
    if not isinstance(cv, str) and hasattr(cv, "split"):
        with warnings.catch_warnings():  # "groups is ignored by TimeSeriesSplit": as intended
            warnings.simplefilter("ignore", UserWarning)
            folds = [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X, y, groups)]
        if not folds:
            raise ConfigError("The CV splitter produced no folds.")
    else:
        if isinstance(cv, str) and cv == "auto":
            n_splits = 5 if len(y) <= AUTO_CV_LARGE else 3
        elif isinstance(cv, Integral) and not isinstance(cv, bool) and int(cv) >= 2:
            n_splits = int(cv)
        else:
            raise ConfigError(f"cv must be 'auto', an int >= 2 or a splitter; got {cv!r}.")
        n_groups = len(pd.unique(groups))
        if n_groups < n_splits:
            notes.append(
                f"Only {n_groups} groups: {n_groups} folds are used instead of {n_splits}."
            )
            n_splits = n_groups
        splitter: Any = (
            StratifiedGroupKFold(n_splits, shuffle=True, random_state=random_state)
            if stratify
            else GroupKFold(n_splits, shuffle=True, random_state=random_state)
        )
        folds = [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y, groups)]
    notes.append(f"Folds keep each of the {len(pd.unique(groups))} groups together.")
    return folds, notes + splitter_notes(folds, y, classification=stratify)
