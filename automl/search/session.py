"""One search session: hand the data to the workers, build trial tasks, run the loop."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .. import metrics as M
from ..evaluate import DataRef, TrialTask
from ..fidelity import default_min_fidelity, fidelity_of, is_full
from ..fold_models import has_fold_models, prune_fold_models
from ..large_data import DataPlan
from ..progress import SearchProgress
from ..run_context import RunContext
from ..runlog import RunLog
from ..worker_data import worker_data_folder, write_worker_data
from . import STRATEGIES, make_strategy
from .budget import Budget, CostModel, record_refit_seconds, refit_wall_seconds
from .executor import LokyExecutor, make_executor, release_workers
from .runner import SearchRunner
from .subsample_first import start_subsampled_first_trial

#: Trials whose refit is kept in reserve while an ensemble is wanted.
ENSEMBLE_RESERVE_TRIALS = 3
#: Most of the budget kept for refitting a lower-fidelity stand-in on all rows, before
#: any trial finished at full fidelity.
STAND_IN_MAX_SHARE = 0.5


def _reserve(log: RunLog, run: RunContext, budget: Budget) -> float:
    """Seconds to keep for refitting the trials the final model would use now."""
    ok = sorted(
        [r for r in log.records if r["status"] == "ok"],
        key=lambda r: M.to_loss(run.metric, r["mean"][run.metric]),
    )
    full = [r for r in ok if is_full(r.get("config"))]
    if not full and ok:
        # before a full-fidelity trial exists, one of the best at a lower fidelity would
        # stand in alone, refitted on all rows: the cheapest of them to refit is kept for
        seconds = [record_refit_seconds(r, len(run.folds)) for r in ok[:ENSEMBLE_RESERVE_TRIALS]]
        return min(min(seconds), STAND_IN_MAX_SHARE * (budget.time_budget or 0.0))
    top = full[:ENSEMBLE_RESERVE_TRIALS] if run.ensemble else full[:1]
    if run.final_model == "bag":  # a bagged member costs no refit; one whose file is gone does
        top = [r for r in top if not has_fold_models(r)]
    seconds = [record_refit_seconds(r, len(run.folds)) for r in top]
    wall = refit_wall_seconds(seconds, run.parallelism.refit_workers)
    return min(wall, 0.5 * (budget.time_budget or 0.0))


def _finished_at(log: RunLog, fidelity: float) -> list[dict[str, Any]]:
    """The successful trials at ``fidelity``: pruning compares a trial with like trials
    only, never with ones that trained on more (or fewer) rows."""
    return [
        r
        for r in log.records
        if r["status"] == "ok" and abs(fidelity_of(r.get("config")) - fidelity) < 1e-9
    ]


def _prune_reference(log: RunLog, metric: str, fidelity: float = 1.0) -> tuple[float | None, float]:
    """The best loss so far and the typical spread of a fold score at ``fidelity``."""
    ok = _finished_at(log, fidelity)
    losses = [M.to_loss(metric, r["mean"][metric]) for r in ok]
    spreads = np.array([r["std"].get(metric, np.nan) for r in ok], dtype=float)
    spread = float(np.nanmedian(spreads)) if np.isfinite(spreads).any() else 0.0
    return (min(losses) if losses else None), spread


def _best_fold_losses(log: RunLog, metric: str, fidelity: float = 1.0) -> tuple[float, ...] | None:
    """The best trial's loss on each fold at ``fidelity`` (None when there is none yet).

    The paired reference of pruning: see :class:`~automl.evaluate.TrialTask`.
    """
    ok = _finished_at(log, fidelity)
    if not ok:
        return None
    best = min(ok, key=lambda r: (M.to_loss(metric, r["mean"][metric]), r["trial"]))
    folds = (best.get("fold_scores") or {}).get(metric)
    if not folds:
        return None
    return tuple(M.to_loss(metric, float(v)) for v in folds)


def _strategy_options(run: RunContext) -> dict[str, Any]:
    """Data-dependent settings of the strategy: a multi-fidelity one's smallest fidelity."""
    if not getattr(STRATEGIES.get(run.strategy), "multi_fidelity", False):
        return {}
    train_rows = min((len(train) for train, _ in run.folds), default=0)
    return {"min_fidelity": default_min_fidelity(train_rows)}


def run_search(
    run: RunContext,
    X: pd.DataFrame,
    y: np.ndarray,
    budget: Budget,
    log: RunLog,
    progress: SearchProgress | None = None,
    sample_weight: np.ndarray | None = None,
) -> None:
    """Search until the budget runs out; every finished trial lands in ``log``.

    Parameters
    ----------
    run : RunContext
        The fit's shared facts (graph, folds, metric, parallelism, ...).
    X : DataFrame
        Validated training features.
    y : ndarray
        Encoded labels.
    budget : Budget
        Time and trial allowance; its refit reserve is updated as trials finish.
    log : RunLog
        The trial log; a resumed log's trials are replayed, not re-run.
    progress : SearchProgress or None
        Told about every finished trial.
    sample_weight : ndarray or None
        Row weights; they travel to the workers with the rows.
    """
    preload = ("torch",) if "mlp" in run.graph.families else ()
    executor = make_executor(run.parallelism.trials, preload, run.memory_limit_mb)
    if not isinstance(executor, LokyExecutor):  # remote workers may not see this disk
        run = replace(run, fold_models=None)
    executor.warm_up()  # workers start while the data is written for them
    plan = DataPlan.decide(len(y), X.shape[1], len(run.folds), budget.time_budget)
    with worker_data_folder() as folder:  # removed at the end, on errors too
        if isinstance(executor, LokyExecutor):
            # written once; each worker maps it read-only, the pages are shared
            path = write_worker_data(
                X, y, folder, float32=plan.float32, sample_weight=sample_weight
            )
            data = DataRef(path=path)
        else:  # a cluster: scattered to the workers once, by the executor
            data = DataRef(X=X, y=y, sample_weight=sample_weight)

        def make_task(trial: int, config: dict[str, Any], limit: float | None) -> TrialTask:
            best, spread = _prune_reference(log, run.metric, fidelity_of(config))
            best_folds = _best_fold_losses(log, run.metric, fidelity_of(config))
            return TrialTask(
                trial=trial,
                config=config,
                run=run,  # per-fold model allowances are set in the worker (evaluate.py)
                data=data,
                time_limit=limit,
                deadline=None if limit is None else time.time() + limit,
                prune_loss=best,
                prune_spread=spread,
                prune_folds=best_folds,
            )

        def update_reserve() -> None:  # after each finished trial
            prune_fold_models(log.records, run.metric)
            if budget.time_budget is not None:
                budget.reserve = _reserve(log, run, budget)

        costs = CostModel(len(y), len(run.folds))
        strategy = make_strategy(
            run.strategy,
            run.graph,
            run.model,
            random_state=run.seed,
            # a SearchCV resource's own smallest fidelity wins over the rows-based default
            **{**_strategy_options(run), **dict(run.strategy_options)},
        )
        if budget.time_budget is not None:
            # Durations steer the family chooser only under a time budget: without one the
            # search must not depend on the clock, so seeded runs repeat exactly.
            strategy.costs = costs
        runner = SearchRunner(
            strategy, executor, budget, costs, log, make_task, run.metric, update_reserve, progress
        )
        runner.replay()
        update_reserve()
        if plan.first_fraction is not None and not log.records:
            start_subsampled_first_trial(runner, run, plan.first_fraction)
        try:
            runner.run()
        finally:
            if plan.float32 and isinstance(executor, LokyExecutor):
                # large data: each kept worker holds about 500 MB (libraries, allocator
                # caches, the mapped data) that the refit on all rows needs more; the next
                # fit starts new ones in seconds, which large data does not notice
                release_workers()
