"""The constraints on AutoMLClassifier's parameters, declared once, checked when fit starts."""

from __future__ import annotations

import os
from collections.abc import Callable
from numbers import Integral, Real
from typing import Any

import numpy as np

from . import metrics as M
from .exceptions import ConfigError
from .fold_models import CHOICES as FINAL_MODELS
from .models import family_names
from .search import STRATEGIES


def _number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _integer(value: Any) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _is_family(value: Any) -> bool:
    from .family import Family

    return isinstance(value, Family)


def _splitter(value: Any) -> bool:
    return not isinstance(value, str) and hasattr(value, "split")


#: name -> (check, what the value must be)
CONSTRAINTS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "time_budget": (
        lambda v: v is None or (_number(v) and np.isfinite(v) and v > 0),
        "a positive number of seconds or None",
    ),
    "max_trials": (lambda v: v is None or (_integer(v) and v >= 1), "an int >= 1 or None"),
    "search": (
        lambda v: isinstance(v, str) and (v == "auto" or v in STRATEGIES),
        f"'auto' or one of {sorted(STRATEGIES)}",
    ),
    "cv": (
        lambda v: v == "auto" or _splitter(v) or (_integer(v) and v >= 2),
        "'auto', an int >= 2 or a CV splitter",
    ),
    "threshold": (
        lambda v: v is None or v == "auto" or (_number(v) and 0.0 < v < 1.0),
        "'auto', None or a float in (0, 1)",
    ),
    "n_jobs": (lambda v: _integer(v) and (v >= 1 or v == -1), "-1 or an int >= 1"),
    "device": (lambda v: v in ("auto", "cpu", "cuda"), "one of 'auto', 'cpu', 'cuda'"),
    "memory_limit": (
        lambda v: (
            v is None
            or (isinstance(v, str) and v == "auto")
            or (_number(v) and np.isfinite(v) and v > 0)
        ),
        "'auto', None or a positive number of megabytes",
    ),
    "ensemble": (lambda v: isinstance(v, (bool, np.bool_)), "a bool"),
    "final_model": (
        lambda v: isinstance(v, str) and v in FINAL_MODELS,
        "one of " + ", ".join(repr(c) for c in FINAL_MODELS),
    ),
    "resume": (lambda v: isinstance(v, (bool, np.bool_)), "a bool"),
    "verbose": (lambda v: _integer(v) and v >= 0, "an int >= 0"),
    "random_state": (
        lambda v: v is None or (_integer(v) and 0 <= v < 2**32),
        "None or an int in [0, 2**32)",
    ),
    "log_dir": (lambda v: v is None or isinstance(v, (str, os.PathLike)), "None or a path"),
    "models": (
        lambda v: (
            v is None
            or (
                isinstance(v, (list, tuple))
                and len(v) > 0
                and all(isinstance(m, str) or _is_family(m) for m in v)
            )
        ),
        "None or a non-empty list of model family names and Family objects",
    ),
}


def validate_params(
    params: dict[str, Any], estimator: str = "AutoMLClassifier", task: str = "classification"
) -> None:
    """Check every parameter; raise :class:`ConfigError` naming the first one that is wrong.

    Messages follow scikit-learn's: "The 'time_budget' parameter of
    AutoMLClassifier must be a positive number of seconds or None. Got -1 instead."

    Parameters
    ----------
    params : dict
        The estimator's ``get_params(deep=False)``; parameters it does not have are
        not checked.
    estimator : str
        The estimator's name, for messages.
    task : {"classification", "regression"}
        Which metrics may be optimised (and, for regression, ``cv="stratified"``).

    Raises
    ------
    ConfigError
        Naming the parameter, what it must be and what it was.
    """
    for name, (check, expected) in CONSTRAINTS.items():
        if name not in params:
            continue
        value = params[name]
        if name == "cv" and task == "regression" and value == "stratified":
            continue
        try:
            ok = bool(check(value))
        except TypeError:
            ok = False
        if not ok:
            raise ConfigError(
                f"The {name!r} parameter of {estimator} must be {expected}. Got {value!r} instead."
            )
    if params.get("time_budget") is None and params.get("max_trials") is None:
        raise ConfigError("Set time_budget or max_trials: with both None the search never ends.")
    if isinstance(params.get("metric"), str):  # a user's own metric: as_metric checks it at fit
        _check_metric_name(params["metric"], estimator, task)
    if params.get("models") is not None:
        registered = set(family_names())
        for name in params["models"]:
            if not _is_family(name) and name not in registered:
                from .models import get_family

                get_family(name)  # raises with close matches
    if params.get("resume") and params.get("log_dir") is None:
        raise ConfigError("resume=True needs log_dir: the trial log to resume lives there.")


def _check_metric_name(metric: str, estimator: str, task: str) -> None:
    allowed = M.optimizable(task)
    if metric not in allowed:
        known = M.get_metric(metric)  # an unknown name raises with suggestions
        kind = "regression" if task == "regression" else "classification"
        why = (
            f"{metric!r} is a {known.task} metric"
            if known.task != kind
            else f"{metric!r} cannot be optimised on its own"
        )
        raise ConfigError(
            f"The 'metric' parameter of {estimator} must be one of {list(allowed)}; {why}."
        )
