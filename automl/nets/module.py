"""The torch module: numeric inputs and categorical embeddings feeding an MLP.

This module imports torch at import time; import it only where torch is needed
(:mod:`automl.nets.classifier` does so lazily, inside ``fit``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .members import MemberHeads, MemberInputs
from .periodic import PeriodicEmbedding


def embedding_dim(cardinality: int, scale: float = 1.0) -> int:
    """Width of the embedding of a categorical column with ``cardinality`` codes.

    The usual ``1.6 * cardinality ** 0.56`` rule (capped at 32), times ``scale``.
    """
    base = min(32.0, 1.6 * cardinality**0.56)
    return max(1, int(round(base * scale)))


def _norm(kind: str, width: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm1d(width)
    if kind == "layer":
        return nn.LayerNorm(width)
    return nn.Identity()


class ResidualBlock(nn.Module):
    """Pre-norm residual block: ``x + Dropout(Linear(Dropout(ReLU(Linear(Norm(x))))))``."""

    def __init__(self, width: int, dropout: float, norm: str) -> None:
        super().__init__()
        self.body = nn.Sequential(
            _norm(norm, width),
            nn.Linear(width, width),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(width, width),
            nn.Dropout(dropout),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class TabularMLP(nn.Module):
    """MLP over standardized numeric columns and embedded categorical codes.

    Parameters
    ----------
    n_numeric : int
        Number of numeric input columns.
    cardinalities : sequence of int
        Number of embedding rows of each categorical column (index 0 is "unknown").
    n_outputs : int
        Number of logits; the classifier always uses one logit per class, binary
        included, so that one cross-entropy covers every task.
    hidden_width : int
        Width of every hidden layer.
    depth : int
        Number of hidden layers (plain) or residual blocks (``residual=True``).
    dropout : float
        Dropout probability in ``[0, 1)``.
    residual : bool
        Residual blocks (``x + f(x)``, pre-norm) instead of a plain stack.
    norm : {"batch", "layer", "none"}
        Normalization inside each hidden layer or block.
    embedding_scale : float
        Multiplies every embedding width (see :func:`embedding_dim`).
    numeric_embedding : {"none", "periodic"}
        Feed the numeric columns as they are, or each through trainable periodic
        features beside its raw value (:class:`~automl.nets.periodic.PeriodicEmbedding`).
    ensemble_size : int
        Members trained at once (TabM-mini, :mod:`automl.nets.members`): 1 is one
        plain net; ``k > 1`` members share the hidden layers, each with its own input
        scaling and output layer, and are averaged when predicting.
    average : {"probability", "value"}
        How members are averaged: class probabilities (the classifier; the output
        is then the log of the average probability) or values (the regressor).

    Examples
    --------
    >>> net = TabularMLP(3, [5], n_outputs=2, hidden_width=8, depth=1)
    >>> net(torch.zeros(4, 3), torch.zeros(4, 1, dtype=torch.long)).shape
    torch.Size([4, 2])
    """

    def __init__(
        self,
        n_numeric: int,
        cardinalities: Sequence[int],
        n_outputs: int,
        *,
        hidden_width: int = 256,
        depth: int = 2,
        dropout: float = 0.1,
        residual: bool = True,
        norm: str = "batch",
        embedding_scale: float = 1.0,
        numeric_embedding: str = "none",
        ensemble_size: int = 1,
        average: str = "probability",
    ) -> None:
        super().__init__()
        dims = [embedding_dim(card, embedding_scale) for card in cardinalities]
        self.embeddings = nn.ModuleList(
            nn.Embedding(card, dim) for card, dim in zip(cardinalities, dims, strict=True)
        )
        self.numeric: nn.Module = nn.Identity()
        n_numeric_out = n_numeric
        if numeric_embedding == "periodic" and n_numeric > 0:
            periodic = PeriodicEmbedding(n_numeric)
            self.numeric, n_numeric_out = periodic, periodic.out_features
        n_in = n_numeric_out + sum(dims)
        layers: list[nn.Module] = []
        if residual:
            layers.append(nn.Linear(n_in, hidden_width))
            layers.extend(ResidualBlock(hidden_width, dropout, norm) for _ in range(depth))
            layers.extend([_norm(norm, hidden_width), nn.ReLU()])
        else:
            width_in = n_in
            for _ in range(depth):
                layers.extend(
                    [
                        nn.Linear(width_in, hidden_width),
                        _norm(norm, hidden_width),
                        nn.ReLU(),
                        nn.Dropout(dropout),
                    ]
                )
                width_in = hidden_width
        self.body = nn.Sequential(*layers)
        head_width = hidden_width if (residual or depth > 0) else n_in
        self.members: nn.Module = nn.Identity()
        self.head: nn.Module = nn.Linear(head_width, n_outputs)
        if ensemble_size > 1:
            self.members = MemberInputs(n_in, ensemble_size)
            self.head = MemberHeads(head_width, n_outputs, ensemble_size, average)

    def __setstate__(self, state: dict) -> None:
        """Restore a pickled net; one pickled before numeric embeddings or members existed
        has none."""
        super().__setstate__(state)
        for name in ("numeric", "members"):
            if name not in self._modules:
                self._modules[name] = nn.Identity()

    def forward(self, x_num: torch.Tensor, x_cat: torch.Tensor | None = None) -> torch.Tensor:
        """Return logits of shape ``(n, n_outputs)``; ``(n, k, n_outputs)`` when training
        ``k > 1`` members.

        ``x_num`` is float ``(n, n_numeric)``; ``x_cat`` is long ``(n, n_categorical)``
        holding embedding indices (or None when there are no categorical columns).
        """
        x_num = self.numeric(x_num)
        if len(self.embeddings) and x_cat is not None:
            parts = [x_num] + [emb(x_cat[:, i]) for i, emb in enumerate(self.embeddings)]
            x_num = torch.cat(parts, dim=1)
        return self.head(self.body(self.members(x_num)))
