"""scikit-learn adapters of XGBoost: class weighting and early stopping on the fitted rows.

``xgboost.XGBClassifier`` weights classes only through ``scale_pos_weight``
(binary) or ``sample_weight`` at fit time, which a pipeline cannot route once
samplers change the rows; ``class_weight="balanced"`` here computes per-row
weights from the labels that actually reach the model.

Both adapters stop early, as histogram boosting does: they hold out
:data:`VALIDATION_FRACTION` of the rows they are fitted on (the training fold,
never the scoring fold), stop after :data:`STOPPING_ROUNDS` rounds without
improvement, and keep the best round (``n_rounds_``), which the refit on all
rows reuses (see :mod:`automl.rounds`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelEncoder
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

#: Share of the fitted rows held out to stop early.
VALIDATION_FRACTION = 0.1
#: Rounds without improvement on the held-out rows before stopping.
STOPPING_ROUNDS = 20
#: Fewest rows for which a validation split is carved out; below, every round runs.
MIN_STOPPING_ROWS = 100


def _fit_booster(
    booster: Any,
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None,
    *,
    early_stopping: bool,
    stratify: bool,
    seed: int,
) -> int:
    """Fit ``booster`` (early-stopped on a split of these rows); returns the rounds kept."""
    if early_stopping and len(y) >= MIN_STOPPING_ROWS:
        strata = None
        if stratify:
            _, counts = np.unique(y, return_counts=True)
            strata = y if counts.min() >= 2 else None
        if not stratify or strata is not None:
            index = np.arange(len(y))
            fit_rows, val_rows = train_test_split(
                index, test_size=VALIDATION_FRACTION, stratify=strata, random_state=seed
            )
            if not stratify or len(np.unique(y[fit_rows])) == len(np.unique(y)):
                booster.set_params(early_stopping_rounds=STOPPING_ROUNDS)
                booster.fit(
                    X[fit_rows],
                    y[fit_rows],
                    sample_weight=None if weights is None else weights[fit_rows],
                    eval_set=[(X[val_rows], y[val_rows])],
                    sample_weight_eval_set=None if weights is None else [weights[val_rows]],
                    verbose=False,
                )
                return int(booster.best_iteration) + 1
    booster.fit(X, y, sample_weight=weights)
    return int(booster.get_params()["n_estimators"])


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
    early_stopping : bool
        Stop on a stratified validation split of the fitted rows; ``n_estimators``
        is then the most rounds.
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
    n_rounds_ : int
        Boosting rounds kept.
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
        early_stopping: bool = True,
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
        self.early_stopping = early_stopping
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
            row = _check_sample_weight(sample_weight, X, dtype=np.float64)
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
            self.n_rounds_ = 0
            return self
        self._constant = False
        self.n_rounds_ = _fit_booster(
            self.booster_,
            X,
            y_enc,
            weights,
            early_stopping=self.early_stopping,
            stratify=True,
            seed=self.random_state if self.random_state is not None else 0,
        )
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


class XGBoostRegressor(RegressorMixin, BaseEstimator):
    """Gradient-boosted trees (XGBoost ``hist``) for regression, stopping early.

    Parameters
    ----------
    n_estimators, learning_rate, max_depth, min_child_weight, subsample,
    colsample_bytree, reg_alpha, reg_lambda, gamma :
        Passed to :class:`xgboost.XGBRegressor`.
    early_stopping : bool
        Stop on a random validation split of the fitted rows.
    n_jobs : int
        Threads.
    device : str
        ``"cpu"`` or ``"cuda"``.
    random_state : int or None
        Seed.

    Attributes
    ----------
    booster_ : xgboost.XGBRegressor
        The fitted XGBoost model.
    n_rounds_ : int
        Boosting rounds kept.
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
        early_stopping: bool = True,
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
        self.early_stopping = early_stopping
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> XGBoostRegressor:
        """Fit the booster.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows; NaN allowed.
        y : array-like of shape (n_samples,)
            Target values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights.

        Returns
        -------
        XGBoostRegressor
            The fitted model.
        """
        import xgboost as xgb

        X, y = validate_data(
            self, X, y, ensure_all_finite="allow-nan", dtype=np.float32, y_numeric=True
        )
        seed = self.random_state if self.random_state is not None else 0
        self.booster_ = xgb.XGBRegressor(
            **{k: getattr(self, k) for k in _BOOSTER_NAMES},
            tree_method="hist",
            n_jobs=self.n_jobs,
            device=self.device,
            random_state=seed,
            verbosity=0,
        )
        self.n_rounds_ = _fit_booster(
            self.booster_,
            X,
            np.asarray(y, dtype=float),
            None
            if sample_weight is None
            else _check_sample_weight(sample_weight, X, dtype=np.float64),
            early_stopping=self.early_stopping,
            stratify=False,
            seed=seed,
        )
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted target."""
        check_is_fitted(self, "booster_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float32)
        return np.asarray(self.booster_.predict(X), dtype=float)


_BOOSTER_NAMES = (
    "n_estimators",
    "learning_rate",
    "max_depth",
    "min_child_weight",
    "subsample",
    "colsample_bytree",
    "reg_alpha",
    "reg_lambda",
    "gamma",
)
