"""What the booster adapters share: weights, labels, the inner split, time, device.

Both adapters stop early on a validation split carved out of the rows given to
``fit`` (never the scoring fold, which the pipeline keeps from the model), weight
rows by ``class_weight`` times ``sample_weight``, stop when their time is up and
pick a GPU only when one is usable.
"""

from __future__ import annotations

import functools
import math
import numbers
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

from ..exceptions import ConfigError, DataError

#: Rows the inner validation split holds at least (when the data allow it), so
#: that early stopping on small data does not follow the noise of a dozen rows.
MIN_VALIDATION_ROWS = 50
#: Fewer training rows than this: no inner split, every round is kept.
MIN_ROWS_FOR_SPLIT = 30
#: With ``device="auto"``, a GPU is used from this many training rows on: below,
#: starting the GPU costs more than it saves (the usual advice of both libraries;
#: not measured here).
GPU_MIN_ROWS = 50_000


def _is_number(value: Any, integer: bool = False) -> bool:
    kind = numbers.Integral if integer else numbers.Real
    return isinstance(value, kind) and not isinstance(value, bool)


#: name -> (check, what the value must be); the adapters' own settings, checked at fit.
SHARED_CONSTRAINTS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "n_estimators": (lambda v: _is_number(v, True) and v >= 1, "an int >= 1"),
    "learning_rate": (lambda v: _is_number(v) and v > 0, "a float > 0"),
    "early_stopping_rounds": (
        lambda v: v is None or (_is_number(v, True) and v >= 1),
        "an int >= 1 or None",
    ),
    "validation_fraction": (
        lambda v: _is_number(v) and 0.0 < v < 1.0,
        "a float in the range (0, 1)",
    ),
    "max_time": (
        lambda v: v is None or (_is_number(v) and v > 0),
        "a positive number of seconds or None",
    ),
    "n_jobs": (lambda v: _is_number(v, True) and v >= 1, "an int >= 1"),
    "device": (lambda v: v in ("auto", "cpu", "cuda"), "one of 'auto', 'cpu', 'cuda'"),
    "class_weight": (
        lambda v: v is None or v == "balanced" or isinstance(v, dict),
        "None, 'balanced' or a dict mapping class labels to weights",
    ),
    "random_state": (
        lambda v: v is None or (_is_number(v, True) and 0 <= v < 2**32),
        "None or an int in [0, 2**32)",
    ),
}


def check_params(
    owner: str,
    params: dict[str, Any],
    constraints: dict[str, tuple[Callable[[Any], bool], str]],
) -> None:
    """Raise :class:`ConfigError` for the first parameter of ``params`` that breaks its rule.

    Parameters
    ----------
    owner : str
        Estimator name, for the message.
    params : dict
        The estimator's ``get_params()``.
    constraints : dict
        ``name -> (check, description)``; names absent from ``params`` are skipped.
    """
    for name, (check, what) in constraints.items():
        if name in params and not check(params[name]):
            raise ConfigError(
                f"The {name!r} parameter of {owner} must be {what}. Got {params[name]!r} instead."
            )


def check_categorical(owner: str, value: Any, n_features: int) -> list[int]:
    """The ``categorical_features`` positions, checked against the number of columns.

    Parameters
    ----------
    owner : str
        Estimator name, for the message.
    value : list of int or None
        The parameter's value.
    n_features : int
        Columns of X.

    Returns
    -------
    list of int
        Sorted distinct positions.
    """
    cats = [] if value is None else list(value)
    if any(not isinstance(c, (int, np.integer)) or not 0 <= c < n_features for c in cats):
        raise ConfigError(
            f"The 'categorical_features' parameter of {owner} must list column positions "
            f"in [0, {n_features}). Got {value!r} instead."
        )
    return sorted({int(c) for c in cats})


def row_weights(
    sample_weight: Any,
    n_rows: int,
    y: np.ndarray | None = None,
    class_weight: str | dict[Any, float] | None = None,
) -> np.ndarray | None:
    """Each row's weight: ``class_weight`` (for labels ``y``) times ``sample_weight``.

    Parameters
    ----------
    sample_weight : array-like of shape (n_rows,) or None
        Non-negative row weights given to ``fit``.
    n_rows : int
        Rows of the training data.
    y : ndarray or None
        Labels (classification), for ``class_weight``.
    class_weight : {None, "balanced"} or dict
        ``"balanced"`` weighs classes inversely to their number of rows; a dict
        maps labels to weights, labels left out weigh 1.

    Returns
    -------
    ndarray or None
        None when every row weighs the same.

    Raises
    ------
    DataError
        When ``sample_weight`` has the wrong shape, is not finite, has a negative
        entry or sums to zero.
    """
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=np.float64)
        if weights.ndim == 0:
            weights = np.full(n_rows, float(weights))
        if weights.shape != (n_rows,):
            raise DataError(
                f"sample_weight must have shape ({n_rows},), one weight per row of X. "
                f"Got shape {weights.shape} instead."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise DataError(
                "sample_weight must hold finite, non-negative weights; check the weight "
                "column for NaN, infinite or negative values."
            )
        if weights.sum() <= 0:
            raise DataError(
                "Every sample_weight is zero: at least one row must have a positive weight."
            )
    if y is not None and class_weight is not None:
        weighted = compute_sample_weight(class_weight, y)
        weights = weighted if weights is None else weights * weighted
    return weights


def positive_rows(weights: np.ndarray | None) -> np.ndarray | None:
    """Mask of the rows of positive weight (rows of weight 0 teach a booster nothing
    but would still count in its leaves and its validation split); None: all rows."""
    return None if weights is None else weights > 0


@dataclass
class Labels:
    """The labels of a classification fit, as a booster sees them.

    Attributes
    ----------
    classes : ndarray
        Every label seen in ``fit``, sorted.
    present : ndarray
        Positions in ``classes`` of the labels with rows of positive weight.
    keep : ndarray of bool or None
        The rows of positive weight (None: all rows).
    codes : ndarray of int
        The kept rows' labels as positions in ``present`` (``0..len(present)-1``).
    weights : ndarray or None
        The kept rows' weights.
    """

    classes: np.ndarray
    present: np.ndarray
    keep: np.ndarray | None
    codes: np.ndarray
    weights: np.ndarray | None


def encode_labels(
    y: np.ndarray, sample_weight: Any, class_weight: str | dict[Any, float] | None
) -> Labels:
    """Labels, kept rows and weights of a classification fit (see :class:`Labels`).

    Parameters
    ----------
    y : ndarray of shape (n_rows,)
        Labels.
    sample_weight : array-like or None
        Row weights given to ``fit``.
    class_weight : {None, "balanced"} or dict
        See :func:`row_weights`.

    Returns
    -------
    Labels
    """
    classes, codes = np.unique(y, return_inverse=True)
    weights = row_weights(sample_weight, len(y), y, class_weight)
    keep = positive_rows(weights)
    if keep is not None and weights is not None:
        codes, weights = codes[keep], weights[keep]
    present = np.unique(codes)
    return Labels(classes, present, keep, np.searchsorted(present, codes), weights)


def inner_split(
    n_rows: int,
    fraction: float,
    seed: int,
    strata: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Training and validation row positions for early stopping, or None when none fits.

    The validation part holds ``fraction`` of the rows, but at least
    :data:`MIN_VALIDATION_ROWS` where that leaves four fifths for training. With
    ``strata`` (class labels) the split is stratified; it is refused when a class
    has fewer than two rows, since then one part would lack the class.

    Parameters
    ----------
    n_rows : int
        Rows to split.
    fraction : float
        Share of rows to hold out.
    seed : int
        Seed of the shuffle.
    strata : ndarray or None
        Labels to stratify on.

    Returns
    -------
    (ndarray, ndarray) or None
    """
    if n_rows < MIN_ROWS_FOR_SPLIT:
        return None
    n_val = max(math.ceil(fraction * n_rows), min(MIN_VALIDATION_ROWS, n_rows // 5))
    n_val = min(n_val, n_rows - 1)
    from sklearn.model_selection import ShuffleSplit, StratifiedShuffleSplit

    if strata is None:
        splitter: Any = ShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
        return next(splitter.split(np.zeros(n_rows)))
    _, counts = np.unique(strata, return_counts=True)
    if counts.min() < 2 or n_val < len(counts) or n_rows - n_val < len(counts):
        return None
    splitter = StratifiedShuffleSplit(n_splits=1, test_size=n_val, random_state=seed)
    return next(splitter.split(np.zeros(n_rows), strata))


def deadline(max_time: float | None) -> float | None:
    """The ``time.monotonic()`` reading at which a fit given ``max_time`` seconds stops."""
    return None if max_time is None else time.monotonic() + float(max_time)


def past(stop_at: float | None) -> bool:
    """Whether a deadline from :func:`deadline` has passed."""
    return stop_at is not None and time.monotonic() >= stop_at


@contextmanager
def silenced_stderr() -> Iterator[None]:
    """Discard what native code writes to file descriptor 2 (the probes of GPU support
    print there even when asked to be quiet)."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to silence
        yield
        return
    try:
        with open(os.devnull, "w", encoding="utf-8") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@functools.lru_cache(maxsize=1)
def nvidia_driver_present() -> bool:
    """Whether an NVIDIA driver is loaded (cheap: no CUDA library is touched)."""
    return os.path.exists("/proc/driver/nvidia/version")


def wants_gpu(device: str, n_rows: int, usable: Callable[[], bool]) -> bool:
    """Whether a fit on ``n_rows`` rows runs on the GPU.

    ``"cuda"`` asks for it and ``"auto"`` takes it from :data:`GPU_MIN_ROWS` rows
    on; either way only when ``usable()`` says the library can use one, and the
    fit quietly stays on the CPU otherwise (a library built without GPU support
    should not make a family fail).

    Parameters
    ----------
    device : {"auto", "cpu", "cuda"}
    n_rows : int
    usable : callable
        ``usable()`` is True when the library can train on a GPU here.

    Returns
    -------
    bool
    """
    if device == "cpu" or (device == "auto" and n_rows < GPU_MIN_ROWS):
        return False
    return nvidia_driver_present() and usable()


def fill_columns(proba: np.ndarray, present: np.ndarray, n_classes: int) -> np.ndarray:
    """Probabilities over all ``n_classes`` from those of the ``present`` classes.

    A model trained on fewer classes than ``fit`` saw (rows of a class all weighed
    zero) gives the missing classes probability 0.
    """
    if len(present) == n_classes:
        return proba
    full = np.zeros((proba.shape[0], n_classes))
    full[:, present] = proba
    return full
