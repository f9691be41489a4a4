"""XGBoost as a model family: its search space, defaults and portfolio.

The estimators are the adapters of :mod:`automl.models.xgb_adapters` (class
weighting, early stopping whose rounds the refit on all rows reuses).
"""

from __future__ import annotations

from typing import Any

from ..space import Integer, Real, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily
from .xgb_adapters import XGBoostClassifier, XGBoostRegressor

__all__ = ["FAMILY", "XGBoostClassifier", "XGBoostRegressor"]


def _build(params: dict[str, Any], ctx: ModelContext) -> Any:
    device = "cuda" if ctx.device == "cuda" else "cpu"
    if ctx.is_regression:
        return XGBoostRegressor(
            **_booster_params(params),
            n_jobs=ctx.n_threads,
            device=device,
            random_state=ctx.random_state,
        )
    return XGBoostClassifier(
        **_booster_params(params),
        class_weight="balanced" if params.get("class_weight") == "balanced" else None,
        n_jobs=ctx.n_threads,
        device=device,
        random_state=ctx.random_state,
    )


def _booster_params(params: dict[str, Any]) -> dict[str, Any]:
    """The booster's hyperparameters from a configuration, with XGBoost's meaning.

    ``refit_rounds`` (set by the final refit, see :mod:`automl.rounds`) fixes the
    rounds found by early stopping in the folds, and turns early stopping off.
    """
    n_estimators = int(params.get("n_estimators", 300))
    fixed = params.get("refit_rounds")
    if fixed is not None:
        n_estimators = max(1, min(int(fixed), n_estimators))
    return dict(
        early_stopping=fixed is None,
        n_estimators=n_estimators,
        learning_rate=float(params.get("learning_rate", 0.1)),
        max_depth=int(params.get("max_depth", 6)),
        min_child_weight=float(params.get("min_child_weight", 1.0)),
        subsample=float(params.get("subsample", 1.0)),
        colsample_bytree=float(params.get("colsample_bytree", 1.0)),
        reg_alpha=float(params.get("reg_alpha", 0.0)),
        reg_lambda=float(params.get("reg_lambda", 1.0)),
        gamma=float(params.get("gamma", 0.0)),
    )


def _space(ctx: ModelContext) -> Space:
    return {
        "n_estimators": Integer(50, 1000, log=True),
        "learning_rate": Real(0.01, 0.3, log=True),
        "max_depth": Integer(2, 10),
        "min_child_weight": Real(0.5, 20.0, log=True),
        "subsample": Real(0.5, 1.0),
        "colsample_bytree": Real(0.4, 1.0),
        "reg_alpha": Real(1e-6, 5.0, log=True),
        "reg_lambda": Real(1e-3, 20.0, log=True),
    }


def _default(ctx: ModelContext) -> dict[str, Any]:
    return {
        "n_estimators": 200,
        "learning_rate": 0.05,
        "max_depth": 6,
        "min_child_weight": 1.0,
        "subsample": 0.8,
        "colsample_bytree": 0.8,
        "reg_alpha": 1e-6,
        "reg_lambda": 1.0,
    }


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    # Beside the moderate default: XGBoost's own defaults (fast, sharp, fits fine
    # structure of large low-dimensional data), and a shallow, slowly learning,
    # strongly regularised booster for small or noisy data.
    return [
        {
            "n_estimators": 100,
            "learning_rate": 0.3,
            "max_depth": 6,
            "subsample": 1.0,
            "colsample_bytree": 1.0,
        },
        {
            "n_estimators": 400,
            "learning_rate": 0.03,
            "max_depth": 3,
            "min_child_weight": 3.0,
            "subsample": 0.7,
            "colsample_bytree": 0.6,
            "reg_lambda": 5.0,
        },
    ]


FAMILY = ModelFamily(
    libraries=("xgboost",),
    name="xgboost",
    build=_build,
    space=_space,
    default=_default,
    portfolio=_portfolio,
    handles_missing=True,
    categorical_encoding="onehot",
    cost=3.0,
    tasks=BOTH_TASKS,
    description="XGBoost gradient-boosted trees (hist), optional balanced weights.",
    supports_sample_weight=True,
)
