"""Periodic embeddings of numeric columns (PLR, "lite": one linear map shared by all).

Gorishniy et al. (2022), "On embeddings for numerical features in tabular deep
learning": each scaled value ``x`` of column ``j`` becomes
``ReLU(W [cos(f_j x), sin(f_j x)] + b)`` with trainable angular frequencies ``f_j``
(``n_frequencies`` per column, ``f_j = 2 pi c_j``, ``c_j`` drawn from ``N(0, sigma)``)
and one linear map ``W`` shared by every column, so the cost grows with the columns
only through the frequencies. The raw value is kept beside its embedding, so the net can still use
the column linearly. This module imports torch at import time.
"""

from __future__ import annotations

import math

import torch
from torch import nn

#: Frequencies per column.
N_FREQUENCIES = 16
#: Standard deviation of the initial frequencies, for inputs of unit scale.
FREQUENCY_SCALE = 0.1
#: Width of one column's embedding; fewer when there are many columns (see below).
EMBEDDING_WIDTH = 8
#: The embeddings of all columns together stay at about this width.
MAX_TOTAL_WIDTH = 2048


def embedding_width(n_numeric: int) -> int:
    """Width of each column's embedding: 8, shrunk so that all fit ``MAX_TOTAL_WIDTH``.

    >>> embedding_width(10), embedding_width(500), embedding_width(5000)
    (8, 4, 1)
    """
    if n_numeric <= 0:
        return EMBEDDING_WIDTH
    return max(1, min(EMBEDDING_WIDTH, MAX_TOTAL_WIDTH // n_numeric))


class PeriodicEmbedding(nn.Module):
    """Map ``(n, n_numeric)`` scaled values to ``(n, n_numeric * (width + 1))`` features.

    Parameters
    ----------
    n_numeric : int
        Number of numeric columns.
    n_frequencies : int, default=16
        Trainable frequencies per column.
    sigma : float, default=0.1
        Standard deviation of the initial frequencies.

    Examples
    --------
    >>> emb = PeriodicEmbedding(3)
    >>> emb(torch.zeros(5, 3)).shape, emb.out_features
    (torch.Size([5, 27]), 27)
    """

    def __init__(
        self, n_numeric: int, n_frequencies: int = N_FREQUENCIES, sigma: float = FREQUENCY_SCALE
    ) -> None:
        super().__init__()
        self.width = embedding_width(n_numeric)
        # 2 pi is folded into the frequencies: one product per phase, as in the ONNX export
        self.frequencies = nn.Parameter(
            torch.randn(n_numeric, n_frequencies) * (2 * math.pi * sigma)
        )
        self.linear = nn.Linear(2 * n_frequencies, self.width)
        self.out_features = n_numeric * (self.width + 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Embed every column and append the raw values: ``(n, n_numeric * (width + 1))``."""
        phase = x.unsqueeze(-1) * self.frequencies  # (n, n_numeric, k)
        waves = torch.cat([torch.cos(phase), torch.sin(phase)], dim=-1)
        embedded = torch.relu(self.linear(waves)).flatten(1)
        return torch.cat([x, embedded], dim=1)
