"""Cross-validation folds: stratified, seeded, and safe for tiny classes."""

from __future__ import annotations

import warnings
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

    A class with fewer members than folds is validated in only some folds; a
    class with a single member is put in every training fold and never
    validated (its out-of-fold prediction is made in-sample). Both say so in
    the notes.

    Raises
    ------
    DataError
        When fewer than two classes have at least two members.
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
    singletons = np.flatnonzero(np.isin(y, np.flatnonzero(counts == 1)))
    rest = np.setdiff1d(np.arange(len(y)), singletons)
    if len(np.unique(y[rest])) < 2:
        raise DataError(
            "Cross-validation needs at least 2 classes with 2 or more samples each; "
            f"class counts are {_named_counts(counts, classes)}."
        )
    if len(singletons):
        notes.append(
            f"Class(es) {_names(np.unique(y[singletons]), classes)} have a single sample: it is "
            "used for training in every fold and never validated."
        )
    rare = counts[(counts >= 2)].min()
    if rare < n_splits:
        notes.append(
            f"The rarest class has {rare} samples, fewer than the {n_splits} folds: it is "
            "validated in only some folds."
        )
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the note above says it better than sklearn's warning
        folds = [
            (np.sort(np.concatenate([rest[tr], singletons])), rest[te])
            for tr, te in splitter.split(np.zeros(len(rest)), y[rest])
        ]
    return folds, notes


def _names(encoded: np.ndarray, classes: np.ndarray | None) -> str:
    labels = [classes[i] if classes is not None else i for i in encoded]
    return ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in labels)


def _named_counts(counts: np.ndarray, classes: np.ndarray | None) -> str:
    return ", ".join(f"{_names(np.array([i]), classes)}: {c}" for i, c in enumerate(counts))
