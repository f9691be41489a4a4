"""Cross-validation folds: stratified, seeded, and safe for tiny classes."""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from .exceptions import ConfigError, DataError
from .large_data import auto_n_splits

#: Rows above which ``cv="auto"`` uses 3 folds instead of 5.
AUTO_CV_LARGE = 10_000


def make_folds(
    cv: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    random_state: int | None,
    classes: np.ndarray | None = None,
    time_budget: float | None = None,
) -> tuple[list[tuple[np.ndarray, np.ndarray]], list[str]]:
    """Train/validation index pairs for ``cv``, plus notes on any fallback taken.

    A class with fewer members than folds is validated in only some folds; a
    class with a single member is put in every training fold and never
    validated (its out-of-fold prediction is made in-sample). Both say so in
    the notes, and so do identical rows with different labels (kept as they are:
    no model can tell them apart).

    Parameters
    ----------
    cv : "auto", int or splitter
        ``"auto"``: 5 folds, 3 above :data:`AUTO_CV_LARGE` rows; an int: that many
        stratified folds; an object with ``split(X, y)``: its folds as given.
    X : DataFrame
        The validated features (read only to note conflicting duplicates).
    y : ndarray of int
        Encoded labels ``0..k-1``.
    random_state : int or None
        Seed of the shuffle.
    classes : ndarray or None
        The original labels, to name classes in the notes.
    time_budget : float or None
        The fit's budget: with ``cv="auto"``, large data under a short budget gets
        fewer folds (:func:`automl.large_data.auto_n_splits`).

    Returns
    -------
    folds : list of (ndarray, ndarray)
        Train and validation row indices.
    notes : list of str
        What was adapted, in words.

    Raises
    ------
    DataError
        When fewer than two classes have at least two members.
    """
    counts = np.bincount(y)
    notes: list[str] = [n for n in [conflicting_duplicates_note(X, y)] if n]
    if not isinstance(cv, str) and hasattr(cv, "split"):
        folds = [(np.asarray(tr), np.asarray(te)) for tr, te in cv.split(X, y)]
        if not folds:
            raise ConfigError("The CV splitter produced no folds.")
        return folds, notes + splitter_notes(folds, y, classes=classes, classification=True)
    n_splits = int(cv) if cv != "auto" else _auto_splits(X, y, time_budget)
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


def splitter_notes(
    folds: list[tuple[np.ndarray, np.ndarray]],
    y: np.ndarray,
    *,
    classification: bool,
    classes: np.ndarray | None = None,
) -> list[str]:
    """What a user's splitter does that the fit must handle, in notes; or why it cannot.

    Rows no fold validates (the first block of ``TimeSeriesSplit``) have no out-of-fold
    prediction: they are trained on, never scored, and the threshold, the ensemble and
    ``cv_score_`` leave them out. A training fold without some class gives that class
    probability 0 in its predictions.

    Parameters
    ----------
    folds : list of (train, test) index arrays
        The splitter's folds.
    y : ndarray
        Encoded labels, or the regression target.
    classification : bool
        Whether ``y`` holds classes (checked per training fold).
    classes : ndarray or None
        The original labels, to name classes.

    Returns
    -------
    list of str

    Raises
    ------
    DataError
        When a training fold holds a single class: no classifier can be fitted on it.
    """
    notes = []
    validated = np.zeros(len(y), dtype=bool)
    for _, test in folds:
        validated[test] = True
    never = int(np.count_nonzero(~validated))
    if never:
        notes.append(
            f"{never} rows are in no validation fold (e.g. the first block of a time-series "
            "split): they are trained on but have no out-of-fold prediction, so the "
            "threshold, the ensemble and the CV scores leave them out."
        )
    if not classification:
        return notes
    every = np.unique(y)
    for k, (train, _) in enumerate(folds):
        present = np.unique(y[train])
        if len(present) < 2:
            raise DataError(
                f"Training fold {k} of the cv splitter holds only class "
                f"{_names(present, classes)} ({len(train)} rows): no classifier can learn "
                "from one class. Hint: use a splitter that shuffles or stratifies "
                "(StratifiedKFold, StratifiedGroupKFold), or more rows per fold."
            )
        absent = np.setdiff1d(every, present)
        if len(absent):
            notes.append(
                f"Training fold {k} lacks class(es) {_names(absent, classes)}: its models "
                "give them probability 0."
            )
    return notes


def _auto_splits(X: pd.DataFrame, y: np.ndarray, time_budget: float | None) -> int:
    """5 folds, 3 above :data:`AUTO_CV_LARGE` rows, fewer for large data on a short budget."""
    default = 5 if len(y) <= AUTO_CV_LARGE else 3
    return auto_n_splits(default, len(y), X.shape[1], time_budget)


def conflicting_duplicates_note(X: pd.DataFrame, y: np.ndarray) -> str | None:
    """A note when identical rows of X carry different labels, else None.

    Such rows are kept: they are what the data says, and no model can separate
    them, so the best reachable score is below perfect.

    Examples
    --------
    >>> X = pd.DataFrame({"a": [1, 1, 2, 3]})
    >>> conflicting_duplicates_note(X, np.array([0, 1, 0, 1])).split(";")[0]
    '1 groups of identical rows (2 rows) have conflicting labels'
    """
    try:
        keys = pd.util.hash_pandas_object(X, index=False).to_numpy()
    except (TypeError, ValueError):  # unhashable values: validation refuses them anyway
        return None
    rows = pd.DataFrame({"key": keys, "label": np.asarray(y)})
    n_labels = rows.groupby("key")["label"].nunique()
    conflicting = n_labels.index[n_labels.to_numpy() > 1]
    if not len(conflicting):
        return None
    n_rows = int(rows["key"].isin(conflicting).sum())
    return (
        f"{len(conflicting)} groups of identical rows ({n_rows} rows) have conflicting "
        "labels; they are kept as they are: no model can tell them apart, so the best "
        "reachable score is below perfect."
    )


def _names(encoded: np.ndarray, classes: np.ndarray | None) -> str:
    labels = [classes[i] if classes is not None else i for i in encoded]
    return ", ".join(repr(v.item() if isinstance(v, np.generic) else v) for v in labels)


def _named_counts(counts: np.ndarray, classes: np.ndarray | None) -> str:
    return ", ".join(f"{_names(np.array([i]), classes)}: {c}" for i, c in enumerate(counts))
