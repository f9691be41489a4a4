"""Boosting from a linear base: a ridge fit first, a booster on what it leaves.

Trees predict a constant beyond the range of targets they were trained on, so a
target that grows with its features (applications with acceptances, price with
size) is cut off where the training rows end, and one extreme row held out in a
fold costs a tree model far more than a linear one. Starting the boosting from a
ridge fit keeps the trees' interactions and the line's extrapolation: the ridge
models the trend, the booster the rest (the same idea as an initial score from a
linear model, or LightGBM's linear trees, at the root only).

The ridge reads the numeric columns only (categorical codes are left to the
trees' native splits), with missing values filled by the training medians,
standardised, its penalty chosen by efficient leave-one-out (``RidgeCV``), and the
inputs clipped to the training range widened by its own span on each side, so a
wild value at predict time cannot throw the line arbitrarily far. Everything is
fitted on the rows given to :meth:`LinearBaseRegressor.fit` (a training fold).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import RidgeCV
from sklearn.utils.validation import check_is_fitted

#: Ridge penalties tried (on standardised columns) by leave-one-out.
ALPHAS = tuple(float(a) for a in np.logspace(-3, 4, 15))


class LinearBaseRegressor(RegressorMixin, BaseEstimator):
    """A regressor that boosts ``booster`` on the residuals of a ridge fit.

    Parameters
    ----------
    booster : regressor
        The model fitted on ``y`` minus the ridge's prediction (cloned).
    categorical_features : tuple of int, default=()
        Columns holding category codes; the ridge leaves them out.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
        The ridge's weights on the raw (clipped, filled) columns; 0 for columns it
        leaves out.
    intercept_ : float
    fill_ : ndarray of shape (n_features,)
        Training medians that replace missing values for the ridge.
    low_, high_ : ndarray of shape (n_features,)
        The range each column is clipped to for the ridge.
    booster_ : regressor
        The fitted booster.
    n_rounds_ : int
        The booster's kept rounds, where it reports them (see :mod:`automl.rounds`).
    n_features_in_ : int
    """

    def __init__(self, booster: Any, categorical_features: tuple[int, ...] = ()) -> None:
        self.booster = booster
        self.categorical_features = categorical_features

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearBaseRegressor:
        """Fit the ridge, then the booster on its residuals.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (numeric; category codes in ``categorical_features``).
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights, for both fits.

        Returns
        -------
        LinearBaseRegressor
            The fitted model.
        """
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64).ravel()
        self.n_features_in_ = X.shape[1]
        self._fit_line(X, y, sample_weight)
        residual = y - self._line(X)
        self.booster_ = clone(self.booster)
        if sample_weight is None:
            self.booster_.fit(X, residual)
        else:
            self.booster_.fit(X, residual, sample_weight=sample_weight)
        rounds = getattr(self.booster_, "n_rounds_", None)
        if rounds is not None:
            self.n_rounds_ = int(rounds)
        return self

    def _fit_line(self, X: np.ndarray, y: np.ndarray, sample_weight: Any) -> None:
        n_features = X.shape[1]
        numeric = np.ones(n_features, dtype=bool)
        numeric[list(self.categorical_features)] = False
        observed = ~np.isnan(X)
        numeric &= observed.any(axis=0)
        self.coef_ = np.zeros(n_features)
        self.fill_ = np.zeros(n_features)
        self.low_ = np.zeros(n_features)
        self.high_ = np.zeros(n_features)
        self.intercept_ = float(np.average(y, weights=sample_weight))
        if not numeric.any():
            return
        cols = X[:, numeric]
        fill = np.nanmedian(cols, axis=0)
        low, high = np.nanmin(cols, axis=0), np.nanmax(cols, axis=0)
        span = high - low
        self.fill_[numeric] = fill
        self.low_[numeric], self.high_[numeric] = low - span, high + span
        Z = self.line_inputs(X)[:, numeric]
        mean = np.average(Z, axis=0, weights=sample_weight)
        scale = np.sqrt(np.average((Z - mean) ** 2, axis=0, weights=sample_weight))
        scale[scale == 0] = 1.0
        ridge = RidgeCV(alphas=ALPHAS).fit((Z - mean) / scale, y, sample_weight=sample_weight)
        self.coef_[numeric] = ridge.coef_ / scale
        self.intercept_ = float(ridge.intercept_ - np.sum(ridge.coef_ * mean / scale))

    def line_inputs(self, X: np.ndarray) -> np.ndarray:
        """``X`` with missing values filled and clipped, as the ridge reads it."""
        filled = np.where(np.isnan(X), self.fill_, X)
        return np.clip(filled, self.low_, self.high_)

    def _line(self, X: np.ndarray) -> np.ndarray:
        return self.line_inputs(X) @ self.coef_ + self.intercept_

    def predict(self, X: Any) -> np.ndarray:
        """The ridge's prediction plus the booster's.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to predict.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted values.
        """
        check_is_fitted(self, "booster_")
        X = np.asarray(X, dtype=np.float64)
        return self._line(X) + np.asarray(self.booster_.predict(X), dtype=np.float64)
