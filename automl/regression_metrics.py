"""Regression metrics: pure functions of true values and predictions.

Each takes ``(y, pred, labels, pos_index, w=None)`` like the classification metrics
of :mod:`automl.metrics` (``labels`` and ``pos_index`` are unused) so one table
holds both; ``pred`` has shape ``(n, 1)`` (a matrix of one column, as out-of-fold
predictions are stored) or ``(n,)``; ``w`` holds optional row weights.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .classification_metrics import weighted_mean

#: Smallest |y| used as the denominator of the MAPE (scikit-learn's choice).
_EPS = float(np.finfo(np.float64).eps)


def _flat(y: Any, pred: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(y, dtype=float).ravel(), np.asarray(pred, dtype=float).reshape(len(y), -1)[
        :, 0
    ]


def rmse(y: Any, pred: Any, labels: Any = None, pos: int = 0, w: Any = None) -> float:
    """Root mean squared error."""
    t, p = _flat(y, pred)
    return float(np.sqrt(weighted_mean((t - p) ** 2, w)))


def mae(y: Any, pred: Any, labels: Any = None, pos: int = 0, w: Any = None) -> float:
    """Mean absolute error."""
    t, p = _flat(y, pred)
    return weighted_mean(np.abs(t - p), w)


def median_ae(y: Any, pred: Any, labels: Any = None, pos: int = 0, w: Any = None) -> float:
    """Median absolute error; weighted, the smallest error whose rows hold half the weight."""
    t, p = _flat(y, pred)
    errors = np.abs(t - p)
    if w is None:
        return float(np.median(errors))
    order = np.argsort(errors)
    cumulative = np.cumsum(np.asarray(w, dtype=float)[order])
    if cumulative[-1] <= 0:
        raise ValueError("The rows scored carry no weight; the metric is not defined.")
    return float(errors[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def r2(y: Any, pred: Any, labels: Any = None, pos: int = 0, w: Any = None) -> float:
    """Coefficient of determination; NaN for a constant ``y`` (undefined)."""
    t, p = _flat(y, pred)
    total = weighted_mean((t - weighted_mean(t, w)) ** 2, w)
    if total == 0.0:
        raise ValueError("R² is undefined for a constant target.")
    return 1.0 - weighted_mean((t - p) ** 2, w) / total


def mape(y: Any, pred: Any, labels: Any = None, pos: int = 0, w: Any = None) -> float:
    """Mean absolute percentage error, as a fraction (0.1 is 10 %)."""
    t, p = _flat(y, pred)
    return weighted_mean(np.abs(t - p) / np.maximum(np.abs(t), _EPS), w)


def rmsle(y: Any, pred: Any, labels: Any = None, pos: int = 0, w: Any = None) -> float:
    """Root mean squared error of ``log1p``; predictions below 0 are scored as 0.

    Raises
    ------
    ValueError
        When a true value is -1 or below (its logarithm is undefined).
    """
    t, p = _flat(y, pred)
    if np.any(t <= -1):
        raise ValueError("RMSLE needs every target above -1.")
    return float(np.sqrt(weighted_mean((np.log1p(np.maximum(p, 0.0)) - np.log1p(t)) ** 2, w)))
