"""Regression metrics: pure functions of true values and predictions.

Each takes ``(y, pred, labels, pos_index)`` like the classification metrics of
:mod:`automl.metrics` (``labels`` and ``pos_index`` are unused) so one table holds
both; ``pred`` has shape ``(n, 1)`` (a matrix of one column, as out-of-fold
predictions are stored) or ``(n,)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Smallest |y| used as the denominator of the MAPE (scikit-learn's choice).
_EPS = float(np.finfo(np.float64).eps)


def _flat(y: Any, pred: Any) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(y, dtype=float).ravel(), np.asarray(pred, dtype=float).reshape(len(y), -1)[
        :, 0
    ]


def rmse(y: Any, pred: Any, labels: Any = None, pos: int = 0) -> float:
    """Root mean squared error."""
    t, p = _flat(y, pred)
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mae(y: Any, pred: Any, labels: Any = None, pos: int = 0) -> float:
    """Mean absolute error."""
    t, p = _flat(y, pred)
    return float(np.mean(np.abs(t - p)))


def median_ae(y: Any, pred: Any, labels: Any = None, pos: int = 0) -> float:
    """Median absolute error."""
    t, p = _flat(y, pred)
    return float(np.median(np.abs(t - p)))


def r2(y: Any, pred: Any, labels: Any = None, pos: int = 0) -> float:
    """Coefficient of determination; NaN for a constant ``y`` (undefined)."""
    t, p = _flat(y, pred)
    total = float(np.sum((t - t.mean()) ** 2))
    if total == 0.0:
        raise ValueError("R² is undefined for a constant target.")
    return 1.0 - float(np.sum((t - p) ** 2)) / total


def mape(y: Any, pred: Any, labels: Any = None, pos: int = 0) -> float:
    """Mean absolute percentage error, as a fraction (0.1 is 10 %)."""
    t, p = _flat(y, pred)
    return float(np.mean(np.abs(t - p) / np.maximum(np.abs(t), _EPS)))


def rmsle(y: Any, pred: Any, labels: Any = None, pos: int = 0) -> float:
    """Root mean squared error of ``log1p``; predictions below 0 are scored as 0.

    Raises
    ------
    ValueError
        When a true value is -1 or below (its logarithm is undefined).
    """
    t, p = _flat(y, pred)
    if np.any(t <= -1):
        raise ValueError("RMSLE needs every target above -1.")
    return float(np.sqrt(np.mean((np.log1p(np.maximum(p, 0.0)) - np.log1p(t)) ** 2)))
