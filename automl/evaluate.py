"""Evaluate one pipeline configuration by cross-validation.

Everything fitted on data (imputers, encoders, scalers, samplers, the model,
the decision threshold) is fitted on the training part of each fold only.
Runs inside worker processes: it returns plain data and never raises for a
failing configuration.
"""

from __future__ import annotations

import os
import time
import traceback
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from . import metrics as M
from .graph import PipelineGraph
from .models import ModelContext
from .schema import Schema

THRESHOLD_METRICS = ("f1", "balanced_accuracy", "mcc", "accuracy")


@dataclass
class DataRef:
    """Training data handed to a worker: inline, or a joblib file loaded once per worker."""

    path: str | None = None
    X: pd.DataFrame | None = None
    y: np.ndarray | None = None

    def load(self) -> tuple[pd.DataFrame, np.ndarray]:
        if self.path is not None:
            return _load_cached(self.path)
        assert self.X is not None and self.y is not None
        return self.X, self.y


@lru_cache(maxsize=2)
def _load_cached(path: str) -> tuple[pd.DataFrame, np.ndarray]:
    import joblib

    return joblib.load(path)


@dataclass
class TrialTask:
    """Everything a worker needs to evaluate one configuration."""

    trial: int
    config: dict[str, Any]
    graph: PipelineGraph
    schema: Schema
    ctx: ModelContext
    folds: list[tuple[np.ndarray, np.ndarray]]
    data: DataRef
    metric: str
    pos_index: int
    n_classes: int
    tune_threshold: bool
    time_limit: float | None = None
    deadline: float | None = None  # wall-clock (time.time()) end of the trial's allowance
    prune_loss: float | None = None
    prune_spread: float = 0.0  # a fold score's typical std across folds; see prune_tolerance
    threshold_metric: str | None = None  # what the threshold maximises; None: ``metric``
    extra: dict[str, Any] = field(default_factory=dict)


def fit_pipeline_timed(pipeline: Any, X: Any, y: np.ndarray) -> dict[str, float]:
    """Fit an imbalanced-learn pipeline step by step, timing each step.

    Equivalent to ``pipeline.fit(X, y)``: samplers resample, transformers
    transform, and the final step is fitted on the result.
    """
    times: dict[str, float] = {}
    Xt, yt = X, y
    for name, step in pipeline.steps[:-1]:
        start = time.perf_counter()
        if hasattr(step, "fit_resample"):
            Xt, yt = step.fit_resample(Xt, yt)
        else:
            Xt = step.fit_transform(Xt, yt)
        times[name] = time.perf_counter() - start
    name, final = pipeline.steps[-1]
    start = time.perf_counter()
    final.fit(Xt, yt)
    times[name] = time.perf_counter() - start
    return times


def aligned_proba(pipeline: Any, X: Any, n_classes: int) -> np.ndarray:
    """``predict_proba`` with one column per encoded class, even for classes absent in fit."""
    proba = np.asarray(pipeline.predict_proba(X), dtype=float)
    seen = np.asarray(pipeline.classes_).astype(int)
    if proba.shape[1] == n_classes and np.array_equal(seen, np.arange(n_classes)):
        return proba
    out = np.zeros((proba.shape[0], n_classes))
    out[:, seen] = proba
    return out


def threshold_scores(
    y: np.ndarray,
    oof: np.ndarray,
    folds: list[tuple[np.ndarray, np.ndarray]],
    metric: str,
    pos_index: int,
    *,
    bagged: bool = False,
) -> tuple[list[float], list[float], float]:
    """Honest per-fold thresholds: fold k is scored at the threshold tuned on the other folds.

    ``bagged=True`` tunes each threshold with :func:`~automl.metrics.bagged_threshold`
    (steadier, 30 times the cost: used for the final model, not for every trial).

    Returns
    -------
    fold_thresholds : list of float
    fold_values : list of float
        ``metric`` on each fold at its threshold.
    threshold : float
        The threshold tuned on all out-of-fold predictions (what ``predict`` uses).
    """
    pos = oof[:, pos_index]
    tune = M.bagged_threshold if bagged else M.tune_threshold
    thresholds, values = [], []
    for _, test in folds:
        mask = np.ones(len(y), dtype=bool)
        mask[test] = False
        t = tune(y[mask], pos[mask], metric, pos_index=pos_index)
        thresholds.append(t)
        values.append(M.score(metric, y[test], oof[test], pos_index=pos_index, threshold=t))
    return thresholds, values, tune(y, pos, metric, pos_index=pos_index)


#: Folds that must finish before a trial may be pruned.
PRUNE_AFTER_FOLDS = 2


def prune_tolerance(
    best_loss: float, spread: float = 0.0, n_done: int = PRUNE_AFTER_FOLDS
) -> float:
    """How much worse than the best a trial may look after its first folds and go on.

    At least 0.02 or 5 % of the best loss; and at least the standard error of a mean
    over ``n_done`` folds whose scores spread by ``spread`` (standard deviation across
    folds). With few positives a fold's F1 moves by 0.05-0.2 from fold to fold, and
    a fixed margin would prune trials as good as the best by chance: they would be
    lost to the ensemble, and the optimizer would learn from noise.
    """
    return max(0.02, 0.05 * abs(best_loss), spread / np.sqrt(max(1, n_done)))


def _optimistic_loss(task: TrialTask, y: np.ndarray, oof: np.ndarray, done: list) -> float:
    """Mean loss over finished folds; binary threshold metrics at each fold's best threshold.

    Optimistic on purpose: a trial is pruned only if even this bound is clearly worse.
    """
    values = []
    for _, test in done:
        if M.get_metric(task.metric).needs == "labels" and task.n_classes == 2:
            values.append(
                -M.best_threshold_score(
                    y[test], oof[test, task.pos_index], task.metric, pos_index=task.pos_index
                )
            )
        else:
            values.append(
                M.to_loss(
                    task.metric, M.score(task.metric, y[test], oof[test], pos_index=task.pos_index)
                )
            )
    return float(np.mean(values))


def _limit_threads(n: int):
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=max(1, n))


def empty_result(trial: int, status: str = "ok", error: str | None = None) -> dict[str, Any]:
    """A trial result with nothing measured yet (the shape every caller reads)."""
    return {
        "trial": trial,
        "status": status,
        "error": error,
        "notes": [],
        "fold_scores": {},
        "mean": {},
        "std": {},
        "fit_time": 0.0,
        "predict_time": 0.0,
        "step_times": {},
        "threshold": None,
        "oof": None,
        "pid": os.getpid(),
        "duration": 0.0,
    }


#: Share of a trial's time left that its folds' models may use (the rest: preprocessing,
#: prediction, scoring).
MODEL_TIME_SHARE = 0.6


def _with_time_left(task: TrialTask) -> TrialTask:
    """The task with its limits measured from now, in the worker.

    Time spent waiting for the worker or importing libraries there counts
    against the trial, so a model that can stop itself (nets) is given what is
    really left, per fold.
    """
    if task.deadline is None:
        return task
    left = max(0.5, task.deadline - time.time())
    per_fold = max(0.3, MODEL_TIME_SHARE * left / len(task.folds))
    return replace(task, time_limit=left, ctx=replace(task.ctx, time_limit=per_fold))


def run_trial(task: TrialTask) -> dict[str, Any]:
    """Cross-validate one configuration; never raises.

    Returns
    -------
    dict
        ``status`` ("ok", "failed" or "timeout"), ``error``, ``fold_scores``
        ({metric: [per fold]}), ``mean``, ``std``, ``fit_time`` (summed over
        folds), ``predict_time``, ``step_times`` (mean seconds per step per
        fold), ``threshold`` ({"value", "mean", "std"} or None), ``notes``,
        ``oof`` (out-of-fold probabilities, or None), ``pid``.
    """
    start = time.perf_counter()
    result = empty_result(task.trial)
    try:
        X, y = task.data.load()
        oof = np.full((len(y), task.n_classes), np.nan)
        step_totals: dict[str, float] = {}
        fold_scores: dict[str, list[float]] = {m: [] for m in M.REPORTED}
        task = _with_time_left(task)
        with _limit_threads(task.ctx.n_threads), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and dtype chatter from inside the models
            for k, (train, test) in enumerate(task.folds):
                elapsed = time.perf_counter() - start
                per_fold = elapsed / k if k else 0.0
                if task.time_limit is not None and elapsed + per_fold > task.time_limit:
                    # stop before a fold that would overrun: the hard kill would lose the worker
                    result.update(
                        status="timeout",
                        error=f"time limit {task.time_limit:.1f}s would be passed: stopped "
                        f"after {k} of {len(task.folds)} folds",
                    )
                    return result
                pipe = task.graph.compile(task.config, task.schema, task.ctx)
                times = fit_pipeline_timed(pipe, X.iloc[train], y[train])
                for name, sec in times.items():
                    step_totals[name] = step_totals.get(name, 0.0) + sec
                t0 = time.perf_counter()
                oof[test] = aligned_proba(pipe, X.iloc[test], task.n_classes)
                result["predict_time"] += time.perf_counter() - t0
                sampler = dict(pipe.steps).get("resample")
                for note in getattr(sampler, "notes_", []):
                    result["notes"].append(f"fold {k}: {note}")
                for m in M.REPORTED:
                    fold_scores[m].append(
                        M.score_all(y[test], oof[test], pos_index=task.pos_index, names=(m,))[m]
                    )
                done = task.folds[: k + 1]
                if (
                    task.prune_loss is not None
                    and k + 1 >= PRUNE_AFTER_FOLDS
                    and k + 1 < len(task.folds)
                ):
                    loss = _optimistic_loss(task, y, oof, done)
                    margin = prune_tolerance(task.prune_loss, task.prune_spread, len(done))
                    if loss > task.prune_loss + margin:
                        result.update(
                            status="pruned",
                            error=None,
                            fold_scores=fold_scores,
                            mean={m: float(np.nanmean(v)) for m, v in fold_scores.items()},
                            std={m: float(np.nanstd(v)) for m, v in fold_scores.items()},
                            fit_time=sum(step_totals.values()),
                            prune_loss=loss,
                        )
                        result["notes"].append(f"pruned after {k + 1} folds: cannot beat the best")
                        return result
        uncovered = np.flatnonzero(np.isnan(oof[:, 0]))
        if len(uncovered):  # single-sample classes: trained on in every fold, predicted in-sample
            oof[uncovered] = aligned_proba(pipe, X.iloc[uncovered], task.n_classes)
        if not np.all(np.isfinite(oof)):
            raise FloatingPointError("the model produced NaN or infinite probabilities")
        result["fit_time"] = sum(step_totals.values())
        result["step_times"] = {k: v / len(task.folds) for k, v in step_totals.items()}
        if task.tune_threshold:
            target = task.threshold_metric or task.metric
            thresholds, values, final = threshold_scores(y, oof, task.folds, target, task.pos_index)
            result["threshold"] = {
                "value": final,
                "mean": float(np.mean(thresholds)),
                "std": float(np.std(thresholds)),
            }
            for m in M.REPORTED:
                if M.get_metric(m).needs == "labels":
                    fold_scores[m] = [
                        M.score_all(
                            y[test], oof[test], pos_index=task.pos_index, threshold=t, names=(m,)
                        )[m]
                        for t, (_, test) in zip(thresholds, task.folds, strict=False)
                    ]
            fold_scores[target] = values
        result["fold_scores"] = fold_scores
        result["mean"] = {
            m: float(np.nanmean(v)) if np.any(np.isfinite(v)) else float("nan")
            for m, v in fold_scores.items()
        }
        result["std"] = {
            m: float(np.nanstd(v)) if np.any(np.isfinite(v)) else float("nan")
            for m, v in fold_scores.items()
        }
        if not np.isfinite(result["mean"][M.ALIASES.get(task.metric, task.metric)]):
            raise FloatingPointError(f"the {task.metric} score is NaN")
        result["oof"] = oof
    except MemoryError:
        result.update(status="failed", error="MemoryError: the trial ran out of memory")
    except Exception as exc:  # a failing configuration must not sink the search
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" (at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
        result.update(status="failed", error=f"{type(exc).__name__}: {exc}{where}"[:2000])
    finally:
        result["duration"] = time.perf_counter() - start
    return result
