"""From the trial log to the final model: select, tune the threshold, refit on all rows
(or bag the members' fold models, see :mod:`automl.fold_models`)."""

from __future__ import annotations

import time
import warnings
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from . import metrics as M
from .ensemble import EnsembleModel, bagged_selection, blend, diverse_candidates
from .errors_text import failure_text
from .exceptions import SearchError
from .fidelity import fidelity_label, fidelity_of, is_full
from .fold_models import final_model_kind, load_bags
from .large_data import use_float32
from .refit import Refitter
from .run_context import RunContext
from .runlog import RunLog
from .search.budget import record_refit_seconds, refit_wall_seconds
from .stacking import StackDecision, StackedModel, decide_stack
from .thresholds import threshold_scores, validated_rows
from .worker_data import as_float32_frame


@dataclass
class FinalModel:
    """What the estimator keeps after the search."""

    model: EnsembleModel | StackedModel
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
    kind: str = "refit"  # "bagged", "refit" or "mixed" (see automl.fold_models)


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


#: Most of the time left after the search that ensemble selection may use.
SELECTION_SHARE = 0.2
#: Next-best trials tried, one at a time, when no selected member could be refitted.
FALLBACK_REFITS = 3


def _ranked_ok(log: RunLog, metric: str, notes: list[str] | None = None) -> list[dict[str, Any]]:
    """The successful full-fidelity trials with predictions, best first.

    Trials at lower fidelities (a multi-fidelity search) trained on fewer rows and
    neither join the ensemble nor stand for the final model. Only when no trial
    finished at full fidelity are the highest fidelity's trials used, and a note in
    ``notes`` says so.

    Raises
    ------
    SearchError
        When no trial succeeded, with a summary of why.
    """
    ok = [r for r in log.records if r["status"] == "ok" and r["trial"] in log.oof]
    if not ok:
        errors = [str(r.get("error") or "") for r in log.records]
        blame = (
            f"Your metric {metric!r} is at fault: every trial failed in it. "
            if errors and all(e.startswith("MetricError") for e in errors)
            else ""
        )
        raise SearchError(
            f"Every trial failed, so there is no model to fit. {blame}Reasons: "
            f"{_failure_summary(log.records)}"
        )
    ok = sorted(ok, key=lambda r: (M.to_loss(metric, r["mean"][metric]), r["trial"]))
    full = [r for r in ok if is_full(r.get("config"))]
    if full:
        return full
    # a lower fidelity's score is pessimistic (fewer rows to learn from), so the best
    # trial's fidelity is the one to choose from; its trials share their scored rows
    top = fidelity_of(ok[0].get("config"))
    if notes is not None:
        notes.append(
            f"No trial finished at full fidelity; the final model is chosen from the trials "
            f"at fidelity {fidelity_label(top)} (refitted on all rows)."
        )
    return [r for r in ok if abs(fidelity_of(r.get("config")) - top) < 1e-9]


def _select(
    run: RunContext,
    log: RunLog,
    ranked: list[int],
    families: dict[int, str],
    y: np.ndarray,
    w: np.ndarray | None,
    deadline: float | None,
) -> dict[int, float]:
    """Ensemble weights by bagged greedy selection on out-of-fold predictions (or the
    best alone; see :func:`~automl.ensemble.bagged_selection`).

    The candidates are the best trials and each family's best (``families``: trial
    id to family; see :func:`~automl.ensemble.diverse_candidates`). Only rows some
    fold validated are read (the others have in-sample predictions).
    """
    if not run.ensemble or len(ranked) < 2:
        return {ranked[0]: 1.0}
    rows = validated_rows(run.folds, len(y))
    oof = {t: p[rows] for t, p in log.oof.items() if t in ranked}
    candidates = diverse_candidates(ranked, families)
    return bagged_selection(
        oof,
        candidates,
        y[rows],
        run.metric,
        run.pos_index,
        seed=run.seed,
        deadline=deadline,
        sample_weight=None if w is None else w[rows],
    )


def _refit_with_fallback(
    refit: Refitter, planned: dict[int, float], ranked: list[int], notes: list[str]
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


def _maybe_stack(
    run: RunContext,
    log: RunLog,
    members: list[int],
    y: np.ndarray,
    w: np.ndarray | None,
    deadline: float | None,
) -> StackDecision | None:
    """Nested CV's verdict on a level-2 model over the kept members; None when not tried
    (ensembling off, or fewer than two members)."""
    if not run.ensemble or len(members) < 2:
        return None
    return decide_stack(
        log.oof,
        members,
        y,
        run.folds,
        run.metric,
        run.pos_index,
        regression=run.is_regression,
        seed=run.seed,
        deadline=deadline,
        sample_weight=w,
    )


def _threshold_and_score(
    run: RunContext, y: np.ndarray, oof: np.ndarray, w: np.ndarray | None
) -> tuple[float | None, float | None, float]:
    """The decision threshold, its spread over folds, and the blend's (weighted) CV score.

    With a tuned threshold, each fold is scored at the threshold tuned on the others.
    Only rows some fold validated are scored.
    """
    policy = run.threshold
    rows = validated_rows(run.folds, len(y))
    w_rows = None if w is None else w[rows]
    if policy.tune_for is None:
        score = M.score(
            run.metric,
            y[rows],
            oof[rows],
            pos_index=run.pos_index,
            threshold=policy.fixed,
            sample_weight=w_rows,
        )
        return policy.fixed, None, score
    fold_t, fold_values, threshold = threshold_scores(
        y, oof, run.folds, policy.tune_for, run.pos_index, bagged=True, sample_weight=w
    )
    if policy.tune_for == run.metric:
        score = float(np.mean(fold_values))
    else:
        score = M.score(
            run.metric,
            y[rows],
            oof[rows],
            pos_index=run.pos_index,
            threshold=threshold,
            sample_weight=w_rows,
        )
    return threshold, float(np.std(fold_t)), score


def build_final_model(
    run: RunContext,
    log: RunLog,
    X: pd.DataFrame,
    y: np.ndarray,
    *,
    time_left: float | None,
    sample_weight: np.ndarray | None = None,
) -> FinalModel:
    """Select the final members, refit them on all rows, tune the threshold out of fold.

    Members are chosen among the full-fidelity trials by greedy ensemble selection
    and cut to those whose refits fit ``time_left``. A trial whose folds stopped
    early is refitted with the rounds they found (see :mod:`automl.rounds`). A member
    that fails to refit is left out; when none refits, the next-best trials are tried
    one at a time. The decision threshold and ``cv_score`` come from the blend of the
    members actually kept.

    With ``run.final_model == "bag"`` a member whose fold models were kept is their
    average (:class:`~automl.bagging.BaggedPipeline`), costs no refit time and is
    always kept; the others are refitted as above (a failure leaves one out).

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
    sample_weight : ndarray or None
        Row weights of the refits, the selection, the threshold and the score.

    Returns
    -------
    FinalModel

    Raises
    ------
    SearchError
        When no trial succeeded (with a summary of why), or none could be refitted
        (with each refit's error).
    """
    notes: list[str] = []
    ok = _ranked_ok(log, run.metric, notes)
    if not is_full(ok[0]):  # stand-ins were scored on a share of each fold: read only those
        run = replace(run, folds=run.folds_scored_at(y, fidelity_of(ok[0])))
    by_id = {r["trial"]: r for r in ok}
    ranked = [r["trial"] for r in ok]
    best = ranked[0]
    start = time.monotonic()
    weights = _select(
        run,
        log,
        ranked,
        {t: str(r["config"].get("family", "")) for t, r in by_id.items()},
        y,
        sample_weight,
        None if time_left is None else start + SELECTION_SHARE * time_left,
    )
    if time_left is not None:
        time_left -= time.monotonic() - start
    bags = load_bags(by_id, list(weights), run, notes) if run.final_model == "bag" else {}
    predicted = {t: record_refit_seconds(by_id[t], len(run.folds)) for t in ranked}
    predicted.update({t: 0.0 for t in bags})  # a bagged member costs no refit
    planned = _within_time(weights, predicted, best, time_left, run.parallelism.refit_workers)
    if len(planned) < len(weights):
        notes.append(
            f"Ensemble cut from {len(weights)} to {len(planned)} members to fit the time left."
        )
    deadline = None if time_left is None else time.monotonic() + time_left
    if use_float32(len(y), X.shape[1]):  # as the trials (see worker_data), at half the memory
        X = as_float32_frame(X)
    refit = Refitter(log, run, X, y, sample_weight, deadline, predicted, notes, essential=best)
    # One filter for all refit threads, set here: warnings.catch_warnings is process-wide
    # and not thread-safe, so entering it in each thread let convergence chatter through.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the CV already judged it
        to_refit = {t: w for t, w in planned.items() if t not in bags}
        if not bags:
            refitted = _refit_with_fallback(refit, planned, ranked, notes)
        else:  # the bagged members stand: a member that fails to refit is only left out
            stand = {t: bag for t, bag in bags.items() if t in planned}
            refitted = {**stand, **refit(sorted(to_refit, key=lambda t: -predicted[t]))}
    # selection order, not refit order (longest first, from measured durations): the
    # members and their sums must not depend on the clock, so seeded fits repeat exactly
    kept = [t for t in planned if t in refitted] + [t for t in refitted if t not in planned]
    total = sum(planned.get(t, 1.0) for t in kept)
    weights = {t: planned.get(t, 1.0) / total for t in kept}
    if best not in weights:  # the best trial failed to refit: the heaviest member stands in
        best = max(weights, key=lambda t: weights[t])
    oof = blend(log.oof, weights)
    model: EnsembleModel | StackedModel = EnsembleModel(
        [(refitted[t][0], w) for t, w in weights.items()],
        run.n_classes,
        regression=run.is_regression,
    )
    stack = _maybe_stack(run, log, list(weights), y, sample_weight, deadline)
    if stack is not None:
        notes.append(stack.note)
        if stack.level2 is not None and stack.oof is not None:
            model = StackedModel(
                [refitted[t][0] for t in weights], stack.level2, run.n_classes, run.is_regression
            )
            oof = np.where(np.isnan(stack.oof), oof, stack.oof)
    threshold, threshold_std, cv_score = _threshold_and_score(run, y, oof, sample_weight)
    best_pipeline, step_times = refitted[best]
    n_bagged = sum(t in bags for t in weights)
    kind, kind_note = final_model_kind(n_bagged, len(weights) - n_bagged)
    return FinalModel(
        model=model,
        best_pipeline=best_pipeline,
        best_record=by_id[best],
        weights=weights,
        threshold=threshold,
        threshold_std=threshold_std,
        oof=oof,
        cv_score=cv_score,
        step_times=step_times,
        predicted_refit=float(sum(predicted[t] for t in weights)),
        notes=[*notes, kind_note] if run.final_model == "bag" else notes,
        kind=kind,
    )
