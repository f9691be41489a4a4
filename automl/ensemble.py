"""Greedy ensemble selection over out-of-fold predictions, and the fitted ensemble.

Caruana et al. (2004): start from the best trial, then repeatedly add (with
replacement) the trial whose predictions most improve the blend's score.
Selection reads only out-of-fold predictions, so it never sees a row's own fit.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from . import metrics as M
from .models.base import ModelContext

#: Trials greedy selection may pick from (the best by CV score).
MAX_CANDIDATES = 20


def aligned_proba(pipeline: Any, X: Any, n_classes: int) -> np.ndarray:
    """``predict_proba`` with one column per encoded class, even for classes absent in fit.

    Parameters
    ----------
    pipeline : fitted classifier
        Fitted on labels encoded ``0..n_classes-1`` (possibly a subset of them).
    X : DataFrame
        Rows to predict.
    n_classes : int
        Number of classes of the whole problem.

    Returns
    -------
    ndarray of shape (n_rows, n_classes)
        Zero probability for the classes the pipeline never saw.
    """
    proba = np.asarray(pipeline.predict_proba(X), dtype=float)
    seen = np.asarray(pipeline.classes_).astype(int)
    if proba.shape[1] == n_classes and np.array_equal(seen, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, seen] = proba
    return out


def output_context(n_classes: int, regression: bool) -> ModelContext:
    """The task a combined model's members are read with by :func:`predict_matrix`."""
    return ModelContext(task="regression" if regression else "multiclass", n_classes=n_classes)


def predict_matrix(pipeline: Any, X: Any, ctx: ModelContext) -> np.ndarray:
    """A member's predictions as a matrix: class probabilities, or one column of values.

    Parameters
    ----------
    pipeline : fitted classifier or regressor
    X : DataFrame
        Rows to predict.
    ctx : ModelContext
        The task: regression gives an ``(n, 1)`` matrix of predicted values, a
        classification one column per class (see :func:`aligned_proba`).

    Returns
    -------
    ndarray of shape (n_rows, ctx.n_outputs)
    """
    if ctx.is_regression:
        return np.asarray(pipeline.predict(X), dtype=float).reshape(-1, 1)
    return aligned_proba(pipeline, X, ctx.n_classes)


def blend_score(
    y: np.ndarray,
    proba: np.ndarray,
    metric: str,
    pos_index: int,
    sample_weight: np.ndarray | None = None,
) -> float:
    """Score of a blend, as a value where higher is better.

    Metrics of thresholded labels (F1, MCC, balanced accuracy, ...) are replaced by
    the log loss, a proper scoring rule: with few positives, greedily maximising F1 at
    its best threshold chases noise, while blends chosen by log loss scored a higher
    F1 on held-out rows (offline check on 8 imbalanced data sets: mean +0.011). The
    threshold for the metric is tuned afterwards on the chosen blend. Row weights
    (``sample_weight``) weigh the score.
    """
    m = M.get_metric(metric)
    w = sample_weight
    if m.needs == "labels":
        return -M.score("log_loss", y, proba, pos_index=pos_index, sample_weight=w)
    value = M.score(m.name, y, proba, pos_index=pos_index, sample_weight=w)
    return value if m.greater_is_better else -value


def diverse_candidates(
    ranked: list[int], families: dict[int, str], max_candidates: int = MAX_CANDIDATES
) -> list[int]:
    """The trials greedy selection may pick from: the best ones, and each family's best.

    A search spends most of its trials near its best family, so the top trials by
    CV score are often all of one kind; their errors agree and blending them gains
    little. Each family's best trial joins the candidates (the best overall stays
    first), so a blend can hedge across model kinds, as AutoGluon's weighted
    ensemble does over its per-family models. The rest of the places go to the
    best remaining trials.

    Parameters
    ----------
    ranked : list of int
        Trial ids, best first.
    families : dict of int to str
        Each trial's model family.
    max_candidates : int
        Size of the result (at least the number of families present).

    Returns
    -------
    list of int
        Trial ids in ``ranked`` order.
    """
    firsts: dict[str, int] = {}
    for t in ranked:
        firsts.setdefault(families.get(t, ""), t)
    chosen = set(firsts.values())
    for t in ranked:
        if len(chosen) >= max_candidates:
            break
        chosen.add(t)
    return [t for t in ranked if t in chosen]


def greedy_selection(
    oof: dict[int, np.ndarray],
    ranked: list[int],
    y: np.ndarray,
    metric: str,
    pos_index: int,
    *,
    max_candidates: int = MAX_CANDIDATES,
    rounds: int = 25,
    deadline: float | None = None,
    sample_weight: np.ndarray | None = None,
) -> dict[int, float]:
    """Weights per trial of the best greedy blend.

    Parameters
    ----------
    oof : dict of int to ndarray
        Out-of-fold probabilities per trial.
    ranked : list of int
        Trial ids, best first; the first ``max_candidates`` are candidates.
    y : ndarray
        Encoded labels.
    metric : str
        What the blend optimises.
    pos_index : int
        Positive class (binary).
    deadline : float, optional
        A ``time.monotonic()`` value; no new round starts after it (the best blend
        found so far is returned), so selection cannot eat the refit's time.
    sample_weight : ndarray, optional
        Row weights of the blend's score.

    Returns
    -------
    dict of int to float
        Weights summing to 1 (a single trial with weight 1 when no blend helps).
    """
    candidates = [t for t in ranked[:max_candidates] if t in oof]
    if not candidates:
        return {}
    best_single = candidates[0]
    counts = {best_single: 1}
    total = oof[best_single].copy()
    best_value = blend_score(y, total, metric, pos_index, sample_weight)
    best_counts = dict(counts)
    for r in range(2, rounds + 1):
        if deadline is not None and time.monotonic() > deadline:
            break
        scores = [
            blend_score(y, (total + oof[t]) / r, metric, pos_index, sample_weight)
            for t in candidates
        ]
        pick = int(np.argmax(scores))
        total = total + oof[candidates[pick]]
        counts[candidates[pick]] = counts.get(candidates[pick], 0) + 1
        if scores[pick] > best_value + 1e-9:
            best_value, best_counts = scores[pick], dict(counts)
    n = sum(best_counts.values())
    return {t: c / n for t, c in sorted(best_counts.items(), key=lambda kv: -kv[1])}


def _bootstrap(n: int, strata: list[np.ndarray] | None, rng: np.random.Generator) -> np.ndarray:
    """Row indices of a bootstrap resample of ``n`` rows; within each of ``strata`` (the
    rows of each class, for classification) so a rare class cannot vanish from a bag."""
    if strata is None:
        return rng.integers(0, n, n)
    return np.concatenate([rng.choice(rows, size=len(rows)) for rows in strata])


#: Bags of bagged ensemble selection (:func:`bagged_selection`).
SELECTION_BAGS = 20
#: Chance that a candidate joins a bag, when there are enough candidates to draw from.
BAG_SHARE = 0.5
#: Most out-of-fold rows on which selection is bagged (see :func:`bagged_selection`).
BAGGED_MAX_ROWS = 50_000
#: Fewest candidates from which bags draw random subsets; with fewer, every bag holds
#: them all (a bag of only the weaker ones would force them into the blend).
MIN_CANDIDATES_TO_DRAW = 6


def bagged_selection(
    oof: dict[int, np.ndarray],
    ranked: list[int],
    y: np.ndarray,
    metric: str,
    pos_index: int,
    *,
    seed: int | None = 0,
    n_bags: int = SELECTION_BAGS,
    max_candidates: int = MAX_CANDIDATES,
    deadline: float | None = None,
    sample_weight: np.ndarray | None = None,
) -> dict[int, float]:
    """Weights per trial: greedy blends selected on bags of rows and candidates, averaged.

    One greedy blend fits its weights to the noise of the out-of-fold rows: on small
    data a handful of rows (a heavy tail, a few positives) can decide which trials
    it picks, and the blend is then no hedge at all. Bagged ensemble selection
    (Caruana et al., 2006) averages the blends :func:`greedy_selection` picks on
    ``n_bags`` bags, each a bootstrap resample of the rows and, when there are at
    least :data:`MIN_CANDIDATES_TO_DRAW` candidates, a random share
    (:data:`BAG_SHARE`) of them. Offline (8 fixed regression models; held-out RMSE on
    7 data set x seed cells) these bags beat the single greedy blend on all 7; for
    classification (8 classifiers, 4 data sets x 3 seeds, held-out ROC AUC) bags of
    rows alone and bags of candidates alone each beat it on average. Above
    :data:`BAGGED_MAX_ROWS` rows the single blend is kept: the noise bagging guards
    against shrinks with the rows, while the cost of ``n_bags`` selections grows
    with them.

    Parameters
    ----------
    oof, ranked, y, metric, pos_index, max_candidates, sample_weight
        As for :func:`greedy_selection`.
    seed : int or None
        Seed of the bags (None: 0), so a seeded fit repeats exactly.
    n_bags : int
        Number of bags.
    deadline : float, optional
        A ``time.monotonic()`` value: when it passes before every bag is done, the
        single greedy blend over all rows and candidates is returned instead (that
        blend is selected first, under the same deadline).

    Returns
    -------
    dict of int to float
        Weights summing to 1, heaviest first.
    """
    candidates = [t for t in ranked[:max_candidates] if t in oof]
    start = time.monotonic()
    plain = greedy_selection(
        oof, candidates, y, metric, pos_index, deadline=deadline, sample_weight=sample_weight
    )
    if len(candidates) < 2 or len(y) > BAGGED_MAX_ROWS:
        return plain
    # a bag costs about as much as the plain selection (fewer candidates, same rows):
    # when the bags cannot all finish in time, do not start them
    now = time.monotonic()
    if deadline is not None and now + n_bags * (now - start) > deadline:
        return plain
    rng = np.random.default_rng(0 if seed is None else seed)
    classification = oof[candidates[0]].shape[1] > 1
    strata = [np.flatnonzero(y == c) for c in np.unique(y)] if classification else None
    total: dict[int, float] = {}
    for _ in range(n_bags):
        if deadline is not None and time.monotonic() > deadline:
            return plain  # all bags or none: the weights must not depend on the clock
        rows = _bootstrap(len(y), strata, rng)
        bag = candidates
        if len(candidates) >= MIN_CANDIDATES_TO_DRAW:
            bag = [t for t in candidates if rng.random() < BAG_SHARE] or candidates[:1]
        weights = greedy_selection(
            {t: oof[t][rows] for t in bag},
            bag,
            y[rows],
            metric,
            pos_index,
            sample_weight=None if sample_weight is None else sample_weight[rows],
        )
        for t, w in weights.items():
            total[t] = total.get(t, 0.0) + w / n_bags
    return dict(sorted(total.items(), key=lambda kv: -kv[1]))


def blend(oof: dict[int, np.ndarray], weights: dict[int, float]) -> np.ndarray:
    """Weighted average of the predictions of the trials in ``weights``."""
    total = sum(weights.values())
    return sum(oof[t] * (w / total) for t, w in weights.items())  # type: ignore[return-value]


class EnsembleModel:
    """A weighted average of fitted pipelines' predictions.

    Parameters
    ----------
    members : list of (pipeline, weight)
        Fitted pipelines (classifiers over encoded labels ``0..n_classes-1``, or
        regressors).
    n_classes : int
        Number of classes; 1 for regression.
    regression : bool, default=False
        Whether the members are regressors (their predicted values are averaged).
    """

    def __init__(
        self, members: list[tuple[Any, float]], n_classes: int, regression: bool = False
    ) -> None:
        self.members = members
        self.n_classes = n_classes
        self.regression = regression

    def predict_matrix(self, X: Any) -> np.ndarray:
        """The weighted average of the members' prediction matrices.

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
        total = sum(w for _, w in self.members)
        out = np.zeros((len(X), 1 if self.regression else self.n_classes))
        for pipe, weight in self.members:
            out += predict_matrix(pipe, X, ctx) * (weight / total)
        return out

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of a classification ensemble (see :meth:`predict_matrix`).

        Parameters
        ----------
        X : DataFrame
            Validated rows.

        Returns
        -------
        ndarray of shape (n_rows, n_classes)
        """
        return self.predict_matrix(X)

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("regression", False)  # ensembles pickled before regression existed
        self.__dict__.update(state)
