"""The search loop: ask the strategy, run trials within the budget, log, tell."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from .. import metrics as M
from ..evaluate import TrialTask
from ..fidelity import fidelity_of, is_full
from ..progress import SearchProgress
from ..runlog import RunLog
from .base import Strategy
from .budget import Budget, CostModel
from .executor import JoblibBatchExecutor, LokyExecutor

#: Shortest trial worth starting, in seconds of search time left.
MIN_TRIAL_SECONDS = 0.5
#: Time limit of the first trial when the budget is nearly gone before it starts.
FIRST_TRIAL_MIN_SECONDS = 15.0


def _in_process() -> Any:
    """Keep the optimizer's own joblib work here, even under a cluster backend (dask)."""
    from joblib import parallel_config

    return parallel_config(backend="sequential")


def trial_record(
    task: TrialTask, result: dict[str, Any], started: float, finished: float
) -> dict[str, Any]:
    """The trial-log record of a finished trial (everything but its predictions)."""
    record = {k: v for k, v in result.items() if k not in ("oof", "pid")}
    record.update(
        trial=task.trial,
        family=task.config["family"],
        fidelity=fidelity_of(task.config),
        config=task.config,
        started=started,
        finished=finished,
    )
    return record


class SearchRunner:
    """Runs a search to the end of its budget.

    Parameters
    ----------
    strategy : Strategy
    executor : LokyExecutor or JoblibBatchExecutor
    budget : Budget
    costs : CostModel
    log : RunLog
    make_task : callable
        ``make_task(trial_id, config, time_limit)`` returns a :class:`TrialTask`.
    metric : str
        The optimized metric.
    update_reserve : callable
        Called after each finished trial to re-predict the refit reserve.
    progress : SearchProgress or None
        Has ``update(elapsed, n_trials, best)`` and ``close()``.
    """

    def __init__(
        self,
        strategy: Strategy,
        executor: LokyExecutor | JoblibBatchExecutor,
        budget: Budget,
        costs: CostModel,
        log: RunLog,
        make_task: Callable[[int, dict[str, Any], float | None], TrialTask],
        metric: str,
        update_reserve: Callable[[], None],
        progress: SearchProgress | None = None,
    ) -> None:
        self.strategy = strategy
        self.executor = executor
        self.budget = budget
        self.costs = costs
        self.log = log
        self.make_task = make_task
        self.metric = metric
        self.update_reserve = update_reserve
        self.progress = progress
        self.started = len(log.records)
        self.next_trial = log.next_trial
        self.exhausted = False

    def replay(self) -> None:
        """Tell the strategy what a resumed log already knows, without re-running it."""
        for record in self.log.records:
            self._learn(record)

    def _learn(self, record: dict[str, Any]) -> None:
        config, status = record["config"], record["status"]
        if not is_full(config) and not getattr(self.strategy, "multi_fidelity", False):
            return  # the large-data first model on a subsample: says little about all rows
        loss = None
        if status == "ok":
            loss = M.to_loss(self.metric, record["mean"][self.metric])
        elif status == "pruned":
            loss = record.get("prune_loss")
        with _in_process():
            self.strategy.tell(config, loss)
        # durations keep their fidelity: the cost model scales them (see CostModel)
        self.costs.observe(config["family"], record.get("duration", 0.0), fidelity_of(config))

    def _smallest_fidelity(self) -> float:
        """The lowest fidelity the strategy hands out (1.0 unless it is multi-fidelity)."""
        if not getattr(self.strategy, "multi_fidelity", False):
            return 1.0
        return float(getattr(self.strategy, "min_fidelity", 1.0))

    def _allowed(self) -> set[str]:
        """Families whose cheapest trial the strategy could run still fits the time left.

        A multi-fidelity strategy runs most trials below full fidelity, so a family is
        judged by a trial at its smallest fidelity; the per-trial cap and the hard time
        limit still hold for the promotions.
        """
        left = self.budget.search_left()
        fidelity = self._smallest_fidelity()
        allowed = set()
        for fam in self.strategy.graph.families:
            predicted = self.costs.predict(fam, fidelity)
            limit = left if self.costs.known(fam) else 0.6 * left
            if predicted <= limit or math.isinf(left):
                allowed.add(fam)
        return allowed

    def _cheapest(self) -> str:
        return min(self.strategy.graph.families, key=self.costs.predict)

    def _trial_cap(self, family: str, fidelity: float = 1.0) -> float:
        """Most seconds one trial may take: generous against its prediction, but a first
        trial of a family, whose cost is only guessed, may not eat the whole budget."""
        budget = self.budget.time_budget or math.inf
        predicted = self.costs.predict(family, fidelity)
        if self.costs.known(family):
            return max(4.0 * predicted, 0.15 * budget)
        return max(4.0 * predicted, 0.3 * budget)

    def _fill(self) -> None:
        while self.executor.free_slots > 0 and self.budget.trials_left(self.started):
            left = self.budget.search_left()
            # The first trial always starts, however small the budget, so fit has a model.
            first = self.started == 0 and not any(r["status"] == "ok" for r in self.log.records)
            if left < MIN_TRIAL_SECONDS and not first:
                return
            allowed = self._allowed() or ({self._cheapest()} if first else set())
            if not allowed:
                return
            pending = self.executor.pending_configs()
            with _in_process():
                config = self.strategy.ask(allowed, pending)
            if config is None:
                # nothing to run now; a multi-fidelity strategy may have promotions once
                # its running trials finish, so only an idle search is over
                self.exhausted = not self.executor.running
                return
            limit = (
                None
                if math.isinf(left)
                else min(left, self._trial_cap(config["family"], fidelity_of(config)))
            )
            if first and limit is not None:
                limit = max(limit, FIRST_TRIAL_MIN_SECONDS)
            task = self.make_task(self.next_trial, config, limit)
            deadline = time.monotonic() + (limit if limit is not None else 1e9)
            self.executor.submit(task, deadline)
            self.next_trial += 1
            self.started += 1

    def run(self) -> None:
        """Search until the budget, the trial limit or the strategy runs out."""
        try:
            while True:
                if not self.exhausted:
                    self._fill()
                if not self.executor.running:
                    break
                for task, result in self.executor.wait(timeout=1.0):
                    finished = self.budget.elapsed()
                    started = max(0.0, finished - result.get("duration", 0.0))
                    record = trial_record(task, result, started, finished)
                    self.log.append(record, result.get("oof"))
                    self._learn(record)
                    self.update_reserve()
                    if self.progress is not None:
                        self.progress.update(
                            self.budget.elapsed(),
                            len(self.log.records),
                            self.best_score(),
                            self.trials_per_fidelity(),
                        )
        finally:
            self.executor.shutdown(kill=True)
            if self.progress is not None:
                self.progress.close()

    def best_score(self) -> float | None:
        """The best full-fidelity score so far (None before one finished)."""
        scores = [
            r["mean"][self.metric]
            for r in self.log.records
            if r["status"] == "ok" and is_full(r.get("config"))
        ]
        if not scores:
            return None
        return float(max(scores) if M.get_metric(self.metric).greater_is_better else min(scores))

    def trials_per_fidelity(self) -> dict[float, int]:
        """How many trials finished at each fidelity."""
        counts: dict[float, int] = {}
        for r in self.log.records:
            f = fidelity_of(r.get("config"))
            counts[f] = counts.get(f, 0) + 1
        return dict(sorted(counts.items()))
