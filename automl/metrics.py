"""Metrics by name: pure functions of encoded labels and class probabilities.

All functions take ``y`` encoded as ``0..k-1`` and ``proba`` of shape ``(n, k)``,
and optional row weights (``sample_weight``). Binary threshold metrics treat column
``pos_index`` as the positive class and predict it when its probability reaches
``threshold`` (argmax when ``None``). Multiclass threshold metrics are
macro-averaged. The functions live in :mod:`automl.classification_metrics` and
:mod:`automl.regression_metrics`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from . import classification_metrics as C
from . import regression_metrics as R
from .classification_metrics import binary_roc_auc as binary_roc_auc
from .exceptions import ConfigError, MetricError, unknown_name_message

#: A binary metric computed from arrays of confusion counts (tp, fp, fn, tn).
ConfusionCurve = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Metric:
    """A named metric.

    Attributes
    ----------
    name : str
    greater_is_better : bool
    needs : {"proba", "labels", "values"}
        Whether the metric reads probabilities, thresholded labels or (regression)
        predicted values.
    fn : callable
        ``fn(y, proba, labels, pos_index)`` returning a float; called with row weights
        as a fifth argument ``fn(y, proba, labels, pos_index, w)`` when a fit has them.
    optimizable : bool
        Whether the search may optimise it (precision or recall alone are
        degenerate targets: predicting one class maximises them).
    curve : callable or None
        The binary metric from confusion counts, ``curve(tp, fp, fn, tn)`` on arrays:
        set exactly for the metrics whose decision threshold can be tuned.
    """

    name: str
    greater_is_better: bool
    needs: Literal["proba", "labels", "values"]
    fn: Callable[..., float]
    optimizable: bool = True
    curve: ConfusionCurve | None = None
    task: Literal["classification", "regression"] = "classification"
    #: Whether ``fn`` reads row weights (a user's function may not).
    weighted: bool = True

    @property
    def tunes_threshold(self) -> bool:
        """Whether a binary decision threshold can be tuned for this metric."""
        return self.curve is not None


def predict_labels(
    proba: np.ndarray, *, pos_index: int = 1, threshold: float | None = None
) -> np.ndarray:
    """Turn probabilities into encoded labels.

    Binary with a ``threshold``: the positive class when its probability is at
    least the threshold. Otherwise the most probable class.
    """
    proba = np.asarray(proba)
    if proba.shape[1] == 2 and threshold is not None:
        neg_index = 1 - pos_index
        return np.where(proba[:, pos_index] >= threshold, pos_index, neg_index)
    return np.argmax(proba, axis=1)


METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("roc_auc", True, "proba", C.roc_auc),
        Metric("average_precision", True, "proba", C.average_precision),
        Metric("log_loss", False, "proba", C.log_loss),
        Metric("f1", True, "labels", C.f1, curve=C.f1_curve),
        Metric(
            "balanced_accuracy",
            True,
            "labels",
            C.balanced_accuracy,
            curve=C.balanced_accuracy_curve,
        ),
        Metric("accuracy", True, "labels", C.accuracy, curve=C.accuracy_curve),
        Metric("mcc", True, "labels", C.mcc, curve=C.mcc_curve),
        Metric("precision", True, "labels", C.precision, optimizable=False),
        Metric("recall", True, "labels", C.recall, optimizable=False),
        Metric("rmse", False, "values", R.rmse, task="regression"),
        Metric("mae", False, "values", R.mae, task="regression"),
        Metric("r2", True, "values", R.r2, task="regression"),
        Metric("mape", False, "values", R.mape, task="regression"),
        Metric("rmsle", False, "values", R.rmsle, task="regression"),
        Metric("median_ae", False, "values", R.median_ae, task="regression"),
    )
}
ALIASES = {
    "pr_auc": "average_precision",
    "auc": "roc_auc",
    "f1_macro": "f1",
}

#: Names (aliases included) of the metrics the search may optimise.
OPTIMIZABLE = tuple(
    [m.name for m in METRICS.values() if m.optimizable]
    + [alias for alias, name in ALIASES.items() if METRICS[name].optimizable]
)
#: Metrics every regression trial and benchmark cell reports.
REPORTED_REGRESSION = ("rmse", "mae", "r2", "mape", "rmsle", "median_ae")
#: Metrics every classification trial and benchmark cell reports.
REPORTED = (
    "roc_auc",
    "average_precision",
    "log_loss",
    "f1",
    "balanced_accuracy",
    "accuracy",
    "mcc",
    "precision",
    "recall",
)


def reported(task: str) -> tuple[str, ...]:
    """The metrics reported for every trial of a task.

    Parameters
    ----------
    task : {"binary", "multiclass", "classification", "regression"}
        The task (a :class:`~automl.models.ModelContext` task or its kind).

    Returns
    -------
    tuple of str
    """
    return REPORTED_REGRESSION if task == "regression" else REPORTED


def optimizable(task: str) -> tuple[str, ...]:
    """Names (aliases included) of the metrics the search may optimise for ``task``.

    Parameters
    ----------
    task : {"classification", "regression"}
        The kind of task.

    Returns
    -------
    tuple of str
    """
    kind = "regression" if task == "regression" else "classification"
    return tuple(n for n in OPTIMIZABLE if get_metric(n).task == kind)


#: Metrics of a user's (custom metrics), registered by name in each process that runs a fit.
_REGISTERED: dict[str, Metric] = {}


def register_metric(metric: Metric) -> None:
    """Make a user's metric known by its name in this process (idempotent).

    Parameters
    ----------
    metric : Metric
        Built by :func:`automl.custom_metrics.as_metric`.
    """
    _REGISTERED[metric.name] = metric


def get_metric(name: str) -> Metric:
    """Look a metric up by name or alias.

    Raises
    ------
    ConfigError
        For an unknown name, with the valid names and close matches.
    """
    key = ALIASES.get(name, name) if isinstance(name, str) else name
    try:
        return METRICS[key] if key in METRICS else _REGISTERED[key]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("metric", name, [*METRICS, *ALIASES])) from None


def _value(
    metric: Metric,
    y: np.ndarray,
    proba: np.ndarray,
    labels: np.ndarray | None,
    pos_index: int,
    sample_weight: np.ndarray | None,
) -> float:
    """``metric`` on the rows; a user's metric that raises or gives NaN is a MetricError.

    A built-in metric that cannot be computed (say, ROC AUC of a fold with one class)
    raises ``ValueError``, as before; a user's metric is never second-guessed: the
    trial fails, and the reason names the metric.
    """
    args: tuple[Any, ...] = (y, proba, labels, pos_index)
    if sample_weight is not None and metric.weighted:
        args = (*args, sample_weight)
    if metric.name in METRICS:
        return float(metric.fn(*args))
    try:
        value = float(metric.fn(*args))
    except Exception as exc:
        raise MetricError(
            f"Your metric {metric.name!r} raised {type(exc).__name__}: {exc}"
        ) from exc
    if not np.isfinite(value):
        raise MetricError(f"Your metric {metric.name!r} returned {value} (not a finite number).")
    return value


def score(
    name: str,
    y: np.ndarray,
    proba: np.ndarray,
    *,
    pos_index: int = 1,
    threshold: float | None = None,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Score encoded labels ``y`` against probabilities with the metric ``name``.

    ``sample_weight`` weighs the rows (None: equally).
    """
    metric = get_metric(name)
    labels = (
        predict_labels(proba, pos_index=pos_index, threshold=threshold)
        if metric.needs == "labels"
        else None
    )
    return _value(metric, np.asarray(y), np.asarray(proba), labels, pos_index, sample_weight)


def score_all(
    y: np.ndarray,
    proba: np.ndarray,
    *,
    pos_index: int = 1,
    threshold: float | None = None,
    names: tuple[str, ...] = REPORTED,
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Score with every metric in ``names``; a metric that cannot be computed gives NaN.

    A user's metric that raises or gives NaN raises :class:`~automl.exceptions.MetricError`.
    """
    y, proba = np.asarray(y), np.asarray(proba)
    needs_labels = any(get_metric(n).needs == "labels" for n in names)
    labels = (
        predict_labels(proba, pos_index=pos_index, threshold=threshold) if needs_labels else None
    )
    out: dict[str, float] = {}
    for name in names:
        try:
            out[name] = _value(get_metric(name), y, proba, labels, pos_index, sample_weight)
        except MetricError:
            raise
        except ValueError:
            out[name] = float("nan")
    return out


def bootstrap_std(
    name: str,
    y: np.ndarray,
    proba: np.ndarray,
    labels: np.ndarray,
    *,
    pos_index: int = 1,
    n_resamples: int = 200,
    random_state: int = 0,
) -> float:
    """Standard deviation of metric ``name`` over bootstrap resamples of the rows.

    How much a score measured on these rows would move on another sample of the
    same size: the sampling noise of a test score. Resamples on which the metric
    cannot be computed (say, without a positive) are skipped.

    Parameters
    ----------
    name : str
        A metric name or alias.
    y : array of shape (n,)
        Encoded labels.
    proba : array of shape (n, k)
        Class probabilities.
    labels : array of shape (n,)
        Predicted encoded labels (for label metrics).
    pos_index : int
        Binary positive class.
    n_resamples : int
        Bootstrap resamples.
    random_state : int
        Seed; the result is deterministic for a given seed.

    Returns
    -------
    float
        NaN when fewer than two resamples could be scored.
    """
    metric = get_metric(name)
    y, proba, labels = np.asarray(y), np.asarray(proba), np.asarray(labels)
    rng = np.random.default_rng(random_state)
    values = []
    for _ in range(n_resamples):
        rows = rng.integers(0, len(y), len(y))
        try:
            value = float(metric.fn(y[rows], proba[rows], labels[rows], pos_index))
        except ValueError:
            continue
        if np.isfinite(value):
            values.append(value)
    return float(np.std(values, ddof=1)) if len(values) > 1 else float("nan")


def to_loss(name: str, value: float) -> float:
    """Map a score to a loss the optimizer minimises (lower is better)."""
    return -value if get_metric(name).greater_is_better else value
