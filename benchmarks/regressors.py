"""The regression systems, picked by name when the suite's task is regression.

- ``automl``: :class:`automl.AutoMLRegressor` on the raw frame, optimising the run's metric;
- ``hgb``: default ``HistGradientBoostingRegressor``, native categoricals;
- ``xgb``: default ``XGBRegressor``, categoricals as ordinal codes, NaN left to XGBoost;
- ``ridge``: impute, one-hot, scale (as ``lr``), ``RidgeCV`` over 13 alphas 1e-3..1e3;
- ``flaml``: ``flaml.AutoML(task="regression")`` with the same budget, on the run's metric.

Every baseline reads the :class:`~benchmarks.prep.FrameEncoder` view of the data,
as the classification baselines do. ``cv_score_`` is in the metric's own units
(an RMSE is positive); the untuned baselines have none.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from automl.metrics import get_metric

from .prep import FrameEncoder, linear_preprocessor, sklearn_version
from .systems import (
    BenchRegressor,
    EncodedFeatures,
    HGBFeatures,
    automl_version,
    register_system,
    search_summary,
)
from .tuned import fit_flaml, flaml_version

#: The alphas ``ridge`` chooses from by efficient leave-one-out CV.
RIDGE_ALPHAS = tuple(float(a) for a in np.logspace(-3, 3, 13))


class EncodedRegressor(EncodedFeatures, BenchRegressor):
    """A regression baseline on :class:`~benchmarks.prep.FrameEncoder` features.

    Subclasses set ``form`` and implement ``_fit`` returning a fitted model with ``predict``.
    """

    def fit(
        self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str
    ) -> EncodedRegressor:
        self.encoder_ = FrameEncoder().fit(X)
        target = np.asarray(y, dtype=np.float64)
        self.model_ = self._fit(self._features(X), target, budget, seed, metric)
        return self

    @abstractmethod
    def _fit(self, X: Any, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        """Fit and return the model on encoded features and a float target."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict(self._features(X)), dtype=np.float64).ravel()


@register_system
class HGBRegressorSystem(HGBFeatures, EncodedRegressor):
    """Default ``HistGradientBoostingRegressor``; categoricals native (``from_dtype``)."""

    name = "hgb"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.ensemble import HistGradientBoostingRegressor

        return HistGradientBoostingRegressor(
            categorical_features="from_dtype", random_state=seed
        ).fit(X, y)


@register_system
class XGBRegressorSystem(EncodedRegressor):
    """Default ``XGBRegressor`` with one thread; categoricals as ordinal codes."""

    name = "xgb"

    def _fit(self, X: np.ndarray, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from xgboost import XGBRegressor

        return XGBRegressor(random_state=seed, n_jobs=1).fit(X, y)

    def version(self) -> str:
        import xgboost

        return f"xgboost-{xgboost.__version__}"


@register_system
class RidgeSystem(EncodedRegressor):
    """Imputation, one-hot categoricals, standard scaling, ``RidgeCV(alphas=RIDGE_ALPHAS)``."""

    name = "ridge"

    def _fit(self, X: np.ndarray, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.linear_model import RidgeCV
        from sklearn.pipeline import make_pipeline

        prep = linear_preprocessor(self.encoder_.categorical_mask())
        return make_pipeline(prep, RidgeCV(alphas=RIDGE_ALPHAS)).fit(X, y)

    def version(self) -> str:
        return sklearn_version()


@register_system
class AutoMLRegressorSystem(BenchRegressor):
    """This library's :class:`automl.AutoMLRegressor`, on the raw training frame."""

    name = "automl"
    #: Model families to search; None: the library's default.
    models: list[str] | None = None

    def fit(
        self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str
    ) -> AutoMLRegressorSystem:
        from automl import AutoMLRegressor

        self.model_ = AutoMLRegressor(
            time_budget=budget, metric=metric, random_state=seed, models=self.models, verbose=0
        )
        self.model_.fit(X, y)
        self.cv_score_, self.n_trials_ = search_summary(self.model_)
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict(X), dtype=np.float64).ravel()

    def version(self) -> str:
        return automl_version()


#: Our regression metric names that FLAML knows by the same name (its loss: the
#: metric itself, or ``1 - r2``); the others are passed as a function.
_FLAML_BUILTIN = ("rmse", "mae", "mape", "r2")


def _flaml_metric(metric: str) -> str | Callable[..., Any]:
    """FLAML's name for ``metric``, else a custom FLAML metric function computing ours."""
    if metric in _FLAML_BUILTIN:
        return metric
    m = get_metric(metric)
    sign, score = (-1.0 if m.greater_is_better else 1.0), m.fn

    def custom(
        X_val: Any, y_val: Any, estimator: Any, *args: Any, **kwargs: Any
    ) -> tuple[float, dict]:
        try:
            value = float(score(np.asarray(y_val), np.asarray(estimator.predict(X_val)), None, 0))
        except ValueError:
            value = float("nan")
        loss = sign * value if np.isfinite(value) else float("inf")
        return loss, {metric: value}

    return custom


@register_system
class FlamlRegressorSystem(EncodedRegressor):
    """``flaml.AutoML(task="regression")`` with its defaults, optimising the run's metric."""

    name = "flaml"
    form = "category"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        flaml_metric = _flaml_metric(metric)
        model = fit_flaml(X, y, "regression", budget, flaml_metric, seed)
        loss = float(model.best_loss)
        if flaml_metric == "r2":
            self.cv_score_ = 1.0 - loss
        elif callable(flaml_metric):
            self.cv_score_ = -loss if get_metric(metric).greater_is_better else loss
        else:
            self.cv_score_ = loss
        return model

    def version(self) -> str:
        return flaml_version()
