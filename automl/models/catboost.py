"""The ``catboost`` family: CatBoost, strongest on its defaults (GitHub issue 18).

Symmetric trees, ordered boosting and ordered target statistics for the ordinal
codes of categorical columns, early stopping on an inner split of the training
fold, and a time limit from the context (CPU only). The estimators live in
:mod:`automl.boosters`.
"""

from __future__ import annotations

from typing import Any

from ..boosters import CatBoostClassifier, CatBoostRegressor
from ..exceptions import ConfigError
from ..space import Integer, Real, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily

# Share of ``context.time_limit`` given to boosting; the rest covers preprocessing,
# data conversion and prediction.
_TIME_SHARE = 0.8


def _build(params: dict[str, Any], ctx: ModelContext) -> Any:
    config = {**_default(ctx), **{k: v for k, v in params.items() if k != "class_weight"}}
    unknown = sorted(set(config) - set(_space(ctx)))
    if unknown:
        raise ConfigError(
            f"Unknown parameter(s) {', '.join(map(repr, unknown))} for the catboost family. "
            f"Valid names: {', '.join(sorted(_space(ctx)))}, class_weight."
        )
    shared: dict[str, Any] = dict(
        n_estimators=int(config["n_estimators"]),
        learning_rate=float(config["learning_rate"]),
        depth=int(config["depth"]),
        l2_leaf_reg=float(config["l2_leaf_reg"]),
        random_strength=float(config["random_strength"]),
        bagging_temperature=float(config["bagging_temperature"]),
        categorical_features=list(ctx.categorical_features) or None,
        max_time=None if ctx.time_limit is None else max(0.3, _TIME_SHARE * ctx.time_limit),
        n_jobs=max(1, int(ctx.n_threads)),
        device=ctx.device,
        random_state=ctx.random_state,
    )
    if ctx.is_regression:
        return CatBoostRegressor(**shared)
    balanced = params.get("class_weight", "none") == "balanced"
    return CatBoostClassifier(**shared, class_weight="balanced" if balanced else None)


def _space(ctx: ModelContext) -> Space:
    return {
        "n_estimators": Integer(100, 2000, log=True),
        "learning_rate": Real(0.01, 0.3, log=True),
        "depth": Integer(3, 10),
        "l2_leaf_reg": Real(0.5, 30.0, log=True),
        "random_strength": Real(0.1, 10.0, log=True),
        "bagging_temperature": Real(0.0, 1.0),
    }


def _default(ctx: ModelContext) -> dict[str, Any]:
    # CatBoost's own defaults (depth 6, L2 3, bagging temperature 1), but a learning
    # rate of 0.05 and early stopping: for 1,000 rounds CatBoost picks 0.01 (1k rows)
    # to 0.04 (20k rows), which rarely finishes within a trial's time here.
    return {
        "n_estimators": 1000,
        "learning_rate": 0.05,
        "depth": 6,
        "l2_leaf_reg": 3.0,
        "random_strength": 1.0,
        "bagging_temperature": 1.0,
    }


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    # Beside the default: deeper trees learning slowly under stronger L2 (data with
    # interactions), and shallow fast trees with more split noise (small, noisy data).
    return [
        {"depth": 8, "learning_rate": 0.04, "l2_leaf_reg": 6.0, "bagging_temperature": 0.5},
        {"depth": 4, "learning_rate": 0.1, "l2_leaf_reg": 1.0, "random_strength": 3.0},
    ]


FAMILY = ModelFamily(
    libraries=("catboost",),
    name="catboost",
    build=_build,
    space=_space,
    default=_default,
    portfolio=_portfolio,
    handles_missing=True,
    categorical_encoding="ordinal",
    # benchmarks/booster_costs.py: 5-14x XGBoost's fit time on 4-5k rows on one
    # thread, 27-130x logreg's; scheduled after every other default.
    cost=15.0,
    tasks=BOTH_TASKS,
    description="CatBoost symmetric trees, ordered target statistics for categories.",
)
