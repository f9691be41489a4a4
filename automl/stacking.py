"""Stacking: a level-2 model over the final members' out-of-fold predictions.

The greedy blend (:mod:`automl.ensemble`) averages members with fixed weights. A
level-2 model can do better where members are good on different rows (it may,
say, trust a booster's confident predictions and a linear model's elsewhere), but
it is also a way to overfit: its inputs are the members' out-of-fold predictions,
and fitting and scoring it on the same rows flatters it. So the stack is judged
the way it would be used, by *nested* cross-validation over the search's own
folds: for each fold, both the level-2 model and the greedy blend weights are
chosen on the other folds' out-of-fold rows and scored on this fold's. The stack
is kept only when it wins that comparison by a clear margin.

The stack is built over the members the final model refits anyway, so it costs
no extra refit: only a small linear model on ``n_members`` (binary, regression)
or ``n_members × n_classes`` (multiclass) columns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import metrics as M
from .ensemble import aligned_proba, blend, greedy_selection, output_context, predict_matrix

#: The stack must beat the blend's nested loss by this share of it (and at least
#: :data:`MIN_GAIN`): a tie goes to the simpler blend.
RELATIVE_GAIN = 0.002
MIN_GAIN = 1e-4
#: Probabilities are clipped away from 0 and 1 before taking logits.
EPS = 1e-6
#: Fewest rows of any class (classification) in a training part for a level-2 fit.
MIN_CLASS_ROWS = 5


def stack_features(predictions: list[np.ndarray], regression: bool) -> np.ndarray:
    """The level-2 model's inputs from the members' prediction matrices.

    Parameters
    ----------
    predictions : list of ndarray
        One ``(n_rows, n_outputs)`` matrix per member: class probabilities, or one
        column of predicted values for regression.
    regression : bool
        Whether the members predict values.

    Returns
    -------
    ndarray of shape (n_rows, n_features)
        Regression: the predicted values. Binary: the logit of the positive class.
        Multiclass: the log-probability of every class.
    """
    cols = []
    for matrix in predictions:
        if regression:
            cols.append(matrix[:, :1])
            continue
        p = np.clip(matrix, EPS, 1 - EPS)
        if matrix.shape[1] == 2:
            cols.append(np.log(p[:, 1:2] / p[:, 0:1]))
        else:
            cols.append(np.log(p))
    return np.hstack(cols)


def make_level2(regression: bool, seed: int | None) -> Any:
    """An unfitted level-2 model: a regularised linear model on standardised inputs."""
    from sklearn.linear_model import LogisticRegression, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if regression:
        return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=2000))


def _level2_matrix(
    model: Any, features: np.ndarray, n_outputs: int, regression: bool
) -> np.ndarray:
    if regression:
        return np.asarray(model.predict(features), dtype=float).reshape(-1, 1)
    return aligned_proba(model, features, n_outputs)


def _fit_level2(
    features: np.ndarray,
    y: np.ndarray,
    regression: bool,
    seed: int | None,
    w: np.ndarray | None = None,
) -> Any | None:
    """A fitted level-2 model, or None when the rows cannot support one."""
    if not regression:
        counts = np.bincount(y.astype(int))
        if (counts[counts > 0] < MIN_CLASS_ROWS).any() or (counts > 0).sum() < 2:
            return None
    import warnings

    model = make_level2(regression, seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter on tiny folds
        if w is None:
            model.fit(features, y)
        else:  # the level-2 model is a pipeline ending in the linear model
            model.fit(features, y, **{f"{model.steps[-1][0]}__sample_weight": w})
    return model


@dataclass
class StackDecision:
    """What nested cross-validation said about stacking the members.

    Attributes
    ----------
    level2 : fitted estimator or None
        The level-2 model fitted on every out-of-fold row; None when the stack
        does not beat the blend (or could not be judged).
    oof : ndarray or None
        The stack's nested out-of-fold predictions (each row predicted by a level-2
        model that never saw it); None with ``level2``.
    stack_loss, blend_loss : float
        Nested losses of the stack and of the greedy blend (lower is better).
    note : str
        One line for the fit's notes.
    """

    level2: Any
    oof: np.ndarray | None
    stack_loss: float
    blend_loss: float
    note: str


def decide_stack(
    oof: dict[int, np.ndarray],
    members: list[int],
    y: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    metric: str,
    pos_index: int,
    *,
    regression: bool,
    seed: int | None = None,
    deadline: float | None = None,
    sample_weight: np.ndarray | None = None,
) -> StackDecision:
    """Judge a level-2 model over ``members`` against their greedy blend, nested.

    Parameters
    ----------
    oof : dict of int to ndarray
        Out-of-fold prediction matrices per trial.
    members : list of int
        Trials the final model refits (the stack's inputs), best first.
    y : ndarray
        Encoded labels or target values.
    folds : list of (train, test) index arrays
        The search's folds; rows in no test fold are left out.
    metric : str
        The optimized metric (thresholded metrics are judged by log loss, as the
        blend is chosen).
    pos_index : int
        Positive class (binary).
    regression : bool
        Whether the task is regression.
    seed : int or None
        Seed of the level-2 model.
    deadline : float, optional
        A ``time.monotonic()`` value; past it, the judging stops and the blend stays.
    sample_weight : ndarray, optional
        Row weights: the level-2 fits, the nested blends and both scores use them.

    Returns
    -------
    StackDecision
    """
    judge = metric if regression or M.get_metric(metric).needs != "labels" else "log_loss"
    n_outputs = 1 if regression else oof[members[0]].shape[1]
    X2 = stack_features([oof[t] for t in members], regression)
    stacked = np.full((len(y), n_outputs), np.nan)
    blended = np.full((len(y), n_outputs), np.nan)
    w = sample_weight
    covered = np.zeros(len(y), dtype=bool)
    for _, test in folds:
        covered[test] = True
    for _, test in folds:
        if deadline is not None and time.monotonic() > deadline:
            return StackDecision(None, None, np.inf, np.inf, "Stacking skipped: no time left.")
        train = np.flatnonzero(covered & ~np.isin(np.arange(len(y)), test))
        model = _fit_level2(X2[train], y[train], regression, seed, None if w is None else w[train])
        if model is None:
            return StackDecision(None, None, np.inf, np.inf, "Stacking skipped: too few rows.")
        stacked[test] = _level2_matrix(model, X2[test], n_outputs, regression)
        part = {t: oof[t][train] for t in members}
        weights = greedy_selection(
            part, members, y[train], judge, pos_index, sample_weight=None if w is None else w[train]
        )
        blended[test] = blend({t: oof[t][test] for t in weights}, weights)
    rows = np.flatnonzero(covered)
    w_rows = None if w is None else w[rows]
    stack_loss = M.to_loss(
        judge, M.score(judge, y[rows], stacked[rows], pos_index=pos_index, sample_weight=w_rows)
    )
    blend_loss = M.to_loss(
        judge, M.score(judge, y[rows], blended[rows], pos_index=pos_index, sample_weight=w_rows)
    )
    margin = max(MIN_GAIN, RELATIVE_GAIN * abs(blend_loss))
    if not stack_loss < blend_loss - margin:
        return StackDecision(
            None,
            None,
            stack_loss,
            blend_loss,
            f"Stacking {len(members)} members did not beat their blend in nested CV "
            f"({judge}: {_shown(judge, stack_loss)} vs {_shown(judge, blend_loss)}); "
            "the blend is kept.",
        )
    level2 = _fit_level2(X2[rows], y[rows], regression, seed, w_rows)
    return StackDecision(
        level2,
        stacked,
        stack_loss,
        blend_loss,
        f"Stacked {len(members)} members with a linear level-2 model: nested CV "
        f"{judge} {_shown(judge, stack_loss)} against the blend's {_shown(judge, blend_loss)}.",
    )


def _shown(metric: str, loss: float) -> str:
    value = loss if not M.get_metric(metric).greater_is_better else -loss
    return f"{value:.4f}"


class StackedModel:
    """Fitted members and a level-2 model over their predictions.

    Parameters
    ----------
    members : list of fitted pipelines
        In the order the level-2 model's inputs were built.
    level2 : fitted estimator
        Maps :func:`stack_features` of the members' predictions to the output.
    n_classes : int
        Number of classes; 1 for regression.
    regression : bool, default=False
        Whether the members are regressors.
    """

    def __init__(
        self, members: list[Any], level2: Any, n_classes: int, regression: bool = False
    ) -> None:
        self.members = members
        self.level2 = level2
        self.n_classes = n_classes
        self.regression = regression

    def predict_matrix(self, X: Any) -> np.ndarray:
        """The level-2 model's output on the members' predictions of ``X``.

        Parameters
        ----------
        X : DataFrame
            Validated rows.

        Returns
        -------
        ndarray of shape (n_rows, n_classes)
            Class probabilities, or one column of predicted values for regression.
        """
        ctx = output_context(self.n_classes, self.regression)
        features = stack_features(
            [predict_matrix(m, X, ctx) for m in self.members], self.regression
        )
        n_outputs = 1 if self.regression else self.n_classes
        return _level2_matrix(self.level2, features, n_outputs, self.regression)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of a classification stack (see :meth:`predict_matrix`).

        Parameters
        ----------
        X : DataFrame
            Validated rows.

        Returns
        -------
        ndarray of shape (n_rows, n_classes)
        """
        return self.predict_matrix(X)
