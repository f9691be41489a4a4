"""Linear regression with shrinkage: ridge (L2) or elastic net (L1 + L2).

The regression counterpart of ``logreg``: cheap, a strong baseline on wide or
small data, and a different kind of model for the ensemble to blend with trees.
"""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import ElasticNet, Ridge

from ..space import Categorical, Real, Space
from .base import ModelContext, ModelFamily


def _build(params: dict[str, Any], ctx: ModelContext) -> Any:
    alpha = float(params.get("alpha", 1.0))
    if params.get("penalty", "l2") == "l2":
        return Ridge(alpha=alpha, random_state=ctx.random_state)
    return ElasticNet(
        alpha=alpha,
        l1_ratio=float(params.get("l1_ratio", 0.5)),
        max_iter=int(params.get("max_iter", 2000)),
        selection="random",
        random_state=ctx.random_state,
    )


def _space(ctx: ModelContext) -> Space:
    return {
        "alpha": Real(1e-4, 100.0, log=True),
        "penalty": Categorical(["l2", "elasticnet"]),
        "l1_ratio": Real(0.05, 1.0),
    }


def _default(ctx: ModelContext) -> dict[str, Any]:
    return {"alpha": 1.0, "penalty": "l2", "l1_ratio": 0.5}


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    # Weak shrinkage (many rows per feature), and a sparse elastic net for wide data.
    return [{"alpha": 0.01}, {"alpha": 0.01, "penalty": "elasticnet", "l1_ratio": 0.9}]


FAMILY = ModelFamily(
    name="linear",
    build=_build,
    space=_space,
    default=_default,
    portfolio=_portfolio,
    scale_sensitive=True,
    categorical_encoding="onehot",
    supports_class_weight=False,
    supports_sample_weight=True,
    cost=1.0,
    tasks=frozenset({"regression"}),
    description="Ridge or elastic-net linear regression (scikit-learn).",
)
