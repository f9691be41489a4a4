"""Building and checking the user's module for the Torch estimators.

The module is built during ``fit`` as ``module(n_features, n_outputs, **module__params)``
and probed on two rows before training, so a wrong signature, an unknown
``module__*`` parameter or an output of the wrong width is a clear
:class:`~automl.exceptions.ConfigError` rather than a traceback from inside torch.

This module imports torch at import time; the estimators import it inside ``fit``.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch
from torch import nn

from ..exceptions import ConfigError


def _name(module: Any) -> str:
    return getattr(module, "__qualname__", None) or type(module).__name__


def _check_signature(
    module: Any, n_in: int, n_out: int, params: dict[str, Any], expected: str, owner: str
) -> None:
    try:
        signature = inspect.signature(module)
    except (TypeError, ValueError):  # not introspectable (a C callable): the call decides
        return
    try:
        signature.bind(n_in, n_out, **params)
    except TypeError as err:
        takes_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
        unknown = [] if takes_any else [k for k in params if k not in signature.parameters]
        if unknown:
            raise ConfigError(
                f"The parameter 'module__{unknown[0]}' of {owner} is not an argument of "
                f"{_name(module)}{signature}. Name module__* parameters after the "
                "module's keyword arguments."
            ) from None
        raise ConfigError(
            f"{owner} builds its module as {expected}, but {_name(module)}{signature} "
            f"cannot be called that way ({err}). The first two positional arguments "
            "must be the number of input features and the number of outputs."
        ) from None


def build_module(
    module: Any, n_in: int, n_out: int, params: dict[str, Any], out_name: str, owner: str
) -> nn.Module:
    """``module(n_in, n_out, **params)``, checked.

    Parameters
    ----------
    module : type or callable
        A ``torch.nn.Module`` subclass, or a function returning a module.
    n_in, n_out : int
        Number of input features, and of outputs (classes or targets).
    params : dict
        The ``module__*`` parameters, prefix removed.
    out_name : str
        What ``n_out`` counts, for the messages (``"n_classes"``, ``"n_outputs"``).
    owner : str
        The estimator's name, for the messages.

    Returns
    -------
    torch.nn.Module

    Raises
    ------
    ConfigError
        For an instance instead of a class, a non-module, a signature that does not
        take ``(n_features, n_outputs)``, an unknown ``module__*`` parameter, or a
        module without parameters.
    """
    expected = f"module(n_features, {out_name}, **module__params)"
    if isinstance(module, nn.Module):
        raise ConfigError(
            f"The 'module' parameter of {owner} must be a torch.nn.Module class (or a function "
            f"returning a module), built during fit as {expected}. Got an instance of "
            f"{type(module).__name__}; pass the class itself: module={type(module).__name__}."
        )
    if (isinstance(module, type) and not issubclass(module, nn.Module)) or not callable(module):
        raise ConfigError(
            f"The 'module' parameter of {owner} must be a torch.nn.Module subclass (or a function "
            f"returning a module), built during fit as {expected}. Got {module!r} instead."
        )
    _check_signature(module, n_in, n_out, params, expected, owner)
    try:
        net = module(n_in, n_out, **params)
    except TypeError as err:
        raise ConfigError(f"Building the module as {expected} raised TypeError: {err}") from err
    if not isinstance(net, nn.Module):
        raise ConfigError(
            f"The 'module' parameter of {owner}: {expected} returned "
            f"{type(net).__name__}, not a torch.nn.Module."
        )
    if next(net.parameters(), None) is None:
        raise ConfigError(
            f"The module {type(net).__name__} built by {owner} has no trainable parameters."
        )
    return net


def probe_output(
    net: nn.Module,
    x: torch.Tensor,
    n_out: int,
    out_name: str,
    owner: str,
    allow_single: bool = False,
) -> int:
    """Run ``net`` on the rows ``x`` (eval mode, no grad) and return its output width.

    The width must be ``n_out``, or 1 where ``allow_single`` (a binary classifier's
    single logit). Eval mode draws no random numbers, so seeded fits stay reproducible.

    Raises
    ------
    ConfigError
        If the forward pass fails or the output is not a tensor of shape ``(B, n_out)``.
    """
    net.eval()
    shape = f"({len(x)}, {x.shape[1]})"
    try:
        with torch.no_grad():
            out = net(x)
    except (RuntimeError, TypeError, ValueError, IndexError) as err:
        raise ConfigError(
            f"The module {type(net).__name__} failed on a float32 batch of shape {shape}: {err}. "
            f"{owner} calls it as module(x) with x of shape (batch_size, n_features)."
        ) from err
    finally:
        net.train()
    widths = (n_out, 1) if allow_single else (n_out,)
    if not isinstance(out, torch.Tensor) or out.ndim != 2 or out.shape[1] not in widths:
        got = f"shape {tuple(out.shape)}" if isinstance(out, torch.Tensor) else type(out).__name__
        one = " (or (B, 1): one logit for the second class)" if allow_single else ""
        raise ConfigError(
            f"The module {type(net).__name__} returned {got} for a batch of {len(x)} rows; "
            f"expected (B, {out_name}) = ({len(x)}, {n_out}){one}."
        )
    return int(out.shape[1])


class TwoLogits(nn.Module):
    """A binary classifier's single logit ``z`` as two logits ``(0, z)``.

    Softmax over ``(0, z)`` is ``sigmoid(z)`` for the second class, so cross-entropy
    over them is the logistic loss of ``z``.
    """

    def __init__(self, net: nn.Module) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.net(x)
        return torch.cat([torch.zeros_like(z), z], dim=1)
