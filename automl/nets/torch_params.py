"""Parameters of :class:`~automl.nets.TorchClassifier` and :class:`~automl.nets.TorchRegressor`.

Two kinds: the estimator's own keyword arguments, checked when ``fit`` starts by
:func:`validate_torch_params`; and the ``module__*`` / ``optimizer__*`` parameters,
passed on to the user's module and to the optimizer. Those cannot be named in the
estimator's signature (they belong to a module the estimator does not know), so,
as skorch does, they arrive through ``**kwargs`` and are stored in one dict that
``get_params`` / ``set_params`` expose under their prefixed names. This keeps
``clone``, ``set_params(module__hidden=64)`` and a search's nested names working.

No torch import here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..exceptions import ConfigError
from .params import _choice, _number
from .schedule import SCHEDULE_NAMES

#: Prefixes of the parameters routed to the module and to the optimizer.
PREFIXES = ("module__", "optimizer__")
LOSSES = ("mse", "huber")


def check_prefixed(owner: str, params: dict[str, Any]) -> dict[str, Any]:
    """Return ``params`` when every name is ``module__<name>`` or ``optimizer__<name>``.

    Raises
    ------
    TypeError
        For any other name, as Python does for an unexpected keyword argument.
    """
    for key in params:
        if not key.startswith(PREFIXES) or key in PREFIXES:
            raise TypeError(
                f"{owner}.__init__() got an unexpected keyword argument {key!r}. Besides "
                "its own parameters it takes 'module__<name>' (passed to the module) and "
                "'optimizer__<name>' (passed to the optimizer)."
            )
    return dict(params)


def with_prefix(params: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The entries of ``params`` under ``prefix``, with the prefix removed."""
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def module_defaults(module: Any) -> dict[str, Any]:
    """``module__<name>: default`` for each keyword argument of ``module`` past the first two.

    What ``get_params(deep=True)`` reports for a module's own parameters, the way a
    pipeline reports its steps' parameters; empty when ``module`` cannot be inspected.
    """
    if not callable(module):
        return {}
    try:
        parameters = list(inspect.signature(module).parameters.values())
    except (TypeError, ValueError):
        return {}
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    rest, skipped = [], 0
    for p in parameters:
        if skipped < 2 and p.kind in positional:
            skipped += 1
            continue
        rest.append(p)
    return {
        f"module__{p.name}": p.default
        for p in rest
        if p.default is not inspect.Parameter.empty
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }


def validate_torch_params(p: dict[str, Any], owner: str) -> None:
    """Check the estimator's own hyperparameters (its ``get_params(deep=False)``).

    ``module`` and ``optimizer`` are checked when they are built (they need torch),
    ``device`` by :func:`~automl.nets.device.resolve_device`.

    Raises
    ------
    ConfigError
        Naming the first invalid parameter, its allowed values and the value received.
    """
    number: Callable[..., None] = functools.partial(_number, owner=owner)
    choice: Callable[..., None] = functools.partial(_choice, owner=owner)
    number("lr", p["lr"], low=0, low_open=True)
    number("batch_size", p["batch_size"], low=1, integer=True)
    number("max_epochs", p["max_epochs"], low=1, integer=True)
    number("weight_decay", p["weight_decay"], low=0)
    choice("lr_schedule", p["lr_schedule"], SCHEDULE_NAMES)
    choice("early_stopping", p["early_stopping"], (True, False))
    choice("warm_start", p["warm_start"], (True, False))
    number(
        "validation_fraction",
        p["validation_fraction"],
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    number("patience", p["patience"], low=1, integer=True)
    number("grad_clip", p["grad_clip"], low=0, allow_none=True)
    number("max_time", p["max_time"], low=0, low_open=True, allow_none=True)
    choice("amp", p["amp"], ("auto", True, False))
    number("n_threads", p["n_threads"], low=1, integer=True, allow_none=True)
    number("verbose", p["verbose"], low=0, integer=True)
    if "loss" in p:
        choice("loss", p["loss"], LOSSES)
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
