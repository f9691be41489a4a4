"""Parameter checks of the net estimators, run when ``fit`` starts."""

from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..exceptions import ConfigError

NORMS = ("batch", "layer", "none")
SCHEDULES = ("onecycle", "cosine")
LOSSES = ("mse", "huber")
NUMERIC_SCALINGS = ("standard", "robust_clip")
NUMERIC_EMBEDDINGS = ("none", "periodic")


def _number(
    name: str,
    value: Any,
    *,
    low: float,
    high: float = np.inf,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
    allow_none: bool = False,
    owner: str = "TabularNetClassifier",
) -> None:
    """Raise ConfigError unless ``value`` is a number in the given range."""
    if value is None and allow_none:
        return
    kind = numbers.Integral if integer else numbers.Real
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok:
        ok = (value > low if low_open else value >= low) and (
            value < high if high_open else value <= high
        )
    if not ok:
        lo, hi = "(" if low_open else "[", ")" if high_open else "]"
        what = "an int" if integer else "a float"
        none = " or None" if allow_none else ""
        raise ConfigError(
            f"The {name!r} parameter of {owner} must be {what} in the range "
            f"{lo}{low}, {high}{hi}{none}. Got {value!r} instead."
        )


def _choice(
    name: str, value: Any, choices: Sequence[Any], owner: str = "TabularNetClassifier"
) -> None:
    """Raise ConfigError unless ``value`` is one of ``choices`` (bools match bools only)."""
    if isinstance(value, (bool, np.bool_)):
        found = any(isinstance(c, bool) and c == bool(value) for c in choices)
    else:
        found = any(value is c or (isinstance(value, str) and value == c) for c in choices)
    if not found:
        raise ConfigError(
            f"The {name!r} parameter of {owner} must be one of "
            f"{', '.join(repr(c) for c in choices)}. Got {value!r} instead."
        )


def validate_params(p: dict[str, Any], owner: str = "TabularNetClassifier") -> None:
    """Check the hyperparameters of a net estimator (its ``get_params()``).

    ``class_weight`` is checked where ``p`` has it (the classifier), ``loss`` likewise
    (the regressor). ``device`` is checked by :func:`automl.nets.device.resolve_device`
    and ``categorical_features`` by :func:`categorical_indices`, which need more context.

    Parameters
    ----------
    p : dict
        The estimator's parameters.
    owner : str, default="TabularNetClassifier"
        Name of the estimator, for the error messages.

    Raises
    ------
    ConfigError
        Naming the first invalid parameter, its allowed values and the value received.
    """
    number = functools.partial(_number, owner=owner)
    choice = functools.partial(_choice, owner=owner)
    number("hidden_width", p["hidden_width"], low=1, integer=True)
    number("depth", p["depth"], low=0, integer=True)
    number("dropout", p["dropout"], low=0, high=1, high_open=True)
    choice("residual", p["residual"], (True, False))
    choice("norm", p["norm"], NORMS)
    number("embedding_scale", p["embedding_scale"], low=0, low_open=True)
    choice("numeric_scaling", p["numeric_scaling"], NUMERIC_SCALINGS)
    choice("numeric_embedding", p["numeric_embedding"], NUMERIC_EMBEDDINGS)
    number("ensemble_size", p["ensemble_size"], low=1, high=256, integer=True)
    number("learning_rate", p["learning_rate"], low=0, low_open=True)
    number("weight_decay", p["weight_decay"], low=0)
    number("batch_size", p["batch_size"], low=1, integer=True)
    number("max_epochs", p["max_epochs"], low=1, integer=True)
    number("patience", p["patience"], low=1, integer=True)
    number("validation_fraction", p["validation_fraction"], low=0, high=1, high_open=True)
    weight = p.get("class_weight")
    if not (
        weight is None
        or isinstance(weight, dict)
        or (isinstance(weight, str) and weight == "balanced")
    ):
        raise ConfigError(
            f"The 'class_weight' parameter of {owner} must be None, 'balanced' "
            f"or a dict {{label: weight}}. Got {weight!r} instead."
        )
    if "loss" in p:
        choice("loss", p["loss"], LOSSES)
    number("max_time", p["max_time"], low=0, low_open=True, allow_none=True)
    choice("lr_schedule", p["lr_schedule"], SCHEDULES)
    number("grad_clip", p["grad_clip"], low=0, allow_none=True)
    number("n_threads", p["n_threads"], low=1, integer=True, allow_none=True)
    number("verbose", p["verbose"], low=0, integer=True)


def categorical_indices(
    cats: Any, n_features: int, owner: str = "TabularNetClassifier"
) -> tuple[int, ...]:
    """Sorted column indices from ``None``, a sequence of ints or a boolean mask.

    Raises
    ------
    ConfigError
        For indices out of range, non-integers or a mask of the wrong length.
    """
    if cats is None:
        return ()
    values = list(np.asarray(cats).ravel())
    if np.asarray(cats).dtype == bool and len(values) == n_features:
        return tuple(int(i) for i in np.flatnonzero(values))
    ok = all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values)
    if not ok or any(not -n_features <= v < n_features for v in values):
        raise ConfigError(
            f"The 'categorical_features' parameter of {owner} must be None, "
            f"column indices in [0, {n_features}) or a boolean mask of length "
            f"{n_features}. Got {cats!r} instead."
        )
    return tuple(sorted({int(v) % n_features for v in values}))
