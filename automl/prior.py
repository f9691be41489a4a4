"""The model of last resort: class frequencies, for data whose columns carry no information.

When every column of X is constant or entirely missing, no pipeline can learn
anything from it and every trial would only fit noise (or fail on an empty
matrix). The estimator then skips the search and predicts the class prior, the
class frequencies of ``y``, as scikit-learn's ``DummyClassifier(strategy="prior")``
does, and says so in ``notes_``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import metrics as M
from .ensemble import EnsembleModel
from .final_model import FinalModel
from .schema import Schema


class PriorClassifier:
    """Predicts the training class frequencies for every row, whatever its features.

    Parameters
    ----------
    priors : ndarray of shape (n_classes,)
        Class frequencies, in encoded class order.
    """

    def __init__(self, priors: np.ndarray) -> None:
        self.priors = np.asarray(priors, dtype=float)
        self.classes_ = np.arange(len(self.priors))

    def predict_proba(self, X: Any) -> np.ndarray:
        """The priors, one row per row of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like
            Rows to predict; their values are not read.

        Returns
        -------
        ndarray of shape (n_rows, n_classes)
        """
        return np.tile(self.priors, (len(X), 1))


class PriorRegressor:
    """Predicts the training target's mean for every row, whatever its features.

    Parameters
    ----------
    mean : float
        The value predicted.
    """

    def __init__(self, mean: float) -> None:
        self.mean = float(mean)

    def predict(self, X: Any) -> np.ndarray:
        """The mean, once per row of ``X``.

        Parameters
        ----------
        X : DataFrame or array-like
            Rows to predict; their values are not read.

        Returns
        -------
        ndarray of shape (n_rows,)
        """
        return np.full(len(X), self.mean)


def _note(schema: Schema, what: str) -> str:
    shown = ", ".join(repr(c) for c in schema.dropped[:5])
    more = f" and {len(schema.dropped) - 5} more" if len(schema.dropped) > 5 else ""
    return (
        f"Every column of X is constant or entirely missing ({shown}{more}), so no feature "
        f"carries information: no search was run, and the model predicts {what} for every row."
    )


def _final(
    model: Any, n_outputs: int, oof: np.ndarray, cv_score: float, note: str, regression: bool
) -> FinalModel:
    record = {"trial": -1, "family": "prior", "status": "ok", "config": {"family": "prior"}}
    return FinalModel(
        model=EnsembleModel([(model, 1.0)], n_outputs, regression=regression),
        best_pipeline=model,
        best_record=record,
        weights={},
        threshold=None,
        threshold_std=None,
        oof=oof,
        cv_score=cv_score,
        step_times={},
        predicted_refit=0.0,
        notes=[note],
    )


def prior_regression_model(
    y: np.ndarray, metric: str, schema: Schema, sample_weight: np.ndarray | None = None
) -> FinalModel:
    """The final model that predicts the target's mean, with the note that explains it.

    Parameters
    ----------
    y : ndarray
        The target.
    metric : str
        The optimised metric, for ``cv_score`` (the mean's score on the training rows).
    schema : Schema
        The input schema, whose dropped columns are named in the note.
    sample_weight : ndarray or None
        Row weights: the weighted mean is predicted and the score is weighted.

    Returns
    -------
    FinalModel
    """
    model = PriorRegressor(float(np.average(y, weights=sample_weight)))
    oof = np.full((len(y), 1), model.mean)
    try:
        cv_score = M.score(metric, y, oof, sample_weight=sample_weight)
    except ValueError:
        cv_score = float("nan")
    return _final(model, 1, oof, cv_score, _note(schema, "the mean of y"), regression=True)


def prior_final_model(
    y: np.ndarray,
    n_classes: int,
    metric: str,
    pos_index: int,
    schema: Schema,
    sample_weight: np.ndarray | None = None,
) -> FinalModel:
    """The final model that predicts the class prior, with the note that explains it.

    Parameters
    ----------
    y : ndarray
        Encoded labels.
    n_classes : int
        Number of classes.
    metric : str
        The optimised metric, for ``cv_score`` (the prior's score on the training rows,
        which is also its cross-validated score up to fold noise).
    pos_index : int
        Encoded positive class.
    schema : Schema
        The input schema, whose dropped columns are named in the note.
    sample_weight : ndarray or None
        Row weights: the priors are the classes' shares of the weight, and the score
        is weighted.

    Returns
    -------
    FinalModel
    """
    counts = np.bincount(y, weights=sample_weight, minlength=n_classes)
    priors = counts / counts.sum()
    model = PriorClassifier(priors)
    oof = np.tile(priors, (len(y), 1))
    try:
        cv_score = M.score(metric, y, oof, pos_index=pos_index, sample_weight=sample_weight)
    except ValueError:
        cv_score = float("nan")
    note = _note(schema, "the class frequencies of y")
    return _final(model, n_classes, oof, cv_score, note, regression=False)
