"""From the trial log to the final model: select, tune the threshold, refit on all rows."""

from __future__ import annotations

import os
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from . import metrics as M
from .ensemble import EnsembleModel, blend, greedy_selection
from .evaluate import fit_pipeline_timed, threshold_scores
from .exceptions import SearchError
from .graph import PipelineGraph
from .models import ModelContext
from .runlog import RunLog
from .search.budget import predict_refit_seconds, refit_wall_seconds


@dataclass
class FinalModel:
    """What the estimator keeps after the search."""

    model: EnsembleModel
    best_pipeline: Any
    best_record: dict[str, Any]
    weights: dict[int, float]
    threshold: float | None
    threshold_std: float | None
    oof: np.ndarray
    cv_score: float
    step_times: dict[str, float]
    predicted_refit: float
    notes: list[str] = field(default_factory=list)


def _failure_summary(records: list[dict[str, Any]]) -> str:
    if not records:
        return "no trial could be started within the budget; raise time_budget"
    reasons = Counter(f"{r['status']}: {str(r.get('error'))[:160]}" for r in records)
    return "; ".join(f"{n}x {reason}" for reason, n in reasons.most_common(5))


def _within_time(
    weights: dict[int, float],
    predicted: dict[int, float],
    best: int,
    time_left: float | None,
    n_parallel: int,
) -> dict[int, float]:
    """The members whose refits fit ``time_left`` on ``n_parallel`` threads.

    The best trial always stays; the others are added by falling weight while the
    predicted wall time of refitting them all (longest first) still fits.
    """
    if time_left is None:
        return weights
    kept = {best: weights[best]}
    for trial in sorted((t for t in weights if t != best), key=lambda t: -weights[t]):
        plan = [predicted[t] for t in (*kept, trial)]
        if refit_wall_seconds(plan, n_parallel) <= time_left:
            kept[trial] = weights[trial]
    total = sum(kept.values())
    return {t: w / total for t, w in kept.items()}


def _refit(
    graph: PipelineGraph,
    config: dict[str, Any],
    schema: Any,
    ctx: ModelContext,
    X: pd.DataFrame,
    y: np.ndarray,
    deadline: float | None,
    allowance: float,
) -> tuple[Any, dict[str, float], str | None]:
    """Build and fit one member on all rows; returns (pipeline, step times, error or None).

    A model that can stop itself (nets) gets the seconds its refit was planned to
    take, ``allowance``, and never more than what is left before ``deadline`` (a
    ``time.monotonic()`` value) when its fit starts, since members queue behind
    each other on the refit threads.
    """
    limit = None if deadline is None else max(1.0, min(allowance, deadline - time.monotonic()))
    try:
        pipe = graph.compile(config, schema, replace(ctx, time_limit=limit))
        with threadpool_limits(limits=ctx.n_threads), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter; the CV already judged it
            return pipe, fit_pipeline_timed(pipe, X, y), None
    except Exception as exc:
        return None, {}, f"{type(exc).__name__}: {exc}"


#: Most of the time left after the search that ensemble selection may use.
SELECTION_SHARE = 0.2
#: A member's refit may take this many times its predicted duration (models that
#: stop themselves are held to it; others are only planned with it).
REFIT_SLACK = 1.5
#: Next-best trials tried, one at a time, when no selected member could be refitted.
FALLBACK_REFITS = 3
#: Rows used to check a refitted member against its cross-validated predictions.
SANITY_ROWS = 2000
#: A refit whose in-sample ROC AUC is this far below its out-of-fold AUC is broken.
SANITY_MARGIN = 0.1


def _refit_sanity(
    pipe: Any, X: pd.DataFrame, y: np.ndarray, oof: np.ndarray, n_classes: int, pos_index: int
) -> str | None:
    """Why a refitted pipeline cannot be trusted, or None.

    A model refitted on all rows should rank its own training rows at least about
    as well as the fold models ranked unseen ones; far worse means the refit went
    wrong (say, training that diverged), and using it would be silently wrong.
    """
    from .evaluate import aligned_proba

    rows = np.random.default_rng(0).permutation(len(y))[:SANITY_ROWS]
    try:
        fitted = M.score(
            "roc_auc", y[rows], aligned_proba(pipe, X.iloc[rows], n_classes), pos_index=pos_index
        )
        expected = M.score("roc_auc", y[rows], oof[rows], pos_index=pos_index)
    except ValueError:
        return None  # a sample without every class: nothing to compare
    if fitted < expected - SANITY_MARGIN:
        return (
            f"its ROC AUC on its own training rows ({fitted:.3f}) is far below its "
            f"cross-validated one ({expected:.3f}): the refit went wrong"
        )
    return None


@dataclass
class _Refitter:
    """Refits trials of the log on all rows, on threads, each within its planned time."""

    log: RunLog
    graph: PipelineGraph
    ctx: ModelContext
    schema: Any
    X: pd.DataFrame
    y: np.ndarray
    pos_index: int
    n_parallel: int
    deadline: float | None
    predicted: dict[int, float]
    notes: list[str]

    def __call__(self, trials: list[int]) -> dict[int, tuple[Any, dict[str, float]]]:
        """Refit ``trials`` in the given order; failures are noted and left out."""
        configs = {r["trial"]: r["config"] for r in self.log.records}
        fitted = Parallel(n_jobs=max(1, min(self.n_parallel, len(trials))), backend="threading")(
            delayed(_refit)(
                self.graph,
                configs[t],
                self.schema,
                self.ctx,
                self.X,
                self.y,
                self.deadline,
                REFIT_SLACK * self.predicted[t],
            )
            for t in trials
        )
        refitted: dict[int, tuple[Any, dict[str, float]]] = {}
        for trial, (pipe, times, error) in zip(trials, fitted, strict=True):
            if error is None:
                error = _refit_sanity(
                    pipe, self.X, self.y, self.log.oof[trial], self.ctx.n_classes, self.pos_index
                )
            if error is not None:  # a member that cannot refit is left out, never the whole fit
                self.notes.append(
                    f"Trial {trial} failed to refit on all rows ({error}); "
                    "left out of the final model."
                )
                continue
            refitted[trial] = (pipe, times)
        return refitted


def build_final_model(
    log: RunLog,
    graph: PipelineGraph,
    ctx: ModelContext,
    schema: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    folds: list,
    *,
    metric: str,
    pos_index: int,
    ensemble: bool,
    threshold_metric: str | None,
    fixed_threshold: float | None,
    time_left: float | None,
) -> FinalModel:
    """Select the final members, refit them on all rows, tune the threshold out of fold.

    Members are chosen by greedy ensemble selection and cut to those whose refits
    fit ``time_left``. A member that fails to refit is left out; when none refits,
    the next-best trials are tried one at a time. The decision threshold and
    ``cv_score`` come from the blend of the members actually kept.

    Raises
    ------
    SearchError
        When no trial succeeded (with a summary of why), or none could be refitted.
    """
    ok = [r for r in log.records if r["status"] == "ok" and r["trial"] in log.oof]
    if not ok:
        raise SearchError(
            f"Every trial failed, so there is no model to fit. Reasons: "
            f"{_failure_summary(log.records)}"
        )
    ok.sort(key=lambda r: (M.to_loss(metric, r["mean"][metric]), r["trial"]))
    by_id = {r["trial"]: r for r in ok}
    best = ok[0]["trial"]
    notes: list[str] = []
    ranked = [r["trial"] for r in ok]
    start = time.monotonic()
    weights = (
        greedy_selection(
            log.oof,
            ranked,
            y,
            metric,
            pos_index,
            deadline=None if time_left is None else start + SELECTION_SHARE * time_left,
        )
        if ensemble and len(ok) > 1
        else {best: 1.0}
    )
    if time_left is not None:
        time_left -= time.monotonic() - start
    predicted = {t: predict_refit_seconds(by_id[t]["duration"], len(folds)) for t in ranked}
    n_parallel = max(1, (os.cpu_count() or 1) // max(1, ctx.n_threads))
    limited = _within_time(weights, predicted, best, time_left, n_parallel)
    if len(limited) < len(weights):
        notes.append(
            f"Ensemble cut from {len(weights)} to {len(limited)} members to fit the time left."
        )
    deadline = None if time_left is None else time.monotonic() + time_left
    refit = _Refitter(
        log, graph, ctx, schema, X, y, pos_index, n_parallel, deadline, predicted, notes
    )
    refitted = refit(sorted(limited, key=lambda t: -predicted[t]))  # longest first, as planned
    for trial in [t for t in ranked if t not in limited][:FALLBACK_REFITS]:
        if refitted:
            break
        refitted = refit([trial])
        if refitted:
            notes.append(f"Trial {trial}, the next best, stands in alone.")
    if not refitted:
        raise SearchError("No selected configuration could be refitted on all rows; see notes_.")
    total = sum(limited.get(t, 1.0) for t in refitted)
    weights = {t: limited.get(t, 1.0) / total for t in refitted}
    if best not in weights:  # the best trial failed to refit: the heaviest member stands in
        best = max(weights, key=lambda t: weights[t])
    oof = blend(log.oof, weights)
    threshold, threshold_std = fixed_threshold, None
    if threshold_metric is not None:
        fold_t, fold_values, threshold = threshold_scores(
            y, oof, folds, threshold_metric, pos_index, bagged=True
        )
        threshold_std = float(np.std(fold_t))
    if threshold_metric == metric:
        cv_score = float(np.mean(fold_values))
    else:
        cv_score = M.score(metric, y, oof, pos_index=pos_index, threshold=threshold)
    best_pipeline, step_times = refitted[best]
    return FinalModel(
        model=EnsembleModel([(refitted[t][0], w) for t, w in weights.items()], ctx.n_classes),
        best_pipeline=best_pipeline,
        best_record=by_id[best],
        weights=weights,
        threshold=threshold,
        threshold_std=threshold_std,
        oof=oof,
        cv_score=cv_score,
        step_times=step_times,
        predicted_refit=float(sum(predicted[t] for t in weights)),
        notes=notes,
    )
