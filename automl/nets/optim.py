"""The optimizer of a net fit loop: a name or a ``torch.optim.Optimizer`` class, and its arguments.

This module imports torch at import time; the estimators import it inside ``fit``.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch

from ..exceptions import ConfigError

#: Optimizer names the estimators accept, and the torch classes they stand for.
OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adamw": torch.optim.AdamW,
    "adam": torch.optim.Adam,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
#: Optimizers with a fused CUDA kernel, used by default on CUDA.
_FUSED = (torch.optim.AdamW, torch.optim.Adam)


def optimizer_class(optimizer: Any, owner: str) -> type[torch.optim.Optimizer]:
    """The optimizer class named by ``optimizer`` (a name above or a subclass of Optimizer).

    Raises
    ------
    ConfigError
        For an unknown name or anything that is not an Optimizer subclass.
    """
    if isinstance(optimizer, str) and optimizer in OPTIMIZERS:
        return OPTIMIZERS[optimizer]
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer
    raise ConfigError(
        f"The 'optimizer' parameter of {owner} must be one of "
        f"{', '.join(repr(n) for n in OPTIMIZERS)} or a torch.optim.Optimizer subclass. "
        f"Got {optimizer!r} instead."
    )


def check_optimizer_params(
    cls: type[torch.optim.Optimizer], params: dict[str, Any], owner: str
) -> None:
    """Raise ConfigError naming an ``optimizer__*`` parameter that ``cls`` does not take."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):  # not introspectable: let the constructor decide
        return
    if any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values()):
        return
    taken = set(signature.parameters) - {"params", "lr", "weight_decay"}
    for name in params:
        if name not in taken:
            raise ConfigError(
                f"The parameter 'optimizer__{name}' of {owner} is not an argument of "
                f"{cls.__name__}. Its arguments are: "
                f"{', '.join(sorted(taken))} (set 'lr' and 'weight_decay' directly)."
            )


def build_optimizer(
    module: torch.nn.Module,
    optimizer: Any,
    lr: float,
    weight_decay: float,
    params: dict[str, Any],
    device: torch.device,
) -> torch.optim.Optimizer:
    """The optimizer over ``module``'s parameters.

    Parameters
    ----------
    module : torch.nn.Module
        The net to train.
    optimizer : str or type
        A name of :data:`OPTIMIZERS` or a ``torch.optim.Optimizer`` subclass.
    lr, weight_decay : float
        Learning rate and weight decay.
    params : dict
        Further keyword arguments of the optimizer (the ``optimizer__*`` parameters).
    device : torch.device
        Where the module is; Adam and AdamW use their fused kernel on CUDA.

    Returns
    -------
    torch.optim.Optimizer
    """
    cls: Any = optimizer_class(optimizer, "the estimator")  # subclasses take lr, weight_decay
    kwargs = dict(params)
    if cls in _FUSED and device.type == "cuda":
        # one fused kernel per step instead of a few per parameter: small tabular nets
        # are launch-bound on a GPU, where this is most of a step's cost
        kwargs.setdefault("fused", True)
    return cls(module.parameters(), lr=lr, weight_decay=weight_decay, **kwargs)
