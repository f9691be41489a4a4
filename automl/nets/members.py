"""Several nets trained at once in one: TabM-mini's parameter-efficient ensemble.

Gorishniy et al. (2025), "TabM: advancing tabular deep learning with parameter-efficient
ensembling": ``k`` members share every hidden layer; member ``j`` sees the input
multiplied elementwise by its own vector ``r_j`` (random signs at the start) and has
its own output layer. One forward pass trains all ``k`` on the same batch (each
member's loss, averaged), and the prediction averages the members: their class
probabilities, or their values for regression. The members cost ``k`` times the
compute of one net but barely more parameters, and their average is better
calibrated and more accurate than one net on most tables of the paper's benchmark.

Rows travel through the shared layers as ``(n * k, width)``, so batch norm and the
other layers need no change; :class:`MemberHeads` turns them back into
``(n, k, n_outputs)``. This module imports torch at import time.
"""

from __future__ import annotations

import math

import torch
from torch import nn

#: How the members' outputs are averaged in eval mode.
AVERAGES = ("probability", "value")


class MemberInputs(nn.Module):
    """``(n, d)`` -> ``(n * k, d)``: every row once per member, times that member's ``r_j``.

    Parameters
    ----------
    n_features : int
        Width ``d`` of the input.
    k : int
        Number of members.
    """

    def __init__(self, n_features: int, k: int) -> None:
        super().__init__()
        signs = torch.randint(0, 2, (k, n_features)).float() * 2 - 1
        self.scale = nn.Parameter(signs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Each row repeated for the ``k`` members and scaled by their vectors."""
        return (x.unsqueeze(1) * self.scale).reshape(-1, x.shape[-1])


class MemberHeads(nn.Module):
    """``k`` output layers over ``(n * k, width)`` rows: ``(n, k, n_outputs)`` in training.

    In eval mode the members are averaged into ``(n, n_outputs)``: their class
    probabilities (returned as log-probabilities, which softmax maps back to the
    average) for ``average="probability"``, their outputs for ``average="value"``.

    Parameters
    ----------
    width : int
        Width of the rows coming in.
    n_outputs : int
        Outputs of each member.
    k : int
        Number of members.
    average : {"probability", "value"}
        How the members are combined when predicting.
    """

    def __init__(self, width: int, n_outputs: int, k: int, average: str) -> None:
        super().__init__()
        if average not in AVERAGES:
            raise ValueError(f"average must be one of {AVERAGES}; got {average!r}")
        self.k, self.average = k, average
        bound = 1.0 / math.sqrt(width)  # nn.Linear's initialisation, per member
        self.weight = nn.Parameter(torch.empty(k, width, n_outputs).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(k, n_outputs).uniform_(-bound, bound))

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Members' outputs ``(n, k, n_outputs)`` in training, their average otherwise."""
        per_member = h.reshape(-1, self.k, h.shape[-1]).transpose(0, 1)  # (k, n, width)
        out = (torch.matmul(per_member, self.weight) + self.bias.unsqueeze(1)).transpose(0, 1)
        if self.training:
            return out
        if self.average == "value":
            return out.mean(dim=1)
        return torch.logsumexp(torch.log_softmax(out, dim=-1), dim=1) - math.log(self.k)


def member_rows(
    output: torch.Tensor, target: torch.Tensor, weight: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """Flatten ``(n, k, n_outputs)`` member outputs into ``n * k`` rows with their labels.

    The mean loss over these rows is the mean over members of each member's loss, so
    every member trains on the whole batch. Outputs of one net (2-D) pass unchanged.
    """
    if output.ndim != 3:
        return output, target, weight
    k = output.shape[1]
    output = output.reshape(-1, output.shape[-1])
    target = target.repeat_interleave(k, dim=0)
    return output, target, None if weight is None else weight.repeat_interleave(k)
