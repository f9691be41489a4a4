"""Logistic regression: the cheap, well-calibrated linear baseline."""

from __future__ import annotations

from typing import Any

from sklearn.linear_model import LogisticRegression

from ..space import Categorical, Real, Space
from .base import ModelContext, ModelFamily


def _solver(params: dict[str, Any], ctx: ModelContext) -> str:
    """lbfgs for L2; for L1, liblinear (fast) on two classes and saga on more."""
    if params.get("penalty", "l2") != "l1":
        return "lbfgs"
    return "liblinear" if ctx.n_classes == 2 else "saga"


def _build(params: dict[str, Any], ctx: ModelContext) -> LogisticRegression:
    weight = "balanced" if params.get("class_weight") == "balanced" else None
    return LogisticRegression(
        C=float(params.get("C", 1.0)),
        l1_ratio=0.0 if params.get("penalty", "l2") == "l2" else 1.0,
        solver=_solver(params, ctx),
        class_weight=weight,
        max_iter=int(params.get("max_iter", 300 if params.get("penalty") == "l1" else 1000)),
        random_state=ctx.random_state,
    )


def _space(ctx: ModelContext) -> Space:
    return {"C": Real(1e-3, 100.0, log=True), "penalty": Categorical(["l2", "l1"])}


def _default(ctx: ModelContext) -> dict[str, Any]:
    return {"C": 1.0, "penalty": "l2"}


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    # Strong shrinkage, for wide data with few rows per feature.
    return [{"C": 0.05, "penalty": "l2"}]


FAMILY = ModelFamily(
    name="logreg",
    build=_build,
    space=_space,
    default=_default,
    portfolio=_portfolio,
    scale_sensitive=True,
    categorical_encoding="onehot",
    supports_sample_weight=True,
    cost=1.0,
    description="Logistic regression (scikit-learn), L2 or L1 penalty.",
)
