"""Evaluate one pipeline configuration by cross-validation.

Everything fitted on data (imputers, encoders, scalers, samplers, the model,
the decision threshold) is fitted on the training part of each fold only.
Runs inside worker processes: it returns plain data and never raises for a
failing configuration.
"""

from __future__ import annotations

import os
import time
import warnings
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from . import metrics as M
from .ensemble import predict_matrix
from .errors_text import describe_exception
from .fidelity import fidelity_of, fold_seed, is_full, subsample_train
from .fold_models import dump_fold_models
from .models import ModelContext, get_family
from .pipeline_fit import fit_pipeline_timed
from .pruning import prune_loss
from .rounds import rounds_used
from .run_context import RunContext
from .thresholds import threshold_scores, validated_rows
from .worker_data import load_worker_data

#: Training data as a worker sees it: features, target and row weights (or None).
Data = tuple[pd.DataFrame, np.ndarray, "np.ndarray | None"]


@dataclass
class DataRef:
    """Training data handed to a worker: inline, or a joblib file loaded once per worker.

    The row weights (``sample_weight``, None when the fit has none) travel with the
    rows they weigh.
    """

    path: str | None = None
    X: pd.DataFrame | None = None
    y: np.ndarray | None = None
    sample_weight: np.ndarray | None = None

    def load(self) -> Data:
        if self.path is not None:
            return _load_cached(self.path)
        assert self.X is not None and self.y is not None
        return self.X, self.y, self.sample_weight


@lru_cache(maxsize=2)
def _load_cached(path: str) -> Data:
    return load_worker_data(path)  # numeric columns memory-mapped: shared by the workers


def _rows(w: np.ndarray | None, index: np.ndarray) -> np.ndarray | None:
    """The weights of the rows ``index`` (None stays None)."""
    return None if w is None else w[index]


@dataclass
class TrialTask:
    """Everything a worker needs to evaluate one configuration.

    Attributes
    ----------
    trial : int
        The trial's id.
    config : dict
        The configuration: the graph's choices and the family's hyperparameters;
        its ``"fidelity"`` (see :mod:`automl.fidelity`) shrinks each training fold.
    run : RunContext
        The fit's shared facts: graph, schema, folds, metric, threshold policy, ...
    data : DataRef
        The training data, inline or as a file the worker loads once.
    time_limit : float or None
        Seconds the trial may take.
    deadline : float or None
        Wall-clock (``time.time()``) end of the trial's allowance.
    prune_loss : float or None
        The best loss so far at this trial's fidelity; a trial clearly worse after its
        first folds is pruned.
    prune_spread : float
        A fold score's typical standard deviation across folds; see :func:`prune_tolerance`.
    prune_folds : tuple of float or None
        The best trial's loss on each fold. When given (one per fold), the trial's
        first folds are compared with the best's *same* folds: folds differ in
        difficulty (one holding a few extreme targets can dominate an RMSE), and a
        trial must not be pruned for having met the hard fold first.
    """

    trial: int
    config: dict[str, Any]
    run: RunContext
    data: DataRef
    time_limit: float | None = None
    deadline: float | None = None
    prune_loss: float | None = None
    prune_spread: float = 0.0
    prune_folds: tuple[float, ...] | None = None


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


def _limits_from_now(task: TrialTask) -> tuple[float | None, ModelContext]:
    """The trial's time limit and its models' context, measured from now, in the worker.

    Time spent waiting for the worker or importing libraries there counts
    against the trial, so a model that can stop itself (nets) is given what is
    really left, per fold.
    """
    if task.deadline is None:
        return task.time_limit, task.run.model
    left = max(0.5, task.deadline - time.time())
    per_fold = max(0.3, MODEL_TIME_SHARE * left / len(task.run.folds))
    return left, replace(task.run.model, time_limit=per_fold)


@dataclass
class _Folds:
    """What the folds of one trial produced."""

    oof: np.ndarray
    scores: dict[str, list[float]]
    folds: list[tuple[np.ndarray, np.ndarray]]  # as scored: see fidelity.scored_folds
    step_totals: dict[str, float] = field(default_factory=dict)
    last_pipeline: Any = None
    rounds: list[int | None] = field(default_factory=list)
    pipelines: list[Any] = field(default_factory=list)  # kept only for a bagged final model


def _stats(fold_scores: dict[str, list[float]]) -> dict[str, dict[str, float]]:
    """Mean and standard deviation of each metric over the folds (NaN where none scored)."""

    def agg(fn: Any, v: list[float]) -> float:
        return float(fn(v)) if np.any(np.isfinite(v)) else float("nan")

    return {
        "mean": {m: agg(np.nanmean, v) for m, v in fold_scores.items()},
        "std": {m: agg(np.nanstd, v) for m, v in fold_scores.items()},
    }


def _fit_folds(
    task: TrialTask,
    X: pd.DataFrame,
    y: np.ndarray,
    w: np.ndarray | None,
    limit: float | None,
    ctx: ModelContext,
    result: dict[str, Any],
    start: float,
) -> _Folds | None:
    """Fit and predict fold by fold; None when the trial stopped early.

    A trial stops before a fold that would pass ``limit`` (``status="timeout"``) or
    when it cannot beat the best (``status="pruned"``); ``result`` then says why.
    """
    run = task.run
    fidelity = fidelity_of(task.config)
    cv = _Folds(
        np.full((len(y), run.n_outputs), np.nan),
        {m: [] for m in run.reported},
        run.folds_scored_at(y, fidelity),
    )
    for k, (train, test) in enumerate(cv.folds):
        elapsed = time.perf_counter() - start
        per_fold = elapsed / k if k else 0.0
        if limit is not None and elapsed + per_fold > limit:
            # stop before a fold that would overrun: the hard kill would lose the worker
            result.update(
                status="timeout",
                error=f"time limit {limit:.1f}s would be passed: stopped "
                f"after {k} of {len(run.folds)} folds",
            )
            return None
        pipe = run.graph.compile(task.config, run.schema, ctx)
        if not get_family(task.config["family"]).reads_fidelity:  # else it sets a resource
            # per fold, the same rows for every configuration
            seed = fold_seed(run.seed, k)
            train = subsample_train(train, y, fidelity, seed, stratify=not run.is_regression)
        times = fit_pipeline_timed(pipe, X.iloc[train], y[train], _rows(w, train))
        for name, sec in times.items():
            cv.step_totals[name] = cv.step_totals.get(name, 0.0) + sec
        cv.rounds.append(rounds_used(pipe))
        t0 = time.perf_counter()
        cv.oof[test] = predict_matrix(pipe, X.iloc[test], ctx)
        result["predict_time"] += time.perf_counter() - t0
        cv.last_pipeline = pipe
        cv.pipelines += [pipe] if run.fold_models is not None else []
        sampler = dict(pipe.steps).get("resample")
        result["notes"].extend(f"fold {k}: {note}" for note in getattr(sampler, "notes_", []))
        scores = M.score_all(
            y[test],
            cv.oof[test],
            pos_index=run.pos_index,
            names=run.reported,
            sample_weight=_rows(w, test),
        )
        for m in run.reported:
            cv.scores[m].append(scores[m])
        loss = prune_loss(task, y, cv.oof, k + 1, w, cv.folds)
        if loss is not None:
            result.update(
                status="pruned",
                error=None,
                fold_scores=cv.scores,
                **_stats(cv.scores),
                fit_time=sum(cv.step_totals.values()),
                prune_loss=loss,
            )
            result["notes"].append(f"pruned after {k + 1} folds: cannot beat the best")
            return None
    return cv


def _tune_threshold(
    task: TrialTask, y: np.ndarray, w: np.ndarray | None, cv: _Folds, result: dict[str, Any]
) -> None:
    """Tune the binary threshold out of fold; label metrics are rescored at each fold's."""
    run = task.run
    target = run.threshold.tune_for
    if target is None:
        return
    thresholds, values, final = threshold_scores(
        y, cv.oof, cv.folds, target, run.pos_index, sample_weight=w
    )
    result["threshold"] = {
        "value": final,
        "mean": float(np.mean(thresholds)),
        "std": float(np.std(thresholds)),
    }
    for m in run.reported:
        if M.get_metric(m).needs == "labels":
            cv.scores[m] = [
                M.score_all(
                    y[test],
                    cv.oof[test],
                    pos_index=run.pos_index,
                    threshold=t,
                    names=(m,),
                    sample_weight=_rows(w, test),
                )[m]
                for t, (_, test) in zip(thresholds, cv.folds, strict=False)
            ]
    cv.scores[target] = values


def _summarise(
    task: TrialTask,
    X: pd.DataFrame,
    y: np.ndarray,
    w: np.ndarray | None,
    cv: _Folds,
    result: dict[str, Any],
) -> None:
    """Complete the out-of-fold predictions, tune the threshold, and record the scores."""
    run = task.run
    uncovered = np.flatnonzero(~validated_rows(run.folds, len(y)))
    if len(uncovered):  # single-sample classes: trained on in every fold, predicted in-sample
        cv.oof[uncovered] = predict_matrix(cv.last_pipeline, X.iloc[uncovered], run.model)
    # below full fidelity only the scored rows have predictions (the others stay NaN)
    scored = np.concatenate([uncovered, *(test for _, test in cv.folds)])
    if not np.all(np.isfinite(cv.oof[scored])):
        raise FloatingPointError("the model produced NaN or infinite probabilities")
    result["fit_time"] = sum(cv.step_totals.values())
    result["step_times"] = {k: v / len(run.folds) for k, v in cv.step_totals.items()}
    _tune_threshold(task, y, w, cv, result)
    result["fold_scores"] = cv.scores
    if cv.rounds and all(r is not None for r in cv.rounds):
        result["fit_info"] = {"n_iter": [int(r) for r in cv.rounds if r is not None]}
    result.update(_stats(cv.scores))
    if not np.isfinite(result["mean"][run.metric]):
        raise FloatingPointError(f"the {run.metric} score is NaN")
    if run.keep_oof:
        # below full fidelity the predictions serve a stand-in at most: half the memory
        # in the main process, which holds every trial's (see RunLog.oof)
        result["oof"] = cv.oof if is_full(task.config) else cv.oof.astype(np.float32)


def run_trial(task: TrialTask) -> dict[str, Any]:
    """Cross-validate one configuration; never raises.

    Parameters
    ----------
    task : TrialTask
        The configuration and everything needed to evaluate it.

    Returns
    -------
    dict
        ``status`` ("ok", "failed", "timeout" or "pruned"), ``error``,
        ``fold_scores`` ({metric: [per fold]}), ``mean``, ``std``, ``fit_time``
        (summed over folds), ``predict_time``, ``step_times`` (mean seconds per step
        per fold), ``threshold`` ({"value", "mean", "std"} or None), ``notes``,
        ``oof`` (out-of-fold probabilities, or None), ``pid``, ``fidelity``, ``fit_info``
        ({"n_iter": rounds kept per fold}) for models that stop early, and ``fold_models``
        (the file of its fold pipelines; see :mod:`automl.fold_models`).
    """
    start = time.perf_counter()
    result = empty_result(task.trial)
    result["fidelity"] = fidelity_of(task.config)
    try:
        if task.run.custom_metric is not None:  # a user's metric: known here by its name
            M.register_metric(task.run.custom_metric)
        X, y, w = task.data.load()
        limit, ctx = _limits_from_now(task)
        with threadpool_limits(limits=max(1, ctx.n_threads)), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence and dtype chatter from inside the models
            cv = _fit_folds(task, X, y, w, limit, ctx, result, start)
            if cv is not None:
                _summarise(task, X, y, w, cv, result)
                dump_fold_models(task.run.fold_models, cv.pipelines, result, len(task.run.folds))
    except MemoryError:
        result.update(status="failed", error="MemoryError: the trial ran out of memory")
    except Exception as exc:  # a failing configuration must not sink the search
        result.update(status="failed", error=describe_exception(exc))
    finally:
        result["duration"] = time.perf_counter() - start
    return result
