"""From the trial log to the final model: select, tune the threshold, refit on all rows."""

from __future__ import annotations

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
from .ensemble import EnsembleModel, blend, greedy_selection, predict_matrix
from .errors_text import describe_exception, failure_text
from .evaluate import fit_pipeline_timed
from .exceptions import SearchError
from .large_data import full_data_seconds, is_subsampled
from .run_context import RunContext
from .runlog import RunLog
from .search.budget import predict_refit_seconds, refit_wall_seconds
from .thresholds import threshold_scores


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
    reasons = Counter(
        f"{r['status']}: {failure_text(r.get('error'), r['status'], limit=240)}" for r in records
    )
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
    run: RunContext,
    config: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    deadline: float | None,
    allowance: float,
    essential: bool = True,
) -> tuple[Any, dict[str, float], str | None]:
    """Build and fit one member on all rows; returns (pipeline, step times, error or None).

    A model that can stop itself (nets) gets the seconds its refit was planned to
    take, ``allowance``, and never more than what is left before ``deadline`` (a
    ``time.monotonic()`` value) when its fit starts, since members queue behind
    each other on the refit threads. A member that is not ``essential`` and whose
    predicted refit no longer fits before ``deadline`` when its turn comes is not
    started: most models cannot be stopped once fitting, so starting it late would
    overrun the budget.
    """
    if deadline is not None and not essential:
        left = deadline - time.monotonic()
        if left < allowance / REFIT_SLACK:
            return None, {}, f"no time left to refit it ({max(left, 0.0):.1f} s left)"
    limit = None if deadline is None else max(1.0, min(allowance, deadline - time.monotonic()))
    try:
        pipe = run.graph.compile(config, run.schema, replace(run.model, time_limit=limit))
        with threadpool_limits(limits=run.model.n_threads):
            return pipe, fit_pipeline_timed(pipe, X, y), None
    except Exception as exc:
        return None, {}, describe_exception(exc)


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
    pipe: Any, X: pd.DataFrame, y: np.ndarray, oof: np.ndarray, run: RunContext
) -> str | None:
    """Why a refitted pipeline cannot be trusted, or None.

    A model refitted on all rows should fit its own training rows at least about
    as well as the fold models predicted unseen ones (ROC AUC for classification,
    R² for regression); far worse means the refit went wrong (say, training that
    diverged), and using it would be silently wrong.
    """
    rows = np.random.default_rng(0).permutation(len(y))[:SANITY_ROWS]
    metric = "r2" if run.is_regression else "roc_auc"
    try:
        predicted = predict_matrix(pipe, X.iloc[rows], run.model)
        fitted = M.score(metric, y[rows], predicted, pos_index=run.pos_index)
        expected = M.score(metric, y[rows], oof[rows], pos_index=run.pos_index)
    except ValueError:
        return None  # a sample without every class (or a constant one): nothing to compare
    if fitted < expected - SANITY_MARGIN:
        name = "R²" if run.is_regression else "ROC AUC"
        return (
            f"its {name} on its own training rows ({fitted:.3f}) is far below its "
            f"cross-validated one ({expected:.3f}): the refit went wrong"
        )
    return None


@dataclass
class _Refitter:
    """Refits trials of the log on all rows, on threads, each within its planned time."""

    log: RunLog
    run: RunContext
    X: pd.DataFrame
    y: np.ndarray
    deadline: float | None
    predicted: dict[int, float]
    notes: list[str]
    essential: int | None = None

    def __call__(self, trials: list[int]) -> dict[int, tuple[Any, dict[str, float]]]:
        """Refit ``trials`` in the given order; failures are noted and left out.

        Only the ``essential`` trial (the best), or a trial refitted alone, starts
        whatever the time left; the others are skipped when their turn comes too late.
        """
        configs = {r["trial"]: r["config"] for r in self.log.records}
        workers = max(1, min(self.run.parallelism.refit_workers, len(trials)))
        fitted = Parallel(n_jobs=workers, backend="threading")(
            delayed(_refit)(
                self.run,
                configs[t],
                self.X,
                self.y,
                self.deadline,
                REFIT_SLACK * self.predicted[t],
                essential=len(trials) == 1 or t == self.essential,
            )
            for t in trials
        )
        refitted: dict[int, tuple[Any, dict[str, float]]] = {}
        for trial, (pipe, times, error) in zip(trials, fitted, strict=True):
            if error is None:
                error = _refit_sanity(pipe, self.X, self.y, self.log.oof[trial], self.run)
            if error is not None:  # a member that cannot refit is left out, never the whole fit
                self.notes.append(
                    f"Trial {trial} failed to refit on all rows ({error}); "
                    "left out of the final model."
                )
                continue
            refitted[trial] = (pipe, times)
        return refitted


def _ranked_ok(log: RunLog, metric: str) -> list[dict[str, Any]]:
    """The successful trials with predictions, best first.

    Raises
    ------
    SearchError
        When no trial succeeded, with a summary of why.
    """
    ok = [r for r in log.records if r["status"] == "ok" and r["trial"] in log.oof]
    ok = [r for r in ok if not is_subsampled(r["config"])] or ok  # subsampled: the last resort
    if not ok:
        raise SearchError(
            f"Every trial failed, so there is no model to fit. Reasons: "
            f"{_failure_summary(log.records)}"
        )
    return sorted(ok, key=lambda r: (M.to_loss(metric, r["mean"][metric]), r["trial"]))


def _select(
    run: RunContext, log: RunLog, ranked: list[int], y: np.ndarray, deadline: float | None
) -> dict[int, float]:
    """Ensemble weights by greedy selection on out-of-fold predictions (or the best alone)."""
    if not run.ensemble or len(ranked) < 2:
        return {ranked[0]: 1.0}
    return greedy_selection(log.oof, ranked, y, run.metric, run.pos_index, deadline=deadline)


def _refit_with_fallback(
    refit: _Refitter, planned: dict[int, float], ranked: list[int], notes: list[str]
) -> dict[int, tuple[Any, dict[str, float]]]:
    """Refit the planned members longest first; when none refits, the next-best alone.

    Raises
    ------
    SearchError
        When neither the members nor the next-best trials could be refitted; the
        message lists why each failed.
    """
    first_note = len(notes)
    refitted = refit(sorted(planned, key=lambda t: -refit.predicted[t]))  # as planned
    for trial in [t for t in ranked if t not in planned][:FALLBACK_REFITS]:
        if refitted:
            break
        refitted = refit([trial])
        if refitted:
            notes.append(f"Trial {trial}, the next best, stands in alone.")
    if not refitted:
        reasons = " ".join(notes[first_note:])
        raise SearchError(f"No selected configuration could be refitted on all rows. {reasons}")
    return refitted


def _threshold_and_score(
    run: RunContext, y: np.ndarray, oof: np.ndarray
) -> tuple[float | None, float | None, float]:
    """The decision threshold, its spread over folds, and the blend's CV score.

    With a tuned threshold, each fold is scored at the threshold tuned on the others.
    """
    policy = run.threshold
    if policy.tune_for is None:
        score = M.score(run.metric, y, oof, pos_index=run.pos_index, threshold=policy.fixed)
        return policy.fixed, None, score
    fold_t, fold_values, threshold = threshold_scores(
        y, oof, run.folds, policy.tune_for, run.pos_index, bagged=True
    )
    if policy.tune_for == run.metric:
        score = float(np.mean(fold_values))
    else:
        score = M.score(run.metric, y, oof, pos_index=run.pos_index, threshold=threshold)
    return threshold, float(np.std(fold_t)), score


def build_final_model(
    run: RunContext,
    log: RunLog,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    time_left: float | None,
) -> FinalModel:
    """Select the final members, refit them on all rows, tune the threshold out of fold.

    Members are chosen by greedy ensemble selection and cut to those whose refits
    fit ``time_left``. A member that fails to refit is left out; when none refits,
    the next-best trials are tried one at a time. The decision threshold and
    ``cv_score`` come from the blend of the members actually kept.

    Parameters
    ----------
    run : RunContext
        The fit's shared facts.
    log : RunLog
        The finished search's trials and out-of-fold predictions.
    X : DataFrame
        Validated training features.
    y : ndarray
        Encoded labels.
    time_left : float or None
        Seconds left for selection and refits; None: no limit.

    Returns
    -------
    FinalModel

    Raises
    ------
    SearchError
        When no trial succeeded (with a summary of why), or none could be refitted
        (with each refit's error).
    """
    ok = _ranked_ok(log, run.metric)
    by_id = {r["trial"]: r for r in ok}
    ranked = [r["trial"] for r in ok]
    best = ranked[0]
    notes: list[str] = []
    start = time.monotonic()
    weights = _select(
        run, log, ranked, y, None if time_left is None else start + SELECTION_SHARE * time_left
    )
    if time_left is not None:
        time_left -= time.monotonic() - start
    predicted = {
        t: predict_refit_seconds(full_data_seconds(by_id[t]), len(run.folds)) for t in ranked
    }
    planned = _within_time(weights, predicted, best, time_left, run.parallelism.refit_workers)
    if len(planned) < len(weights):
        notes.append(
            f"Ensemble cut from {len(weights)} to {len(planned)} members to fit the time left."
        )
    deadline = None if time_left is None else time.monotonic() + time_left
    refit = _Refitter(log, run, X, y, deadline, predicted, notes, essential=best)
    # One filter for all refit threads, set here: warnings.catch_warnings is process-wide
    # and not thread-safe, so entering it in each thread let convergence chatter through.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the CV already judged it
        refitted = _refit_with_fallback(refit, planned, ranked, notes)
    # selection order, not refit order (longest first, from measured durations): the
    # members and their sums must not depend on the clock, so seeded fits repeat exactly
    kept = [t for t in planned if t in refitted] + [t for t in refitted if t not in planned]
    total = sum(planned.get(t, 1.0) for t in kept)
    weights = {t: planned.get(t, 1.0) / total for t in kept}
    if best not in weights:  # the best trial failed to refit: the heaviest member stands in
        best = max(weights, key=lambda t: weights[t])
    oof = blend(log.oof, weights)
    threshold, threshold_std, cv_score = _threshold_and_score(run, y, oof)
    best_pipeline, step_times = refitted[best]
    return FinalModel(
        model=EnsembleModel(
            [(refitted[t][0], w) for t, w in weights.items()],
            run.n_classes,
            regression=run.is_regression,
        ),
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


def describe_steps(pipeline: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """``(name, class name, plain parameters)`` of each step of a fitted pipeline.

    Parameters
    ----------
    pipeline : Pipeline or estimator
        A pipeline with ``steps``; anything else has no steps to describe.

    Returns
    -------
    list of tuple
        Parameters are kept when they are plain values, else replaced by their type's name.
    """
    out = []
    for name, step in getattr(pipeline, "steps", []):
        try:
            params = step.get_params(deep=False)
        except Exception:
            params = {}
        plain = {
            k: v if isinstance(v, (int, float, str, bool, type(None))) else type(v).__name__
            for k, v in params.items()
            if not k.startswith("_") and k != "transformers"
        }
        out.append((name, type(step).__name__, plain))
    return out
