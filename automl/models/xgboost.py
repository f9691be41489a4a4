"""XGBoost, through a small scikit-learn adapter that adds class weighting.

The adapter exists because ``xgboost.XGBClassifier`` weights classes only through
``scale_pos_weight`` (binary) or ``sample_weight`` at fit time, which a pipeline
cannot route once samplers change the rows. ``class_weight="balanced"`` here
computes per-row weights from the labels that actually reach the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..space import Integer, Real, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily


class XGBoostClassifier(ClassifierMixin, BaseEstimator):
    """Gradient-boosted trees (XGBoost ``hist``) with optional balanced class weights.

    Parameters
    ----------
    n_estimators, learning_rate, max_depth, min_child_weight, subsample,
    colsample_bytree, reg_alpha, reg_lambda, gamma :
        Passed to :class:`xgboost.XGBClassifier`.
    class_weight : {None, "balanced"} or dict
        ``"balanced"`` weights each row inversely to its class frequency; a dict
        maps class labels to weights (classes left out weigh 1).
    n_jobs : int
        Threads.
    device : str
        ``"cpu"`` or ``"cuda"``.
    random_state : int or None
        Seed.

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in fit.
    booster_ : xgboost.XGBClassifier
        The fitted XGBoost model.
    """

    def __init__(
        self,
        *,
        n_estimators: int = 300,
        learning_rate: float = 0.1,
        max_depth: int = 6,
        min_child_weight: float = 1.0,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 1.0,
        gamma: float = 0.0,
        class_weight: str | dict[Any, float] | None = None,
        n_jobs: int = 1,
        device: str = "cpu",
        random_state: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.max_depth = max_depth
        self.min_child_weight = min_child_weight
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.gamma = gamma
        self.class_weight = class_weight
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> XGBoostClassifier:
        """Fit the booster; ``y`` may hold any labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows; NaN allowed.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights, multiplied by the class weights when ``class_weight`` is set.

        Returns
        -------
        XGBoostClassifier
            The fitted model.
        """
        import xgboost as xgb

        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float32)
        check_classification_targets(y)
        self._encoder = LabelEncoder().fit(y)
        self.classes_ = self._encoder.classes_
        y_enc = self._encoder.transform(y)
        weights = None if self.class_weight is None else compute_sample_weight(self.class_weight, y)
        if sample_weight is not None:
            row = np.asarray(sample_weight, dtype=float)
            weights = row if weights is None else weights * row
        self.booster_ = xgb.XGBClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            max_depth=self.max_depth,
            min_child_weight=self.min_child_weight,
            subsample=self.subsample,
            colsample_bytree=self.colsample_bytree,
            reg_alpha=self.reg_alpha,
            reg_lambda=self.reg_lambda,
            gamma=self.gamma,
            tree_method="hist",
            n_jobs=self.n_jobs,
            device=self.device,
            random_state=self.random_state if self.random_state is not None else 0,
            verbosity=0,
        )
        if len(self.classes_) == 1:
            self._constant = True
            return self
        self._constant = False
        self.booster_.fit(X, y_enc, sample_weight=weights)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self, "booster_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float32)
        if self._constant:
            return np.ones((X.shape[0], 1))
        return self.booster_.predict_proba(X)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class."""
        check_is_fitted(self, "booster_")
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def _build(params: dict[str, Any], ctx: ModelContext) -> Any:
    device = "cuda" if ctx.device == "cuda" else "cpu"
    if ctx.is_regression:
        import xgboost as xgb

        return xgb.XGBRegressor(
            **_booster_params(params),
            tree_method="hist",
            n_jobs=ctx.n_threads,
            device=device,
            random_state=ctx.random_state if ctx.random_state is not None else 0,
            verbosity=0,
        )
    return XGBoostClassifier(
        **_booster_params(params),
        class_weight="balanced" if params.get("class_weight") == "balanced" else None,
        n_jobs=ctx.n_threads,
        device=device,
        random_state=ctx.random_state,
    )


def _booster_params(params: dict[str, Any]) -> dict[str, Any]:
    """The booster's hyperparameters from a configuration, with XGBoost's meaning."""
    return dict(
        n_estimators=int(params.get("n_estimators", 300)),
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
