"""The fit loop of the regressor: :class:`~automl.nets.training.Trainer` with a regression loss.

This module imports torch at import time; :mod:`automl.nets.regressor` imports it
lazily, inside ``fit``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .training import TrainConfig, Trainer


class RegressionTrainer(Trainer):
    """Trains a module on (standardized) float targets: one column, or one per target.

    Parameters
    ----------
    module : torch.nn.Module
        Returns shape ``(n, 1)`` for a 1-D target, ``(n, k)`` for ``k`` targets; on ``device``.
    config : TrainConfig
        Optimization settings.
    device : torch.device
        Where the module and the data are.
    generator : torch.Generator
        Source of the batch order (on ``device``).
    loss : {"mse", "huber"}, default="mse"
        Squared error, or the Huber loss with ``delta=1`` (one target standard
        deviation when the targets are standardized).
    """

    def __init__(
        self,
        module: nn.Module,
        config: TrainConfig,
        device: torch.device,
        generator: torch.Generator,
        loss: str = "mse",
    ) -> None:
        super().__init__(module, config, device, generator)
        self.loss = loss

    def _losses(self, output: torch.Tensor, target: torch.Tensor, reduction: str) -> torch.Tensor:
        if target.ndim == 1:  # one target: the module's single output column
            output = output[:, 0]
        if self.loss == "huber":
            return F.huber_loss(output, target, reduction=reduction, delta=1.0)
        return F.mse_loss(output, target, reduction=reduction)

    def batch_loss(
        self, output: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Mean squared error or Huber loss of one batch, weighted by ``weight`` per row."""
        if weight is None:
            return self._losses(output, target, "mean")
        total, weights = self.loss_terms(output, target, weight)
        return total / torch.as_tensor(weights).clamp_min(1e-12)

    def loss_terms(
        self, output: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor | int]:
        """``(sum of row losses, sum of row weights)`` of a chunk (weights: 1 per row by default).

        A row's loss is the mean over its targets where there are several (2-D ``target``).
        """
        losses = self._losses(output, target, "none")
        if losses.ndim == 2:
            losses = losses.mean(dim=1)
        if weight is None:
            return losses.sum(), losses.numel()
        return (losses * weight).sum(), weight.sum()
