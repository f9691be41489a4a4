"""Fidelity: how much of the training data a trial may use.

A configuration may carry the reserved key ``"fidelity"``, a float in (0, 1];
absent means 1.0 (full fidelity). At fidelity ``f`` every training fold is
shrunk to a seeded subsample of ``f`` times its rows (stratified by class for
classification, plain random for regression).

The scoring fold shrinks too, but only when it is large: a scoring fold of at
least :data:`SCORE_SUBSAMPLE_MIN_ROWS` rows (the run's ``score_subsample_rows``)
is scored on a seeded subsample of ``max(f x its rows, half that threshold)``
rows (:func:`subsample_score`), so a
low-fidelity trial costs in proportion to its fidelity instead of predicting and
scoring every validation row (at 750,000 training rows a trial at 1/27 spent more
time predicting its two scoring folds than fitting). The draw depends only on the
fold, the fidelity and the run's seed: every configuration at one fidelity is
scored on the same rows, so the trials of a rung stay comparable (and pruning
compares like with like); scores at different fidelities are on different rows,
which nothing compares. Smaller scoring folds, and every full-fidelity trial, are
scored on all their rows. A subsampled trial's out-of-fold predictions are NaN on
the rows it did not score (see :func:`scored_folds`).

Multi-fidelity strategies (Hyperband, BOHB) hand out low fidelities to many
configurations and promote the best ones; the final model and the ensemble use
full-fidelity trials only (the highest fidelity that finished, when none did).
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The configuration key that holds a trial's fidelity.
FIDELITY_KEY = "fidelity"
#: Full fidelity: every row of the training fold.
FULL = 1.0
#: Rows per training fold the smallest rung should keep, when the data allows.
MIN_RUNG_ROWS = 500
#: The smallest default fidelity (Hyperband's classic 1/27, three halvings at eta=3).
MIN_DEFAULT_FIDELITY = 1.0 / 27.0
#: Scoring folds with fewer rows are always scored whole (small data: nothing changes,
#: the shared benchmark suite's tables included). A subsampled scoring fold keeps at
#: least half this many rows, 10,000: with 10 % positives about 1,000 of them, which
#: puts a ROC AUC's standard error near 0.005, below the gaps between configurations
#: that successive halving must tell apart at its lowest rungs.
SCORE_SUBSAMPLE_MIN_ROWS = 20_000
#: Added to a fold's training-subsample seed for its scoring subsample (another draw).
_SCORE_SEED_OFFSET = 104_729


def fidelity_of(config: dict[str, Any] | None) -> float:
    """The fidelity of a configuration (or of a trial record's configuration): 1.0 if absent."""
    if not config:
        return FULL
    if FIDELITY_KEY not in config and "config" in config:
        config = config["config"] or {}
    value = config.get(FIDELITY_KEY, FULL)
    return FULL if value is None else float(value)


def is_full(config: dict[str, Any] | None) -> bool:
    """Whether a configuration (or a trial record) ran at full fidelity."""
    return fidelity_of(config) >= FULL - 1e-9


def without_fidelity(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration with its fidelity removed (the same point at any fidelity)."""
    return {k: v for k, v in config.items() if k != FIDELITY_KEY}


def with_fidelity(config: dict[str, Any], fidelity: float) -> dict[str, Any]:
    """A copy of ``config`` at ``fidelity`` (the key left out at full fidelity)."""
    out = without_fidelity(config)
    if fidelity < FULL - 1e-9:
        out[FIDELITY_KEY] = float(fidelity)
    return out


def check_fidelity(value: Any) -> float:
    """``value`` as a fidelity; raises ValueError unless it is a number in (0, 1]."""
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"fidelity must be a number in (0, 1]; got {value!r}") from None
    if not (0.0 < f <= 1.0):
        raise ValueError(f"fidelity must be a number in (0, 1]; got {value!r}")
    return f


def default_min_fidelity(train_rows: int) -> float:
    """The smallest rung's fidelity for training folds of ``train_rows`` rows.

    Chosen so the smallest rung keeps about :data:`MIN_RUNG_ROWS` rows per fold,
    never below 1/27; small data gets 1.0 (a single, full-fidelity rung).
    """
    if train_rows <= 0:
        return FULL
    return float(min(FULL, max(MIN_DEFAULT_FIDELITY, MIN_RUNG_ROWS / train_rows)))


def _draw(
    rows: np.ndarray, y: np.ndarray, share: float, seed: int, *, stratify: bool
) -> np.ndarray:
    """A seeded, sorted subsample of ``share`` of ``rows`` (per class when ``stratify``)."""
    rng = np.random.default_rng(seed)
    if not stratify:
        n = max(2, int(round(share * len(rows))))
        return np.sort(rng.choice(rows, size=min(n, len(rows)), replace=False))
    labels = y[rows]
    kept = []
    for cls in np.unique(labels):
        members = rows[labels == cls]
        n = max(min(len(members), 2), int(round(share * len(members))))
        kept.append(rng.choice(members, size=n, replace=False))
    return np.sort(np.concatenate(kept))


def subsample_train(
    train: np.ndarray, y: np.ndarray, fidelity: float, seed: int, *, stratify: bool
) -> np.ndarray:
    """The rows of training fold ``train`` a trial at ``fidelity`` fits on.

    Parameters
    ----------
    train : ndarray of int
        Row indices of the training fold.
    y : ndarray
        The target of all rows (indexed by ``train``).
    fidelity : float
        Share of the fold's rows to keep, in (0, 1].
    seed : int
        Seed of the draw (the same fold and seed give the same rows).
    stratify : bool
        Keep each class's share (classification); every class present in the fold
        keeps at least two rows (one if it has only one).

    Returns
    -------
    ndarray of int
        Sorted row indices, a subset of ``train`` (``train`` itself at full fidelity).
    """
    if fidelity >= FULL - 1e-9 or len(train) == 0:
        return train
    return _draw(train, y, fidelity, seed, stratify=stratify)


def subsample_score(
    test: np.ndarray,
    y: np.ndarray,
    fidelity: float,
    seed: int,
    *,
    stratify: bool,
    min_rows: int = SCORE_SUBSAMPLE_MIN_ROWS,
) -> np.ndarray:
    """The rows of scoring fold ``test`` a trial at ``fidelity`` predicts and is scored on.

    ``test`` itself at full fidelity or when it has fewer than ``min_rows`` rows;
    otherwise a seeded subsample of ``max(fidelity x len(test), min_rows / 2)`` rows
    (every class present keeps at least two rows when ``stratify``). The rows
    depend only on ``test``, ``fidelity`` and ``seed``: the same for every
    configuration at that fidelity.

    Parameters
    ----------
    test : ndarray of int
        Row indices of the scoring fold.
    y : ndarray
        The target of all rows.
    fidelity : float
        The trial's fidelity, in (0, 1].
    seed : int
        The fold's seed (the training subsample's; the scoring draw is another one).
    stratify : bool
        Keep each class's share (classification).
    min_rows : int
        Scoring folds below this size are never subsampled; half of it is the
        fewest rows a subsample keeps.

    Returns
    -------
    ndarray of int
        Sorted row indices, a subset of ``test``.
    """
    if fidelity >= FULL - 1e-9 or len(test) < max(min_rows, 1):
        return test
    share = max(fidelity, 0.5 * min_rows / len(test))
    if share >= 1.0:
        return test
    return _draw(test, y, share, seed + _SCORE_SEED_OFFSET, stratify=stratify)


def scored_folds(
    folds: list[tuple[np.ndarray, np.ndarray]], scored: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """``folds`` with each scoring fold cut to the rows where ``scored`` is True.

    The folds whose out-of-fold predictions a subsampled trial has: pass
    ``scored = ~np.isnan(oof[:, 0])`` (rows no fold validates stay outside every
    scoring fold, as before).
    """
    return [(train, test[scored[test]]) for train, test in folds]


def fidelity_label(fidelity: float) -> str:
    """Short text of a fidelity for progress lines: ``1``, ``1/3``, ``0.05``."""
    if fidelity >= FULL - 1e-9:
        return "1"
    inverse = 1.0 / fidelity
    if abs(inverse - round(inverse)) < 1e-6:
        return f"1/{int(round(inverse))}"
    return f"{fidelity:.2g}"
