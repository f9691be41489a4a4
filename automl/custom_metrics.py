"""Your own metric: a scikit-learn scorer, a function with its direction, or a cost matrix.

Each becomes a :class:`~automl.metrics.Metric` of the same table the built-in
metrics live in, so the search, the threshold, the ensemble, the leaderboard, the
reports and the trial log treat it like any other. The metric object travels with
the run to the worker processes (functions defined in ``__main__`` too) and is
pickled with a saved model: a function that cannot be found when the model is
loaded is a clear error there.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

from .exceptions import ConfigError
from .metrics import METRICS, Metric


@dataclass(frozen=True)
class CustomMetric:
    """A metric of your own: a function, its direction, and what it reads.

    Parameters
    ----------
    name : str
        Its name in the leaderboard, the reports and the trial log (letters, digits,
        ``_``); it must differ from every built-in metric's.
    fn : callable
        ``fn(y_true, y_pred) -> float``. ``y_true`` holds the original labels
        (classification) or values (regression). ``y_pred`` is, by ``needs``: the
        positive class's probability (binary) or the probability matrix in
        ``classes_`` order (multiclass); the predicted labels; or the predicted values.
        When ``fn`` has a ``sample_weight`` parameter and ``fit`` gets weights, it is
        called with the rows' weights; otherwise its scores are unweighted (``fit``
        notes it). A function that raises or returns NaN fails the trial, with a
        reason naming the metric.
    greater_is_better : bool, default=True
        Direction of ``fn``.
    needs : {"proba", "labels", "values"}, default="proba"
        What ``fn`` reads; ``"values"`` for a regression metric.
    """

    name: str
    fn: Callable[[np.ndarray, np.ndarray], float]
    greater_is_better: bool = True
    needs: Literal["proba", "labels", "values"] = "proba"


@dataclass(frozen=True)
class CostMatrix:
    """The expected cost per row of a binary decision, from the cost of each outcome.

    A missed positive (``fn``) and a false alarm (``fp``) cost what you say; the
    decision threshold is tuned out of fold to minimise the expected cost.

    Parameters
    ----------
    fn : float
        Cost of a positive predicted negative (say, a missed fraud: the transaction).
    fp : float
        Cost of a negative predicted positive (say, a false alarm: a phone call).
    tp, tn : float, default=0.0
        Cost of each right decision (negative for a gain).
    name : str, default="cost"
        Its name in the leaderboard.
    """

    fn: float
    fp: float
    tp: float = 0.0
    tn: float = 0.0
    name: str = "cost"


class _Predictions(ClassifierMixin, BaseEstimator):
    """Stored predictions dressed as a fitted classifier, for a scikit-learn scorer."""

    def __init__(self, proba: Any = None, labels: Any = None, classes: Any = None) -> None:
        self.proba = proba
        self.labels = labels
        self.classes = classes

    def __sklearn_is_fitted__(self) -> bool:
        return True

    @property
    def classes_(self) -> np.ndarray:  # noqa: D102
        return np.asarray(self.classes)

    def predict_proba(self, X: Any) -> np.ndarray:  # noqa: D102
        return np.asarray(self.proba)

    def predict(self, X: Any) -> np.ndarray:  # noqa: D102
        return np.asarray(self.classes)[np.asarray(self.labels)]


class _Values(RegressorMixin, BaseEstimator):
    """Stored predicted values dressed as a fitted regressor, for a scikit-learn scorer."""

    def __init__(self, values: Any = None) -> None:
        self.values = values

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def predict(self, X: Any) -> np.ndarray:  # noqa: D102
        return np.asarray(self.values)


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ConfigError(
            f"A custom metric's name must be letters, digits and '_' (not starting with a "
            f"digit); got {name!r}."
        )
    if name in METRICS:
        raise ConfigError(
            f"A custom metric may not take the name of the built-in metric {name!r}; "
            "give it another name."
        )
    return name


def takes_sample_weight(fn: Any) -> bool:
    """Whether ``fn`` accepts a ``sample_weight`` keyword (by name or ``**kwargs``).

    Parameters
    ----------
    fn : callable

    Returns
    -------
    bool
    """
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature
        return False
    return any(p.name == "sample_weight" or p.kind is p.VAR_KEYWORD for p in params)


def _weight_kwargs(w: Any) -> dict[str, Any]:
    return {} if w is None else {"sample_weight": np.asarray(w)}


def _decode(y: np.ndarray, classes: np.ndarray | None) -> np.ndarray:
    return np.asarray(y) if classes is None else np.asarray(classes)[np.asarray(y, dtype=int)]


# The metric functions are small classes, not closures, so a model that holds one
# pickles (``save``) and ships to worker processes like any other object.


@dataclass(frozen=True)
class _FunctionScore:
    """A :class:`CustomMetric`'s function in the table's signature."""

    spec: CustomMetric
    classes: np.ndarray | None

    def __call__(self, y: Any, pred: Any, labels: Any, pos: int, w: Any = None) -> float:
        needs, kw = self.spec.needs, _weight_kwargs(w)
        if needs == "values":
            return float(self.spec.fn(np.asarray(y), np.asarray(pred)[:, 0], **kw))
        truth = _decode(y, self.classes)
        if needs == "labels":
            return float(self.spec.fn(truth, _decode(np.asarray(labels), self.classes), **kw))
        pred = np.asarray(pred)
        return float(self.spec.fn(truth, pred[:, pos] if pred.shape[1] == 2 else pred, **kw))


@dataclass(frozen=True)
class _CostPerRow:
    """The expected cost per row of a :class:`CostMatrix`, from confusion counts."""

    spec: CostMatrix

    def __call__(self, tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
        s = self.spec
        return (s.tp * tp + s.fp * fp + s.fn * fn + s.tn * tn) / np.maximum(tp + fp + fn + tn, 1)


@dataclass(frozen=True)
class _CostScore:
    """A :class:`CostMatrix` on predicted labels, in the table's signature."""

    cost: _CostPerRow

    def __call__(self, y: Any, pred: Any, labels: Any, pos: int, w: Any = None) -> float:
        truth, said = np.asarray(y) == pos, np.asarray(labels) == pos
        weight = np.ones(len(truth)) if w is None else np.asarray(w, dtype=float)
        tp = float(np.sum(weight[truth & said]))
        fp = float(np.sum(weight[~truth & said]))
        fn = float(np.sum(weight[truth & ~said]))
        return float(self.cost(tp, fp, fn, float(weight.sum()) - tp - fp - fn))


@dataclass(frozen=True)
class _NegativeCost:
    """The curve the threshold search maximises for a cost: the negative cost."""

    cost: _CostPerRow

    def __call__(self, tp: Any, fp: Any, fn: Any, tn: Any) -> Any:
        return -self.cost(tp, fp, fn, tn)


@dataclass(frozen=True)
class _ScorerScore:
    """A scikit-learn scorer applied to stored predictions, in the table's signature."""

    scorer: Any
    regression: bool
    classes: np.ndarray | None

    def __call__(self, y: Any, pred: Any, labels: Any, pos: int, w: Any = None) -> float:
        rows, kw = np.zeros((len(y), 1)), _weight_kwargs(w)
        if self.regression:
            values = _Values(np.asarray(pred)[:, 0])
            return float(self.scorer(values, rows, np.asarray(y, dtype=float), **kw))
        codes = np.argmax(pred, axis=1) if labels is None else labels
        held = _Predictions(pred, codes, self.classes)
        return float(self.scorer(held, rows, _decode(y, self.classes), **kw))


def _from_function(spec: CustomMetric, task: str, classes: np.ndarray | None) -> Metric:
    if not callable(spec.fn):
        raise ConfigError(f"CustomMetric {spec.name!r}: fn must be callable; got {spec.fn!r}.")
    regression = task == "regression"
    if (spec.needs == "values") != regression:
        raise ConfigError(
            f"CustomMetric {spec.name!r} has needs={spec.needs!r}, which does not fit a "
            f"{task} task (regression metrics read 'values'; classification ones 'proba' "
            "or 'labels')."
        )
    return Metric(
        spec.name,
        bool(spec.greater_is_better),
        spec.needs,
        _FunctionScore(spec, None if regression else classes),
        task="regression" if regression else "classification",
        weighted=takes_sample_weight(spec.fn),
    )


def _from_cost_matrix(spec: CostMatrix, task: str) -> Metric:
    if task != "binary":
        raise ConfigError(f"A CostMatrix scores binary decisions; this task is {task}.")
    costs = np.array([spec.tp, spec.fp, spec.fn, spec.tn], dtype=float)
    if not np.all(np.isfinite(costs)):
        raise ConfigError(f"CostMatrix costs must be finite numbers; got {spec!r}.")
    cost = _CostPerRow(spec)
    return Metric(
        _check_name(spec.name), False, "labels", _CostScore(cost), curve=_NegativeCost(cost)
    )


def _from_scorer(scorer: Any, task: str, classes: np.ndarray | None) -> Metric:
    score_func = getattr(scorer, "_score_func", None)
    name = _check_name(getattr(score_func, "__name__", "scorer"))
    response = getattr(scorer, "_response_method", "predict")
    methods = (response,) if isinstance(response, str) else tuple(response)
    regression = task == "regression"
    needs: Literal["proba", "labels", "values"] = (
        "values" if regression else ("labels" if methods == ("predict",) else "proba")
    )
    # a scorer's value is signed so that greater is better (scikit-learn's convention)
    return Metric(
        name,
        True,
        needs,
        _ScorerScore(scorer, regression, classes),
        task="regression" if regression else "classification",
        weighted=takes_sample_weight(score_func),
    )


def as_metric(spec: Any, task: str, classes: np.ndarray | None = None) -> Metric:
    """The table :class:`~automl.metrics.Metric` for a user's metric specification.

    Parameters
    ----------
    spec : CustomMetric, CostMatrix or scikit-learn scorer
        The metric, as the user gave it to ``metric=``.
    task : {"binary", "multiclass", "regression"}
        The fit's task.
    classes : ndarray or None
        The classes in encoded order, so the user's function sees original labels.

    Returns
    -------
    Metric

    Raises
    ------
    ConfigError
        For anything else, a name taken by a built-in metric, or a metric that does
        not fit the task.
    """
    if isinstance(spec, CostMatrix):
        return _from_cost_matrix(spec, task)
    if isinstance(spec, CustomMetric):
        _check_name(spec.name)
        return _from_function(spec, task, classes)
    if callable(spec) and hasattr(spec, "_score_func"):
        return _from_scorer(spec, task, classes)
    raise ConfigError(
        f"The 'metric' parameter must be a metric name, a scikit-learn scorer "
        f"(make_scorer), a CustomMetric or a CostMatrix; got {spec!r}."
    )
