"""Where a fit loop stopped, kept so that a warm-started ``fit`` continues it exactly.

A multi-fidelity search (Hyperband with ``max_epochs`` as the resource) trains a
configuration for a few epochs, then promotes it to more: with ``warm_start=True``
the Torch estimators continue from the last epoch's weights, optimizer state,
learning-rate step, early-stopping record and random streams, so ``r`` epochs then
``R - r`` more give the same net as ``R`` epochs at once (with the constant schedule).

This module imports torch at import time; :mod:`automl.nets.training` uses it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import torch
from torch import nn

if TYPE_CHECKING:
    from .schedule import Horizon
    from .training import TrainResult


def _to(value: Any, device: torch.device | str) -> Any:
    """``value`` with every tensor inside (dicts, lists) moved to ``device``."""
    if isinstance(value, torch.Tensor):
        return value.to(device)
    if isinstance(value, dict):
        return {k: _to(v, device) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to(v, device) for v in value)
    return value


@dataclass
class Checkpoint:
    """The state of a fit loop after its last epoch.

    ``weights`` are the last epoch's (the module itself ends with the best epoch's,
    ``best_weights``); ``rng`` holds the CPU, CUDA and batch-order generator states.
    """

    weights: dict[str, torch.Tensor]
    best_weights: dict[str, torch.Tensor] | None
    optimizer: dict[str, Any]
    step_count: int
    best_loss: float
    result: TrainResult
    rng: dict[str, torch.Tensor]

    @classmethod
    def capture(
        cls,
        module: nn.Module,
        optimizer: torch.optim.Optimizer,
        horizon: Horizon,
        best_loss: float,
        best_weights: dict[str, torch.Tensor] | None,
        result: TrainResult,
        generator: torch.Generator,
        device: torch.device,
    ) -> Checkpoint:
        """The loop's state now; weights are copied, the optimizer's state is not (it is done)."""
        rng = {"cpu": torch.random.get_rng_state(), "generator": generator.get_state()}
        if device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(device)
        weights = {k: v.detach().clone() for k, v in module.state_dict().items()}
        return cls(
            weights=weights,
            best_weights=best_weights,
            optimizer=optimizer.state_dict(),
            step_count=horizon.step_count,
            best_loss=best_loss,
            result=replace(result, history=list(result.history)),
            rng=rng,
        )

    def restore(
        self,
        module: nn.Module,
        optimizer: torch.optim.Optimizer,
        horizon: Horizon,
        generator: torch.Generator,
        device: torch.device,
    ) -> tuple[TrainResult, float, dict[str, torch.Tensor] | None]:
        """Load the state into a fresh loop; return (result so far, best loss, best weights)."""
        module.load_state_dict(self.weights)
        optimizer.load_state_dict(copy.deepcopy(self.optimizer))
        horizon.jump(self.step_count)
        torch.random.set_rng_state(self.rng["cpu"])
        generator.set_state(self.rng["generator"])
        if "cuda" in self.rng and device.type == "cuda":
            torch.cuda.set_rng_state(self.rng["cuda"], device)
        result = replace(self.result, history=list(self.result.history))
        return result, self.best_loss, self.best_weights

    def to(self, device: torch.device | str) -> Checkpoint:
        """A copy with the weights and optimizer state on ``device`` (RNG states stay put).

        Pickles hold a CPU copy; :meth:`restore` needs none, as ``load_state_dict``
        moves the state onto the module's device.
        """
        return replace(
            self,
            weights=_to(self.weights, device),
            best_weights=_to(self.best_weights, device),
            optimizer=_to(self.optimizer, device),
        )
