"""Fidelity: how much of the training data a trial may use.

A configuration may carry the reserved key ``"fidelity"``, a float in (0, 1];
absent means 1.0 (full fidelity). At fidelity ``f`` every training fold is
shrunk to a seeded subsample of ``f`` times its rows (stratified by class for
classification, plain random for regression); the scoring fold is never
touched, so scores at different fidelities are measured on the same rows and
stay comparable. Multi-fidelity strategies (Hyperband, BOHB) hand out low
fidelities to many configurations and promote the best ones; the final model
and the ensemble use full-fidelity trials only.
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
    rng = np.random.default_rng(seed)
    if not stratify:
        n = max(2, int(round(fidelity * len(train))))
        return np.sort(rng.choice(train, size=min(n, len(train)), replace=False))
    labels = y[train]
    kept = []
    for cls in np.unique(labels):
        members = train[labels == cls]
        n = max(min(len(members), 2), int(round(fidelity * len(members))))
        kept.append(rng.choice(members, size=n, replace=False))
    return np.sort(np.concatenate(kept))


#: Fewest rows of a scoring fold a trial below full fidelity is scored on (when the
#: fold has more); see :func:`scored_folds`.
MIN_SCORE_ROWS = 20_000
#: Added to a fold's training-subsample seed to draw its scoring subsample.
SCORE_SEED_OFFSET = 104_729


def fold_seed(seed: int | None, k: int) -> int:
    """The seed of fold ``k``'s subsamples: the same rows for every configuration."""
    return (seed or 0) + 7919 * k


def scored_folds(
    folds: list[tuple[np.ndarray, np.ndarray]],
    y: np.ndarray,
    fidelity: float,
    seed: int | None,
    *,
    stratify: bool,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The folds with each scoring part shrunk for a trial at ``fidelity``.

    Below full fidelity, a trial's cost on large data is dominated by predicting
    whole scoring folds (10^5 rows and more) after training on a small share of
    rows. Each scoring part then keeps a seeded subsample of ``fidelity`` times
    its rows, never fewer than :data:`MIN_SCORE_ROWS` (all of it when smaller).
    Every trial at one fidelity is scored on the same rows, so the trials that a
    successive-halving rung or pruning compares stay comparable; full-fidelity
    trials are scored on every row, as the ensemble needs.

    Examples
    --------
    >>> y = np.tile([0, 1], 50_000)
    >>> folds = [(np.arange(0, 50_000), np.arange(50_000, 100_000))]
    >>> len(scored_folds(folds, y, 1 / 27, 0, stratify=True)[0][1])
    20000
    >>> len(scored_folds(folds, y, 1.0, 0, stratify=True)[0][1])
    50000
    """
    if fidelity >= FULL - 1e-9:
        return folds
    out = []
    for k, (train, test) in enumerate(folds):
        share = max(fidelity, MIN_SCORE_ROWS / max(1, len(test)))
        seed_k = fold_seed(seed, k) + SCORE_SEED_OFFSET
        out.append((train, subsample_train(test, y, min(share, FULL), seed_k, stratify=stratify)))
    return out


def fidelity_label(fidelity: float) -> str:
    """Short text of a fidelity for progress lines: ``1``, ``1/3``, ``0.05``."""
    if fidelity >= FULL - 1e-9:
        return "1"
    inverse = 1.0 / fidelity
    if abs(inverse - round(inverse)) < 1e-6:
        return f"1/{int(round(inverse))}"
    return f"{fidelity:.2g}"
