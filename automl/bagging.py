"""A bagged member: the K fold pipelines of one trial, predicting as their mean.

Cross-validation already fitted one pipeline per fold; AutoGluon-style bagging keeps
them and uses their average as the final member instead of refitting the
configuration on all rows (see :mod:`automl.fold_models` for how they are kept and
:func:`automl.final_model.build_final_model` for when they are used).

Honesty: each row's out-of-fold prediction came from the one fold model that did not
see it, so the CV score, the ensemble weights, the stacking decision and the tuned
threshold, all read from those predictions, describe exactly the models that
predict; a threshold tuned out of fold transfers to the very models that produced
the out-of-fold predictions, which a refit cannot say.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ensemble import output_context, predict_matrix


class BaggedPipeline:
    """The fitted fold pipelines of one trial, used as one member of the final model.

    It stands wherever a refitted member pipeline stands (:class:`~automl.ensemble.
    EnsembleModel`, :class:`~automl.stacking.StackedModel`, the ONNX export). Its
    ``steps``, ``named_steps`` and indexing are those of the first fold pipeline: every fold was
    compiled from the same configuration, so they describe the bag's structure (the
    report's step list, SHAP's model, which explains the first fold model only).

    Parameters
    ----------
    pipelines : list of fitted pipelines
        One per fold, classifiers over encoded labels (each possibly missing a class
        its training part lacked) or regressors.
    n_classes : int
        Number of classes of the whole problem; 1 for regression.
    regression : bool, default=False
        Whether the pipelines are regressors.

    Attributes
    ----------
    classes_ : ndarray
        ``0..n_classes-1`` (classification only): every class, even one a fold missed.
    """

    def __init__(self, pipelines: list[Any], n_classes: int, regression: bool = False) -> None:
        if not pipelines:
            raise ValueError("a bagged member needs at least one fold pipeline")
        self.pipelines = list(pipelines)
        self.n_classes = int(n_classes)
        self.regression = bool(regression)
        if not self.regression:
            self.classes_ = np.arange(self.n_classes)

    def _mean(self, X: Any) -> np.ndarray:
        """The mean of the fold pipelines' prediction matrices (see ``predict_matrix``)."""
        ctx = output_context(self.n_classes, self.regression)
        total = predict_matrix(self.pipelines[0], X, ctx)
        for pipe in self.pipelines[1:]:
            total = total + predict_matrix(pipe, X, ctx)
        return total / len(self.pipelines)

    def predict_proba(self, X: Any) -> np.ndarray:
        """The mean of the fold pipelines' class probabilities, aligned to every class.

        Parameters
        ----------
        X : DataFrame
            Validated rows.

        Returns
        -------
        ndarray of shape (n_rows, n_classes)
        """
        if self.regression:
            raise AttributeError("a bagged regressor has no predict_proba")
        return self._mean(X)

    def predict(self, X: Any) -> np.ndarray:
        """The mean of the fold regressors' predictions, or the most probable class.

        Parameters
        ----------
        X : DataFrame
            Validated rows.

        Returns
        -------
        ndarray of shape (n_rows,)
            Predicted values (regression) or encoded classes.
        """
        if not self.regression:
            return np.asarray(np.argmax(self.predict_proba(X), axis=1))
        return self._mean(X)[:, 0]

    @property
    def steps(self) -> list[tuple[str, Any]]:
        """The first fold pipeline's steps, that very list (every fold has the same
        configuration; changing a step changes the first fold's)."""
        steps: list[tuple[str, Any]] = self.pipelines[0].steps
        return steps

    @property
    def named_steps(self) -> Any:
        """The first fold pipeline's steps by name (``bag.named_steps["model"]``)."""
        return self.pipelines[0].named_steps

    def __getitem__(self, index: Any) -> Any:
        """Index or slice the first fold pipeline (``bag[:-1]``: its preprocessing)."""
        return self.pipelines[0][index]

    def __repr__(self) -> str:
        model = type(self.steps[-1][1]).__name__ if hasattr(self.pipelines[0], "steps") else ""
        return f"BaggedPipeline({len(self.pipelines)} fold pipelines of {model})"


def is_bagged(member: Any) -> bool:
    """Whether a member of the final model is a :class:`BaggedPipeline`."""
    return isinstance(member, BaggedPipeline)
