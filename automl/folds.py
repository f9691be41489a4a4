"""Cross-validation folds: stratified, seeded, and safe for tiny classes."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from .exceptions import ConfigError, DataError

#: Rows above which ``cv="auto"`` uses 3 folds instead of 5.
AUTO_CV_LARGE = 10_000


def make_folds(
    cv: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    random_state: int | None,
    classes: np.ndarray | None = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
    """Train/validation index pairs for ``cv``, plus notes on any fallback taken.

    A class with fewer members than folds lowers the number of folds to its size
    (at least 2) and says so; a class with a single member is an error, since no
    fold could both train on it and validate it.

    Raises
    ------
    DataError
        When a class has one member.
    """
    counts = np.bincount(y)
    notes: list[str] = []
    if not isinstance(cv, str) and hasattr(cv, "split"):
        folds = [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X, y)]
        if not folds:
            raise ConfigError("The CV splitter produced no folds.")
        return folds, notes
    n_splits = (5 if len(y) <= AUTO_CV_LARGE else 3) if cv == "auto" else int(cv)
    if not isinstance(n_splits, Integral) or n_splits < 2:
        raise ConfigError(f"cv must give at least 2 folds; got {cv!r}.")
    smallest = int(counts[counts > 0].min())
    if smallest < 2:
        rare = int(np.flatnonzero(counts == smallest)[0])
        label = classes[rare] if classes is not None else rare
        label = label.item() if isinstance(label, np.generic) else label
        raise DataError(
            f"Class {label!r} has only {smallest} sample: cross-validation needs at least 2 "
            "samples of every class. Remove that class or add samples."
        )
    if smallest < n_splits:
        notes.append(
            f"The rarest class has {smallest} samples: using {smallest}-fold CV instead of "
            f"{n_splits}-fold."
        )
        n_splits = smallest
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    folds = [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), y)]
    return folds, notes
