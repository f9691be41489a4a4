"""The ``mlp`` family: a PyTorch MLP with categorical embeddings (GitHub issue 4).

The net standardizes and imputes numeric columns itself and embeds ordinal-coded
categorical columns, so the graph skips scaling for it and hands it ordinal codes.
torch is imported only when a net is fitted.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError
from ..nets import TabularNetClassifier, TabularNetRegressor
from ..space import Categorical, Integer, Real, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily

# Share of ``context.time_limit`` given to training; the rest covers preprocessing,
# the validation pass and prediction.
_TIME_SHARE = 0.85
_MAX_EPOCHS = 200
_PATIENCE = 12
# Members trained at once in every classification net (TabM-mini,
# automl/nets/members.py). Measured with the net tuned alone (benchmarks/net_members.py,
# 60 s, 17 imbalanced tables, seed 0): mean test ROC AUC 0.8601 with one member, 0.8722
# with 4 (above on 13 of 17), 0.8696 with 8. Regression keeps one member: with 4, the
# whole AutoMLRegressor (60 s, 13 regression tables, seed 0) had a mean test RMSE ratio
# of 1.004 to one member's, worse on 8 tables and better on 2.
CLASSIFICATION_ENSEMBLE_SIZE = 4


def mlp_space(context: ModelContext) -> Space:
    """Search space of the family (a fresh dict on each call)."""
    space: Space = {
        "hidden_width": Integer(32, 512, log=True),
        "depth": Integer(1, 4),
        "dropout": Real(0.0, 0.5),
        "learning_rate": Real(1e-4, 1e-2, log=True),
        "weight_decay": Real(1e-6, 1e-2, log=True),
        "batch_size": Categorical([64, 128, 256, 512, 1024]),
        "embedding_scale": Real(0.5, 2.0, log=True),
        "residual": Categorical([True, False]),
        "norm": Categorical(["batch", "layer", "none"]),
    }
    if context.is_regression:
        space["loss"] = Categorical(["mse", "huber"])  # Huber for targets with outliers
        # Searched for regression only: in a paired run of the whole classifier (13
        # PEERS tables, 60 s, seed 0) adding them moved mean ROC AUC 0.9131 -> 0.9107
        # and F1 0.5606 -> 0.5455, though the net alone gained (results in issue 18).
        space["numeric_scaling"] = Categorical(["standard", "robust_clip"])
        space["numeric_embedding"] = Categorical(["none", "periodic"])
    return space


def mlp_default(context: ModelContext) -> dict[str, Any]:
    """A known-good configuration: a 2-block residual net of width 256.

    Regression starts from robust, smoothly clipped numeric inputs (measured on six
    regression tables, the net alone: RMSE 0.964 x standardized inputs).
    """
    default: dict[str, Any] = {
        "hidden_width": 256,
        "depth": 2,
        "dropout": 0.1,
        "learning_rate": 1e-3,
        "weight_decay": 1e-5,
        "batch_size": 256 if context.n_rows >= 2000 else 128,
        "embedding_scale": 1.0,
        "residual": True,
        "norm": "batch",
    }
    if context.is_regression:
        default["loss"] = "mse"
        default["numeric_scaling"] = "robust_clip"
        default["numeric_embedding"] = "none"
    return default


def build_mlp(
    params: dict[str, Any], context: ModelContext
) -> TabularNetClassifier | TabularNetRegressor:
    """Build an unfitted net: a classifier, or a regressor for a regression context.

    Keys of ``params`` missing from the space take their default value; unknown
    keys raise :class:`~automl.exceptions.ConfigError`.
    """
    params = dict(params)
    class_weight = params.pop("class_weight", "none")
    if class_weight not in ("none", "balanced"):
        raise ConfigError(
            "The 'class_weight' parameter of the mlp family must be 'none' or 'balanced'. "
            f"Got {class_weight!r} instead."
        )
    unknown = sorted(set(params) - set(mlp_space(context)))
    if unknown:
        raise ConfigError(
            f"Unknown parameter(s) {', '.join(map(repr, unknown))} for the mlp family. "
            f"Valid names: {', '.join(sorted(mlp_space(context)))}, class_weight."
        )
    config = {**mlp_default(context), **params}
    max_time = None
    if context.time_limit is not None:
        max_time = max(0.5, _TIME_SHARE * context.time_limit)
    shared: dict[str, Any] = dict(
        categorical_features=list(context.categorical_features) or None,
        max_epochs=_MAX_EPOCHS,
        patience=_PATIENCE,
        max_time=max_time,
        device=context.device,
        n_threads=context.n_threads,
        random_state=context.random_state,
    )
    if context.is_regression:
        return TabularNetRegressor(**config, **shared)
    return TabularNetClassifier(
        **config,
        **shared,
        ensemble_size=CLASSIFICATION_ENSEMBLE_SIZE,
        class_weight=None if class_weight == "none" else "balanced",
    )


MLP = ModelFamily(
    name="mlp",
    libraries=("torch",),
    build=build_mlp,
    space=mlp_space,
    default=mlp_default,
    scale_sensitive=False,
    handles_missing=True,
    categorical_encoding="ordinal",
    supports_class_weight=True,
    supports_sample_weight=True,
    # a prior until the first trial is timed; one member (regression) costs about this,
    # the classifier's 4 members 2-4.6x more (13 tables, offline)
    cost=8.0,
    tasks=BOTH_TASKS,
    description=(
        "PyTorch MLP with categorical embeddings, residual blocks, early stopping and "
        "(classification) 4 members trained at once"
    ),
    tags=frozenset({"neural", "torch", "gpu"}),
)
