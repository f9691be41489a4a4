"""A user's estimator fed the input columns as given: the model step of a raw family.

The engine hands every trial a DataFrame (so it can cut folds by position); a user
who passed a NumPy array gets an array back here, as their estimator expects. Fit
arguments of one value per row (``sample_weight``) are cut to the fold's rows,
which the frame's index names. A classifier without ``predict_proba`` is scored
from ``decision_function`` (a logistic or softmax of it) or, failing that, from its
predicted labels, so metrics and the ensemble can read class probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone


@dataclass(frozen=True)
class PerRow:
    """A fit argument with one value per training row, cut to each fold's rows.

    Attributes
    ----------
    values : ndarray of shape (n_samples, ...)
        The values, in the order of the rows of the whole training data.
    """

    values: np.ndarray


def cut_fit_params(fit_params: dict[str, Any], rows: np.ndarray) -> dict[str, Any]:
    """``fit_params`` with every :class:`PerRow` value reduced to ``rows``.

    Parameters
    ----------
    fit_params : dict
        Fit arguments; :class:`PerRow` values are indexed, others passed unchanged.
    rows : ndarray of int
        Positions, in the whole training data, of the rows being fitted.

    Returns
    -------
    dict
    """
    return {
        k: (np.asarray(v.values)[rows] if isinstance(v, PerRow) else v)
        for k, v in fit_params.items()
    }


class RawInput(BaseEstimator):
    """Fit and predict ``estimator`` on the input as the user gave it.

    Parameters
    ----------
    estimator : estimator
        The user's unfitted estimator (a fresh clone per fit).
    as_array : bool, default=False
        Hand the estimator ``X.to_numpy()`` instead of the DataFrame (the user fitted
        on an array).
    fit_params : dict or None, default=None
        Keyword arguments of ``estimator.fit``; see :class:`PerRow`.
    warm : WarmStore or None, default=None
        Where a multi-fidelity search keeps fold models for promotions: the fit
        continues the same configuration's model of a lower rung on the same rows
        when one is kept (see :mod:`automl.warm_store`).

    Attributes
    ----------
    estimator_ : estimator
        The fitted estimator.
    """

    def __init__(
        self, estimator: Any, as_array: bool = False, fit_params: Any = None, warm: Any = None
    ) -> None:
        self.estimator = estimator
        self.as_array = as_array
        self.fit_params = fit_params
        self.warm = warm

    def _input(self, X: Any) -> Any:
        if self.as_array and isinstance(X, pd.DataFrame):
            return X.to_numpy()
        return X

    def fit(self, X: Any, y: Any) -> RawInput:
        """Fit the estimator on ``X, y``; per-row fit arguments follow ``X.index``.

        Parameters
        ----------
        X : DataFrame
            Rows of the training data, indexed by their position in it.
        y : ndarray of shape (n_samples,)

        Returns
        -------
        RawInput
        """
        params = dict(self.fit_params or {})
        if params:
            rows = np.asarray(X.index if isinstance(X, pd.DataFrame) else np.arange(len(y)))
            params = cut_fit_params(params, rows)
        if self.warm is not None:  # the fold's rows (X's index) and values key the kept model
            self.estimator_ = self.warm.fit(self.estimator, X, self._input(X), y, params)
            return self
        self.estimator_ = clone(self.estimator)
        self.estimator_.fit(self._input(X), y, **params)
        return self

    @property
    def classes_(self) -> np.ndarray:  # noqa: D102
        return np.asarray(self.estimator_.classes_)

    def predict(self, X: Any) -> np.ndarray:
        """The estimator's ``predict``."""
        return np.asarray(self.estimator_.predict(self._input(X)))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: ``predict_proba``, else from scores or labels."""
        Xin = self._input(X)
        est = self.estimator_
        if hasattr(est, "predict_proba"):
            return np.asarray(est.predict_proba(Xin), dtype=float)
        n_classes = len(self.classes_)
        if hasattr(est, "decision_function"):
            scores = np.asarray(est.decision_function(Xin), dtype=float)
            if scores.ndim == 1:  # two classes: the score of the second
                positive = 1.0 / (1.0 + np.exp(-np.clip(scores, -50, 50)))
                return np.column_stack([1.0 - positive, positive])
            shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
            return shifted / shifted.sum(axis=1, keepdims=True)
        labels = np.asarray(est.predict(Xin))
        positions = np.searchsorted(self.classes_, labels)
        out = np.zeros((len(labels), n_classes))
        out[np.arange(len(labels)), positions] = 1.0
        return out
