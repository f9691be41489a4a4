"""One search session: hand the data to the workers, build trial tasks, run the loop."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .. import metrics as M
from ..evaluate import DataRef, TrialTask
from ..graph import PipelineGraph
from ..models import ModelContext
from ..runlog import RunLog
from . import make_strategy
from .budget import Budget, CostModel, predict_refit_seconds, refit_wall_seconds
from .executor import LokyExecutor, make_executor
from .runner import SearchRunner

#: Trials whose refit is kept in reserve while an ensemble is wanted.
ENSEMBLE_RESERVE_TRIALS = 3


@dataclass
class SearchSetup:
    """What one search needs besides the data."""

    graph: PipelineGraph
    ctx: ModelContext
    schema: Any
    folds: list[tuple[np.ndarray, np.ndarray]]
    metric: str
    pos_index: int
    threshold_metric: str | None
    strategy: str
    seed: int
    n_parallel: int
    ensemble: bool
    memory_limit_mb: float | None = None


def _reserve(log: RunLog, setup: SearchSetup, budget: Budget) -> float:
    """Seconds to keep for refitting the trials the final model would use now."""
    ok = sorted(
        (r for r in log.records if r["status"] == "ok"),
        key=lambda r: M.to_loss(setup.metric, r["mean"][setup.metric]),
    )
    top = ok[:ENSEMBLE_RESERVE_TRIALS] if setup.ensemble else ok[:1]
    seconds = [predict_refit_seconds(r["duration"], len(setup.folds)) for r in top]
    return min(refit_wall_seconds(seconds, setup.n_parallel), 0.5 * (budget.time_budget or 0.0))


def run_search(
    setup: SearchSetup,
    X: pd.DataFrame,
    y: np.ndarray,
    budget: Budget,
    log: RunLog,
    progress: Any = None,
) -> None:
    """Search until the budget runs out; every finished trial lands in ``log``."""
    preload = ("torch",) if "mlp" in setup.graph.families else ()
    executor = make_executor(setup.n_parallel, preload, setup.memory_limit_mb)
    executor.warm_up()  # workers start while the data is written for them
    tmpdir = tempfile.mkdtemp(prefix="automl-")
    try:
        if isinstance(executor, LokyExecutor):
            import joblib

            path = os.path.join(tmpdir, "data.joblib")
            joblib.dump((X, y), path)  # each worker loads it once, not once per trial
            data = DataRef(path=path)
        else:
            data = DataRef(X=X, y=y)

        def make_task(trial: int, config: dict[str, Any], limit: float | None) -> TrialTask:
            deadline = None if limit is None else time.time() + limit
            ok = [r for r in log.records if r["status"] == "ok"]
            losses = [M.to_loss(setup.metric, r["mean"][setup.metric]) for r in ok]
            spreads = np.array([r["std"].get(setup.metric, np.nan) for r in ok], dtype=float)
            spread = float(np.nanmedian(spreads)) if np.isfinite(spreads).any() else 0.0
            return TrialTask(
                trial=trial,
                config=config,
                graph=setup.graph,
                schema=setup.schema,
                ctx=setup.ctx,  # per-fold allowances are set in the worker (evaluate.py)
                folds=setup.folds,
                data=data,
                metric=setup.metric,
                pos_index=setup.pos_index,
                n_classes=setup.ctx.n_classes,
                tune_threshold=setup.threshold_metric is not None,
                threshold_metric=setup.threshold_metric,
                time_limit=limit,
                deadline=deadline,
                prune_loss=min(losses) if losses else None,
                prune_spread=spread,
            )

        def update_reserve() -> None:
            if budget.time_budget is not None:
                budget.reserve = _reserve(log, setup, budget)

        strategy = make_strategy(setup.strategy, setup.graph, setup.ctx, random_state=setup.seed)
        costs = CostModel(len(y), len(setup.folds))
        runner = SearchRunner(
            strategy,
            executor,
            budget,
            costs,
            log,
            make_task,
            setup.metric,
            update_reserve,
            progress,
        )
        runner.replay()
        update_reserve()
        runner.run()
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
