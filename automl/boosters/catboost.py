"""CatBoost, through scikit-learn adapters that stop early on an inner split.

The strongest booster on its defaults in recent tabular benchmarks: symmetric
(oblivious) trees, ordered boosting, and ordered target statistics for
categorical columns, which it computes itself from the ordinal codes the graph
gives families with ``categorical_encoding="ordinal"`` (passed on as integer
categories; the encoder's -1 for missing and unknown categories is one more
category). The adapters hold out a validation split of the rows given to ``fit``
and keep the best round, stop when ``max_time`` is spent (on the CPU; CatBoost
runs no callbacks on a GPU), and weight rows by ``class_weight`` times
``sample_weight``. Nothing is written to disk. catboost is imported only when a
model is fitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .catboost_training import pool_data, train_model
from .common import (
    SHARED_CONSTRAINTS,
    check_categorical,
    check_params,
    encode_labels,
    fill_columns,
    positive_rows,
    row_weights,
)

#: CatBoost's own settings checked at fit, beside the shared ones.
_CONSTRAINTS: dict[str, tuple[Any, str]] = {
    "depth": (lambda v: _is_int(v) and 1 <= v <= 16, "an int in [1, 16]"),
    "l2_leaf_reg": (lambda v: _is_real(v) and v >= 0, "a float >= 0"),
    "random_strength": (lambda v: _is_real(v) and v >= 0, "a float >= 0"),
    "bagging_temperature": (lambda v: _is_real(v) and v >= 0, "a float >= 0"),
}


def _is_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_real(v: Any) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _constant_columns(X: np.ndarray) -> bool:
    """Whether every column holds one value (CatBoost refuses to train on such data)."""
    filled = np.nan_to_num(X, nan=np.inf)
    return bool(np.all(filled == filled[:1]))


class _CatBoostBase(BaseEstimator):
    """The fit both adapters share; subclasses declare the hyperparameters."""

    def __sklearn_tags__(self) -> Any:  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _check(self, n_features: int) -> list[int]:
        """Validate the parameters at fit; return the categorical column positions."""
        owner = type(self).__name__
        check_params(owner, self.get_params(), {**SHARED_CONSTRAINTS, **_CONSTRAINTS})
        return check_categorical(owner, self.categorical_features, n_features)

    def _raw_predict(self, X: Any, proba: bool) -> np.ndarray:
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        data = pool_data(X, self._cats)
        if proba:
            return np.asarray(self.booster_.predict_proba(data), dtype=np.float64)
        return np.asarray(self.booster_.predict(data), dtype=np.float64).reshape(-1)


class CatBoostClassifier(ClassifierMixin, _CatBoostBase):
    """CatBoost gradient-boosted trees with early stopping, class weights and a time limit.

    Parameters
    ----------
    n_estimators : int, default=1000
        Most boosting rounds (CatBoost's ``iterations``); early stopping usually ends
        sooner.
    learning_rate, depth, l2_leaf_reg, random_strength, bagging_temperature :
        Passed to :class:`catboost.CatBoostClassifier`.
    categorical_features : list of int or None, default=None
        Positions of integer-coded categorical columns, which CatBoost encodes
        with ordered target statistics (NaN becomes the category -1).
    class_weight : {None, "balanced"} or dict, default=None
        ``"balanced"`` weighs each row inversely to its class's number of rows; a
        dict maps labels to weights (labels left out weigh 1). Multiplies
        ``sample_weight``.
    early_stopping_rounds : int or None, default=50
        Rounds without improvement of the validation log-loss after which boosting
        stops; None trains every round on every row.
    validation_fraction : float, default=0.1
        Share of the training rows held out, stratified, for early stopping (at
        least 50 rows where the data allow).
    max_time : float or None, default=None
        Seconds boosting may take on the CPU; the best round so far is kept.
    n_jobs : int, default=1
        Threads.
    device : {"cpu", "auto", "cuda"}, default="cpu"
        ``"cuda"`` trains on the GPU when CatBoost sees one, ``"auto"`` likewise from
        50,000 rows on; otherwise the CPU, silently.
    random_state : int or None, default=None
        Seed of the inner split and of CatBoost.

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in fit.
    booster_ : catboost.CatBoostClassifier or None
        The fitted CatBoost model, shrunk to its best round, trained on the codes
        ``0..k-1`` of the classes with rows of positive weight, in ``classes_``
        order. None when only one class had such rows or every column is constant
        (the model then predicts the class frequencies).
    n_estimators_ : int
        Boosting rounds kept.
    n_features_in_ : int
        Number of input columns.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = CatBoostClassifier(n_estimators=200, random_state=0).fit(X, y)
    >>> model.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(
        self,
        *,
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        random_strength: float = 1.0,
        bagging_temperature: float = 1.0,
        categorical_features: list[int] | None = None,
        class_weight: str | dict[Any, float] | None = None,
        early_stopping_rounds: int | None = 50,
        validation_fraction: float = 0.1,
        max_time: float | None = None,
        n_jobs: int = 1,
        device: str = "cpu",
        random_state: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.bagging_temperature = bagging_temperature
        self.categorical_features = categorical_features
        self.class_weight = class_weight
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.max_time = max_time
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CatBoostClassifier:
        """Fit the booster.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows; NaN is allowed.
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative row weights, multiplied by the class weights.

        Returns
        -------
        CatBoostClassifier
            The fitted model.
        """
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64)
        self._cats = self._check(X.shape[1])
        check_classification_targets(y)
        labels = encode_labels(y, sample_weight, self.class_weight)
        self.classes_, self._present = labels.classes, labels.present
        self.booster_: Any = None
        self.n_estimators_ = 0
        X = X if labels.keep is None else X[labels.keep]
        counts = np.bincount(labels.codes, labels.weights, minlength=len(labels.present))
        self._prior = counts / counts.sum()
        if len(labels.present) > 1 and not _constant_columns(X):
            loss = "Logloss" if len(labels.present) == 2 else "MultiClass"
            self.booster_ = train_model(
                self.get_params(), X, labels.codes, labels.weights, self._cats, loss
            )
            self.n_estimators_ = int(self.booster_.tree_count_)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
        """
        check_is_fitted(self, "classes_")
        if self.booster_ is None:
            X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
            proba = np.tile(self._prior, (X.shape[0], 1))
        else:
            proba = self._raw_predict(X, proba=True)
        return fill_columns(proba, self._present, len(self.classes_))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class CatBoostRegressor(RegressorMixin, _CatBoostBase):
    """CatBoost regression (RMSE) with early stopping and a time limit.

    Parameters
    ----------
    n_estimators, learning_rate, depth, l2_leaf_reg, random_strength,
    bagging_temperature, categorical_features, early_stopping_rounds,
    validation_fraction, max_time, n_jobs, device, random_state :
        As for :class:`CatBoostClassifier`; the inner split is not stratified and
        early stopping watches the validation RMSE.

    Attributes
    ----------
    booster_ : catboost.CatBoostRegressor or None
        The fitted CatBoost model, shrunk to its best round. None when the target or
        every column is constant (the model then predicts the weighted mean).
    n_estimators_ : int
        Boosting rounds kept.
    n_features_in_ : int
        Number of input columns.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> CatBoostRegressor(n_estimators=200, random_state=0).fit(X, y).predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        n_estimators: int = 1000,
        learning_rate: float = 0.05,
        depth: int = 6,
        l2_leaf_reg: float = 3.0,
        random_strength: float = 1.0,
        bagging_temperature: float = 1.0,
        categorical_features: list[int] | None = None,
        early_stopping_rounds: int | None = 50,
        validation_fraction: float = 0.1,
        max_time: float | None = None,
        n_jobs: int = 1,
        device: str = "cpu",
        random_state: int | None = None,
    ) -> None:
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.depth = depth
        self.l2_leaf_reg = l2_leaf_reg
        self.random_strength = random_strength
        self.bagging_temperature = bagging_temperature
        self.categorical_features = categorical_features
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.max_time = max_time
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> CatBoostRegressor:
        """Fit the booster.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows; NaN is allowed.
        y : array-like of shape (n_samples,)
            Targets.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative row weights.

        Returns
        -------
        CatBoostRegressor
            The fitted model.
        """
        X, y = validate_data(
            self, X, y, ensure_all_finite="allow-nan", dtype=np.float64, y_numeric=True
        )
        self._cats = self._check(X.shape[1])
        weights = row_weights(sample_weight, X.shape[0])
        keep = positive_rows(weights)
        if keep is not None and weights is not None:
            X, y, weights = X[keep], y[keep], weights[keep]
        y = np.asarray(y, dtype=np.float64)
        self._mean = float(np.average(y, weights=weights))
        self.booster_: Any = None
        self.n_estimators_ = 0
        if np.ptp(y) > 0 and not _constant_columns(X):
            self.booster_ = train_model(self.get_params(), X, y, weights, self._cats, "RMSE")
            self.n_estimators_ = int(self.booster_.tree_count_)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        check_is_fitted(self, "n_estimators_")
        if self.booster_ is None:
            X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan")
            return np.full(X.shape[0], self._mean)
        return self._raw_predict(X, proba=False)
