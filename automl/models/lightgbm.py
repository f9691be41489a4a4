"""The ``lightgbm`` family: LightGBM, the cheapest strong booster (GitHub issue 18).

Leaf-wise trees on histograms with native splits on the ordinal codes of
categorical columns, early stopping on an inner split of the training fold, and a
time limit from the context. The estimators live in :mod:`automl.boosters`.
"""

from __future__ import annotations

from typing import Any

from ..boosters import LightGBMClassifier, LightGBMRegressor
from ..exceptions import ConfigError
from ..space import Categorical, Integer, Real, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily

# Share of ``context.time_limit`` given to boosting; the rest covers preprocessing
# and prediction.
_TIME_SHARE = 0.85


def _build(params: dict[str, Any], ctx: ModelContext) -> Any:
    config = {**_default(ctx), **{k: v for k, v in params.items() if k != "class_weight"}}
    unknown = sorted(set(config) - set(_space(ctx)))
    if unknown:
        raise ConfigError(
            f"Unknown parameter(s) {', '.join(map(repr, unknown))} for the lightgbm family. "
            f"Valid names: {', '.join(sorted(_space(ctx)))}, class_weight."
        )
    shared: dict[str, Any] = dict(
        n_estimators=int(config["n_estimators"]),
        learning_rate=float(config["learning_rate"]),
        num_leaves=int(config["num_leaves"]),
        min_child_samples=int(config["min_child_samples"]),
        subsample=float(config["subsample"]),
        colsample_bytree=float(config["colsample_bytree"]),
        reg_alpha=float(config["reg_alpha"]),
        reg_lambda=float(config["reg_lambda"]),
        extra_trees=bool(config["extra_trees"]),
        categorical_features=list(ctx.categorical_features) or None,
        max_time=None if ctx.time_limit is None else max(0.3, _TIME_SHARE * ctx.time_limit),
        n_jobs=max(1, int(ctx.n_threads)),
        device=ctx.device,
        random_state=ctx.random_state,
    )
    if ctx.is_regression:
        return LightGBMRegressor(**shared)
    balanced = params.get("class_weight", "none") == "balanced"
    return LightGBMClassifier(**shared, class_weight="balanced" if balanced else None)


def _space(ctx: ModelContext) -> Space:
    return {
        "n_estimators": Integer(100, 3000, log=True),
        "learning_rate": Real(0.01, 0.3, log=True),
        "num_leaves": Integer(4, 256, log=True),
        "min_child_samples": Integer(2, 100, log=True),
        "subsample": Real(0.5, 1.0),
        "colsample_bytree": Real(0.3, 1.0),
        "reg_alpha": Real(1e-6, 10.0, log=True),
        "reg_lambda": Real(1e-6, 10.0, log=True),
        "extra_trees": Categorical([False, True]),
    }


def _default(ctx: ModelContext) -> dict[str, Any]:
    # AutoGluon's LightGBM default: a moderate learning rate, LightGBM's own trees,
    # many rounds cut by early stopping.
    return {
        "n_estimators": 2000,
        "learning_rate": 0.05,
        "num_leaves": 31,
        "min_child_samples": 20,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_alpha": 1e-6,
        "reg_lambda": 1e-6,
        "extra_trees": False,
    }


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    # Beside the default: extremely randomized splits (AutoGluon's "LightGBMXT",
    # smoother on small noisy data), a large slow booster with small leaves for
    # data with many interactions, and a small bagged, regularised one.
    return [
        {"extra_trees": True},
        {
            "learning_rate": 0.03,
            "num_leaves": 128,
            "min_child_samples": 3,
            "colsample_bytree": 0.9,
        },
        {
            "learning_rate": 0.03,
            "num_leaves": 15,
            "min_child_samples": 30,
            "subsample": 0.7,
            "colsample_bytree": 0.6,
            "reg_lambda": 5.0,
        },
    ]


FAMILY = ModelFamily(
    libraries=("lightgbm",),
    name="lightgbm",
    build=_build,
    space=_space,
    default=_default,
    portfolio=_portfolio,
    handles_missing=True,
    categorical_encoding="ordinal",
    # benchmarks/booster_costs.py: 0.6-2.8x XGBoost's fit time on 4-5k rows (it runs
    # more rounds before early stopping ends it), 3-35x logreg's.
    cost=3.0,
    tasks=BOTH_TASKS,
    description="LightGBM leaf-wise boosting, native categorical splits, early stopping.",
)
