"""Learning-rate schedules of the net fit loops, applied step by step.

This module imports torch only for type hints; :mod:`automl.nets.training` uses it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch

#: Schedule names :func:`schedule_factor` knows.
SCHEDULE_NAMES = ("constant", "cosine", "onecycle")


def schedule_factor(kind: str, step: int, total: int) -> float:
    """Learning-rate multiplier at optimizer step ``step`` of ``total``.

    ``"onecycle"``: cosine warm-up from lr/25 to lr over the first 30% of steps, then
    cosine annealing to about lr/25e4. ``"cosine"``: linear warm-up over the first 5%
    of steps, then cosine annealing to 0. ``"constant"``: 1 at every step. Steps past
    ``total`` keep the final value.
    """
    if kind == "constant":
        return 1.0
    total = max(total, 2)
    step = min(step, total)
    if kind == "onecycle":
        warm = max(1, int(0.3 * total))
        start, end = 1 / 25, 1 / 25e4
        if step < warm:
            return start + (1 - start) * (1 - math.cos(math.pi * step / warm)) / 2
        progress = (step - warm) / max(1, total - warm)
        return end + (1 - end) * (1 + math.cos(math.pi * progress)) / 2
    warm = max(1, int(0.05 * total))
    if step < warm:
        return (step + 1) / warm
    progress = (step - warm) / max(1, total - warm)
    return 0.5 * (1 + math.cos(math.pi * progress))


class Horizon:
    """The learning-rate schedule of one fit, applied to an optimizer step by step.

    ``total`` is the planned number of optimizer steps; it is shrunk once a time limit
    shows it unreachable. Setting the rate directly costs less per step than a
    ``torch.optim.lr_scheduler`` object, which matters where steps are launch-bound (GPU).
    """

    def __init__(self, optimizer: torch.optim.Optimizer, kind: str, total: int) -> None:
        self.optimizer, self.kind, self.total, self.step_count = optimizer, kind, total, 0
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self._apply()

    def __call__(self, step: int) -> float:
        return schedule_factor(self.kind, step, self.total)

    def step(self) -> None:
        """Advance one optimizer step and set the learning rate for the next."""
        self.step_count += 1
        if self.kind != "constant":
            self._apply()

    def jump(self, step_count: int) -> None:
        """Continue from optimizer step ``step_count`` (a resumed fit) and set its rate."""
        self.step_count = step_count
        self._apply()

    def _apply(self) -> None:
        factor = self(self.step_count)
        for group, base in zip(self.optimizer.param_groups, self.base_lrs, strict=True):
            group["lr"] = base * factor
