"""Random forest and extra trees: bagged trees, robust defaults, little tuning needed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from ..space import Categorical, Integer, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily


def _builder(cls: type, regressor: type) -> Callable[[dict[str, Any], ModelContext], Any]:
    def build(params: dict[str, Any], ctx: ModelContext) -> Any:
        if ctx.is_regression:
            return regressor(
                n_estimators=int(params.get("n_estimators", 300)),
                max_features=params.get("max_features", 1.0),
                min_samples_leaf=int(params.get("min_samples_leaf", 1)),
                n_jobs=ctx.n_threads,
                random_state=ctx.random_state,
            )
        weight = params.get("class_weight", "none")
        return cls(
            n_estimators=int(params.get("n_estimators", 300)),
            max_features=params.get("max_features", "sqrt"),
            min_samples_leaf=int(params.get("min_samples_leaf", 1)),
            criterion=params.get("criterion", "gini"),
            class_weight="balanced_subsample" if weight == "balanced" else None,
            n_jobs=ctx.n_threads,
            random_state=ctx.random_state,
        )

    return build


def _space(ctx: ModelContext) -> Space:
    if ctx.is_regression:  # regression forests split on squared error; all features by default
        return {
            "n_estimators": Integer(100, 600, log=True),
            "max_features": Categorical([1.0, 0.8, 0.5, "sqrt"]),
            "min_samples_leaf": Integer(1, 20, log=True),
        }
    return {
        "n_estimators": Integer(100, 600, log=True),
        "max_features": Categorical(["sqrt", "log2", 0.5, 0.8]),
        "min_samples_leaf": Integer(1, 20, log=True),
        "criterion": Categorical(["gini", "entropy"]),
    }


#: Rows above which the default forest is made smaller, so its first trial stays cheap.
LARGE_ROWS = 10_000


def _default(ctx: ModelContext) -> dict[str, Any]:
    large = ctx.n_rows > LARGE_ROWS
    if ctx.is_regression:
        return {
            "n_estimators": 100 if large else 300,
            "max_features": 1.0,
            "min_samples_leaf": 2 if large else 1,
        }
    return {
        "n_estimators": 100 if large else 300,
        "max_features": "sqrt",
        "min_samples_leaf": 2 if large else 1,
        "criterion": "gini",
    }


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    if ctx.is_regression:
        return [{"max_features": 0.5, "min_samples_leaf": 3}]
    # Beside sqrt features per split: half of the features with the entropy
    # criterion, stronger on data where few features carry the signal.
    return [{"max_features": 0.5, "criterion": "entropy"}]


RANDOM_FOREST = ModelFamily(
    name="random_forest",
    build=_builder(RandomForestClassifier, RandomForestRegressor),
    space=_space,
    default=_default,
    portfolio=_portfolio,
    handles_missing=True,
    supports_sample_weight=True,
    cost=4.0,
    tasks=BOTH_TASKS,
    description="Random forest (scikit-learn).",
)

EXTRA_TREES = ModelFamily(
    name="extra_trees",
    build=_builder(ExtraTreesClassifier, ExtraTreesRegressor),
    space=_space,
    default=_default,
    portfolio=_portfolio,
    handles_missing=True,
    supports_sample_weight=True,
    cost=3.0,
    tasks=BOTH_TASKS,
    description="Extremely randomized trees (scikit-learn).",
)
