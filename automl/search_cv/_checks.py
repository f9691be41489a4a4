"""SearchCV's inputs checked when fit starts: parameters, space, resource, scoring, data."""

from __future__ import annotations

import os
from numbers import Integral
from numbers import Real as RealNumber
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.model_selection import check_cv

from .. import metrics as M
from ..custom_metrics import CostMatrix, CustomMetric, as_metric
from ..data import encode_target
from ..estimator_api import estimator_tasks
from ..exceptions import ConfigError, DataError
from ..resource import Resource
from ..search import STRATEGIES
from ..space import Categorical, Integer, Real, Space
from ..steps.raw import PerRow

#: Every search SearchCV knows: the engine's strategies; the multi-fidelity ones need
#: ``resource``.
SEARCHES = tuple(STRATEGIES)
MULTI_FIDELITY = tuple(n for n, cls in STRATEGIES.items() if getattr(cls, "multi_fidelity", False))
#: An integer range of at most this many values is searched value by value under grid.
GRID_ALL_INTEGERS = 10


def kind_of(estimator: Any) -> str:
    """``"regression"`` for a regressor, else ``"classification"``."""
    return "regression" if estimator_tasks(estimator) == {"regression"} else "classification"


def _integer(v: Any) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def _fail(name: str, expected: str, value: Any) -> ConfigError:
    return ConfigError(
        f"The {name!r} parameter of SearchCV must be {expected}. Got {value!r} instead."
    )


def check_params(params: dict[str, Any]) -> None:
    """Check SearchCV's scalar parameters; raise naming the first one that is wrong.

    Raises
    ------
    ConfigError
    """
    search = params["search"]
    if not isinstance(search, str) or search not in SEARCHES:
        raise _fail("search", f"one of {list(SEARCHES)}", search)
    tb = params["time_budget"]
    if tb is not None and not (
        isinstance(tb, RealNumber)
        and not isinstance(tb, bool)
        and np.isfinite(float(tb))
        and float(tb) > 0
    ):
        raise _fail("time_budget", "a positive number of seconds or None", tb)
    mt = params["max_trials"]
    if mt is not None and not (_integer(mt) and mt >= 1):
        raise _fail("max_trials", "an int >= 1 or None", mt)
    if tb is None and mt is None and search != "grid":
        raise ConfigError("Set time_budget or max_trials: with both None the search never ends.")
    n_jobs = params["n_jobs"]
    if not (_integer(n_jobs) and (n_jobs >= 1 or n_jobs == -1)):
        raise _fail("n_jobs", "-1 or an int >= 1", n_jobs)
    rs = params["random_state"]
    if rs is not None and not (_integer(rs) and 0 <= rs < 2**32):
        raise _fail("random_state", "None or an int in [0, 2**32)", rs)
    cv = params["cv"]
    if not ((_integer(cv) and cv >= 2) or (not isinstance(cv, str) and hasattr(cv, "split"))):
        if not (isinstance(cv, (list, tuple)) and len(cv) >= 1):
            raise _fail("cv", "an int >= 2, a CV splitter or a list of (train, test) pairs", cv)
    if not isinstance(params["resume"], (bool, np.bool_)):
        raise _fail("resume", "a bool", params["resume"])
    if not isinstance(params["refit"], (bool, np.bool_, str)):
        raise _fail("refit", "a bool, or the name of a metric in 'scoring'", params["refit"])
    if not (_integer(params["verbose"]) and params["verbose"] >= 0):
        raise _fail("verbose", "an int >= 0", params["verbose"])
    log_dir = params["log_dir"]
    if log_dir is not None and not isinstance(log_dir, (str, os.PathLike)):
        raise _fail("log_dir", "None or a path", log_dir)
    if params["resume"] and log_dir is None:
        raise ConfigError("resume=True needs log_dir: the trial log to resume lives there.")


def check_resource(params: dict[str, Any], estimator: Any, space: Space) -> Resource | None:
    """The resource a multi-fidelity search grows, checked; None when there is none.

    ``max_resources`` defaults to the estimator's own value of the parameter and
    ``min_resources`` to a ninth of it (at least 1).

    Raises
    ------
    ConfigError
        A resource that is not a parameter or is also searched, bounds that are not
        ints with ``1 <= min_resources < max_resources``, bounds without a resource,
        or a multi-fidelity search without one.
    """
    name, low, high = params["resource"], params["min_resources"], params["max_resources"]
    if name is None:
        if params["search"] in MULTI_FIDELITY:
            raise ConfigError(
                f"search={params['search']!r} needs resource=: the estimator parameter that "
                "grows with the fidelity (say 'max_epochs' or 'n_estimators'), with "
                "min_resources and max_resources."
            )
        if low is not None or high is not None:
            raise ConfigError(
                "min_resources and max_resources need resource= (the parameter they bound)."
            )
        return None
    own = estimator.get_params(deep=True)
    if not isinstance(name, str) or name not in own:
        raise ConfigError(
            f"The 'resource' parameter of SearchCV must name a parameter of "
            f"{type(estimator).__name__} (one of: {', '.join(sorted(own))}). Got {name!r} instead."
        )
    if name in space:
        raise ConfigError(
            f"resource={name!r} is also in the space: the search sets it from the fidelity, "
            "so leave it out of the space."
        )
    if high is None:
        high = own[name]
        if not (_integer(high) and high >= 2):
            raise ConfigError(
                f"Set max_resources: {type(estimator).__name__}'s own {name}={high!r} is not "
                "an int >= 2 to use as the full resource."
            )
    if low is None:
        low = max(1, int(high) // 9)
    if not (_integer(low) and _integer(high) and 1 <= low < high):
        raise ConfigError(
            "min_resources and max_resources must be ints with 1 <= min_resources < "
            f"max_resources. Got min_resources={low!r}, max_resources={high!r} instead."
        )
    return Resource(name, int(low), int(high))


def grid_space(space: Space) -> Space:
    """A space a grid search can enumerate: every range with a grid size.

    A small integer range (at most :data:`GRID_ALL_INTEGERS` values) is searched value
    by value.

    Raises
    ------
    ConfigError
        A :class:`~automl.space.Real` range, or a large :class:`~automl.space.Integer`
        one, without ``n_points``.
    """
    out: Space = {}
    for key, dim in space.items():
        if isinstance(dim, Integer) and dim.n_points is None:
            if dim.high - dim.low + 1 <= GRID_ALL_INTEGERS:
                dim = Categorical(list(range(dim.low, dim.high + 1)))
            else:
                raise ConfigError(
                    f"search='grid' cannot enumerate {key!r}: Integer({dim.low}, {dim.high}) has "
                    f"{dim.high - dim.low + 1} values. Give it a grid size, "
                    f"Integer({dim.low}, {dim.high}, n_points=5), or list the values."
                )
        if isinstance(dim, Real) and dim.n_points is None:
            raise ConfigError(
                f"search='grid' cannot enumerate the continuous range {key!r} "
                f"(Real({dim.low}, {dim.high})). Give it a grid size, "
                f"Real({dim.low}, {dim.high}, n_points=5), or list the values."
            )
        out[key] = dim
    return out


def resolve_scoring(
    scoring: Any, kind: str, task: str, classes: np.ndarray | None
) -> tuple[str, M.Metric | None]:
    """The metric's name, and the table entry of a user's metric (None for a built-in).

    ``None`` scores as the estimator's own ``score`` does: accuracy or R².

    Raises
    ------
    ConfigError
        An unknown name, a metric of the other task, or a plain callable.
    """
    if scoring is None:
        return ("accuracy" if kind == "classification" else "r2"), None
    if isinstance(scoring, str):
        allowed = M.optimizable(kind)
        if scoring in allowed:
            return M.ALIASES.get(scoring, scoring), None
        from sklearn.metrics import get_scorer, get_scorer_names

        known = M.METRICS.get(M.ALIASES.get(scoring, scoring))
        if known is not None and known.task != kind:
            raise ConfigError(
                f"scoring={scoring!r} is a {known.task} metric; this search is {kind} "
                f"(metrics: {list(allowed)})."
            )
        if scoring not in get_scorer_names():
            raise ConfigError(
                f"The 'scoring' parameter of SearchCV must be one of {list(allowed)}, a "
                f"scikit-learn scorer name (e.g. 'neg_log_loss'), a scorer or a CustomMetric. "
                f"Got {scoring!r} instead."
            )
        metric = as_metric(get_scorer(scoring), task, classes, name=scoring)
    elif isinstance(scoring, (CustomMetric, CostMatrix)) or hasattr(scoring, "_score_func"):
        name = None
        fn = getattr(getattr(scoring, "_score_func", None), "__name__", None)
        if fn in M.METRICS:  # make_scorer(log_loss, ...): named apart from the built-in
            name = f"{fn}_scorer"
        metric = as_metric(scoring, task, classes, name=name)
    else:
        raise ConfigError(
            "The 'scoring' parameter of SearchCV must be a metric name, a scikit-learn "
            f"scorer (make_scorer) or a CustomMetric. Got {scoring!r} instead. Hint: a "
            "function scorer(estimator, X, y) cannot score the stored out-of-fold "
            "predictions; wrap a metric function with sklearn.metrics.make_scorer."
        )
    if metric.task != kind:
        raise ConfigError(f"scoring={scoring!r} is a {metric.task} metric; this is {kind}.")
    M.register_metric(metric)
    return metric.name, metric


def as_input_frame(X: Any) -> tuple[pd.DataFrame, bool]:
    """X as a DataFrame indexed ``0..n-1`` for the engine, and whether it was a DataFrame.

    Raises
    ------
    DataError
        Sparse, not 2-D, or empty X.
    """
    if sparse.issparse(X):
        raise DataError(
            f"X is a sparse matrix ({type(X).__name__}), which SearchCV does not take. "
            "Hint: densify it with X.toarray()."
        )
    if isinstance(X, pd.DataFrame):
        return X.reset_index(drop=True), True
    array = np.asarray(X)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise DataError(f"X must be a non-empty 2-D array; got shape {array.shape}.")
    return pd.DataFrame(array), False


def target(y: Any, kind: str, n_rows: int) -> tuple[np.ndarray, str, int, np.ndarray | None]:
    """Encoded labels or float values, the task, the number of classes and the classes.

    Raises
    ------
    DataError
        A y that is not 1-D with one value per row, has missing values, or one class.
    """
    values = np.asarray(y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1 or len(values) != n_rows:
        raise DataError(
            f"y must be 1-D with one value per row of X ({n_rows}); got shape {values.shape}."
        )
    if pd.isna(values).any():
        raise DataError("y has missing values; drop those rows of X and y.")
    if kind == "regression":
        return values.astype(float), "regression", 1, None
    encoded, classes = encode_target(values)
    if len(classes) < 2:
        raise DataError("y has a single class; classification needs at least 2.")
    task = "binary" if len(classes) == 2 else "multiclass"
    return encoded, task, len(classes), classes


def make_folds(
    cv: Any, X: Any, y: Any, groups: Any, kind: str
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (train, test) positions of ``cv`` as scikit-learn's ``check_cv`` reads it.

    Raises
    ------
    ConfigError
        When the splitter cannot split this data (a group splitter without groups).
    """
    splitter = check_cv(cv, np.asarray(y), classifier=kind == "classification")
    try:
        return [
            (np.asarray(tr), np.asarray(te)) for tr, te in splitter.split(X, np.asarray(y), groups)
        ]
    except ValueError as exc:
        raise ConfigError(f"The 'cv' of SearchCV cannot split this data: {exc}") from None


def per_row_params(fit_params: dict[str, Any], n_rows: int) -> dict[str, Any]:
    """Fit arguments with one value per row wrapped in :class:`PerRow`, to be cut per fold."""

    def per_row(v: Any) -> bool:
        return hasattr(v, "__len__") and not isinstance(v, (str, dict)) and len(v) == n_rows

    return {k: PerRow(np.asarray(v)) if per_row(v) else v for k, v in fit_params.items()}
