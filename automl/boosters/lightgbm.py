"""LightGBM, through scikit-learn adapters that stop early on an inner split.

The cheapest strong booster: leaf-wise trees on histograms, native splits on
categorical columns (the ordinal codes the graph gives families with
``categorical_encoding="ordinal"``; the encoder's code -1 for missing and unknown
categories is a negative value, which LightGBM treats as missing). The adapters
hold out a validation split of the rows given to ``fit`` and keep the round with
the best validation loss, stop when ``max_time`` is spent, and weight rows by
``class_weight`` times ``sample_weight``. lightgbm is imported only when a model
is fitted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .common import (
    SHARED_CONSTRAINTS,
    check_categorical,
    check_params,
    encode_labels,
    fill_columns,
    positive_rows,
    row_weights,
)
from .lightgbm_training import train_booster

#: Input dtypes kept as they come: LightGBM bins float32 as it is, and the large-data
#: path hands float32 over, which a float64 copy would double (values are equal).
FLOATS = [np.float64, np.float32]


class _LightGBMBase(BaseEstimator):
    """The fit both adapters share; subclasses declare the hyperparameters."""

    def __sklearn_tags__(self) -> Any:  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    def _check(self, n_features: int) -> list[int]:
        """Validate the parameters at fit; return the categorical column positions."""
        params = self.get_params()
        check_params(type(self).__name__, params, SHARED_CONSTRAINTS)
        return check_categorical(type(self).__name__, self.categorical_features, n_features)


class LightGBMClassifier(ClassifierMixin, _LightGBMBase):
    """LightGBM gradient-boosted trees with early stopping, class weights and a time limit.

    Parameters
    ----------
    n_estimators : int, default=2000
        Most boosting rounds; early stopping usually ends far sooner.
    learning_rate, num_leaves, max_depth, min_child_samples, subsample,
    colsample_bytree, reg_alpha, reg_lambda, extra_trees :
        Passed to :class:`lightgbm.LGBMClassifier` (``subsample < 1`` bags every round).
    categorical_features : list of int or None, default=None
        Positions of integer-coded categorical columns (negative codes: missing),
        split natively by LightGBM.
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
        Seconds boosting may take; the best round so far is kept when they run out.
    n_jobs : int, default=1
        Threads.
    device : {"cpu", "auto", "cuda"}, default="cpu"
        ``"cuda"`` trains on the GPU when this LightGBM build supports it, ``"auto"``
        likewise from 50,000 rows on; otherwise the CPU, silently.
    random_state : int or None, default=None
        Seed of the inner split, bagging and column sampling.

    Attributes
    ----------
    classes_ : ndarray
        Class labels seen in fit.
    booster_ : lightgbm.Booster or None
        The fitted native booster, holding the ``n_estimators_`` rounds kept (binary:
        it predicts the probability of ``classes_[1]``; multiclass: one column per
        class). None when only one class had rows of positive weight.
    n_estimators_ : int
        Boosting rounds kept (the best on the inner validation split).
    n_features_in_ : int
        Number of input columns.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> X, y = load_breast_cancer(return_X_y=True)
    >>> model = LightGBMClassifier(random_state=0).fit(X, y)
    >>> model.n_estimators_ < 2000
    True
    """

    def __init__(
        self,
        *,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        max_depth: int = -1,
        min_child_samples: int = 20,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        extra_trees: bool = False,
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
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.extra_trees = extra_trees
        self.categorical_features = categorical_features
        self.class_weight = class_weight
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.max_time = max_time
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LightGBMClassifier:
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
        LightGBMClassifier
            The fitted model.
        """
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=FLOATS)
        cats = self._check(X.shape[1])
        check_classification_targets(y)
        labels = encode_labels(y, sample_weight, self.class_weight)
        self.classes_, self._present = labels.classes, labels.present
        self.booster_: Any = None
        self.n_estimators_ = 0
        if len(labels.present) > 1:
            X = X if labels.keep is None else X[labels.keep]
            k = len(labels.present)
            objective: dict[str, Any] = {"objective": "binary"}
            if k > 2:
                objective = {"objective": "multiclass", "num_class": k}
            self.booster_ = train_booster(
                self.get_params(), X, labels.codes, labels.weights, cats, objective
            )
            self.n_estimators_ = int(self.booster_.current_iteration())
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
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=FLOATS)
        if self.booster_ is None:
            proba = np.ones((X.shape[0], 1))
        else:
            proba = np.asarray(self.booster_.predict(X), dtype=np.float64)
            if proba.ndim == 1:  # binary: the positive class's probability
                proba = np.column_stack([1.0 - proba, proba])
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


class LightGBMRegressor(RegressorMixin, _LightGBMBase):
    """LightGBM regression (squared error) with early stopping and a time limit.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, max_depth, min_child_samples,
    subsample, colsample_bytree, reg_alpha, reg_lambda, extra_trees,
    categorical_features, early_stopping_rounds, validation_fraction, max_time,
    n_jobs, device, random_state :
        As for :class:`LightGBMClassifier`; the inner split is not stratified and
        early stopping watches the validation squared error.

    Attributes
    ----------
    booster_ : lightgbm.Booster
        The fitted native booster, holding the ``n_estimators_`` rounds kept.
    n_estimators_ : int
        Boosting rounds kept.
    n_features_in_ : int
        Number of input columns.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> LightGBMRegressor(random_state=0).fit(X, y).predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self,
        *,
        n_estimators: int = 2000,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        max_depth: int = -1,
        min_child_samples: int = 20,
        subsample: float = 1.0,
        colsample_bytree: float = 1.0,
        reg_alpha: float = 0.0,
        reg_lambda: float = 0.0,
        extra_trees: bool = False,
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
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_alpha = reg_alpha
        self.reg_lambda = reg_lambda
        self.extra_trees = extra_trees
        self.categorical_features = categorical_features
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.max_time = max_time
        self.n_jobs = n_jobs
        self.device = device
        self.random_state = random_state

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LightGBMRegressor:
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
        LightGBMRegressor
            The fitted model.
        """
        X, y = validate_data(
            self, X, y, ensure_all_finite="allow-nan", dtype=FLOATS, y_numeric=True
        )
        cats = self._check(X.shape[1])
        weights = row_weights(sample_weight, X.shape[0])
        keep = positive_rows(weights)
        if keep is not None and weights is not None:
            X, y, weights = X[keep], y[keep], weights[keep]
        y = np.asarray(y, dtype=np.float64)
        self.booster_ = train_booster(
            self.get_params(), X, y, weights, cats, {"objective": "regression"}
        )
        self.n_estimators_ = int(self.booster_.current_iteration())
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
        check_is_fitted(self, "booster_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=FLOATS)
        return np.asarray(self.booster_.predict(X), dtype=np.float64).reshape(-1)
