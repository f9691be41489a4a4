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
    """Trains a one-output module on (standardized) float targets.

    Parameters
    ----------
    module : torch.nn.Module
        Called as ``module(x_num, x_cat)``, returning shape ``(n, 1)``; on ``device``.
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
        if self.loss == "huber":
            return F.huber_loss(output[:, 0], target, reduction=reduction, delta=1.0)
        return F.mse_loss(output[:, 0], target, reduction=reduction)

    def batch_loss(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Mean squared error or Huber loss of one batch."""
        return self._losses(output, target, "mean")

    def loss_terms(
        self, output: torch.Tensor, target: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor | int]:
        """``(sum of row losses, number of rows)`` of a chunk."""
        losses = self._losses(output, target, "none")
        return losses.sum(), losses.numel()
