"""SearchRunner: the search loop on fakes (no worker processes, no wall clock).

The executor, the strategy and the trial factory are fakes, and the budget reads a
fake clock that only the fake executor moves (by each trial's scripted duration),
so every limit, reserve and family choice below is exact and repeatable.
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import pytest

from automl import metrics as M
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.runlog import RunLog
from automl.search import make_strategy
from automl.search.budget import Budget, CostModel
from automl.search.runner import FIRST_TRIAL_MIN_SECONDS, MIN_TRIAL_SECONDS, SearchRunner

METRIC = "roc_auc"


def result(status: str = "ok", score: float = 0.9, duration: float = 1.0, **extra: Any) -> dict:
    """A trial result as run_trial returns it (only what the runner reads)."""
    mean = {METRIC: score} if status in ("ok", "pruned") else {}
    return {"status": status, "mean": mean, "std": {}, "duration": duration, "oof": None, **extra}


class FakeExecutor:
    """Starts nothing: every submitted trial finishes at the next ``wait`` with the result
    ``outcome(task)`` gives, and the fake clock moves on by that result's duration."""

    def __init__(self, clock: Any, outcome=None, n_workers: int = 1) -> None:
        self.clock = clock
        self.outcome = outcome or (lambda task: result())
        self.n_workers = n_workers
        self.running: list[Any] = []
        self.submitted: list[tuple[Any, float]] = []
        self.batches: list[int] = []  # trials finished per wait
        self.killed = False

    @property
    def free_slots(self) -> int:
        return self.n_workers - len(self.running)

    def pending_configs(self) -> list[dict[str, Any]]:
        return [task.config for task in self.running]

    def submit(self, task: Any, deadline: float) -> None:
        self.running.append(task)
        self.submitted.append((task, deadline))

    def wait(self, timeout: float) -> list[tuple[Any, dict[str, Any]]]:
        done, self.running = self.running, []
        self.batches.append(len(done))
        finished = []
        for task in done:
            res = self.outcome(task)
            self.clock.now += res["duration"]
            finished.append((task, res))
        return finished

    def shutdown(self, kill: bool = False) -> None:
        self.killed = kill
        self.running = []


class FakeStrategy:
    """Proposes the first allowed family in ``families`` order; runs out after ``limit`` asks."""

    def __init__(self, families: tuple[str, ...], limit: int | None = None) -> None:
        self.graph = SimpleNamespace(families=families)
        self.limit = limit
        self.asked: list[set[str]] = []
        self.told: list[tuple[dict[str, Any], float | None]] = []

    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.limit is not None and len(self.asked) >= self.limit:
            return None
        self.asked.append(set(allowed))
        family = next((f for f in self.graph.families if f in allowed), None)
        return None if family is None else {"family": family, "n": len(self.asked)}

    def tell(self, config: dict[str, Any], loss: float | None) -> None:
        self.told.append((config, loss))


def make_runner(
    budget: Budget,
    *,
    executor: FakeExecutor,
    strategy: FakeStrategy | None = None,
    costs: CostModel | None = None,
    log: RunLog | None = None,
    update_reserve=None,
) -> tuple[SearchRunner, list[tuple[int, str, float | None]]]:
    """A SearchRunner on fakes (the one place to adapt if its constructor changes).

    Returns the runner and the list of ``(trial, family, time_limit)`` that
    ``make_task`` was called with.
    """
    tasks: list[tuple[int, str, float | None]] = []

    def make_task(trial: int, config: dict[str, Any], limit: float | None) -> Any:
        tasks.append((trial, config["family"], limit))
        return SimpleNamespace(trial=trial, config=config, time_limit=limit)

    runner = SearchRunner(
        strategy or FakeStrategy(("logreg", "hist_gb")),
        executor,
        budget,
        costs or CostModel(n_rows=1000, n_folds=3),
        log or RunLog(None, header={}),
        make_task,
        METRIC,
        update_reserve or (lambda: None),
    )
    return runner, tasks


# ------------------------------------------------------------------------ per-trial caps


def test_trial_cap_guards_the_budget_against_a_guessed_cost(clock):
    costs = CostModel(n_rows=1000, n_folds=3)
    runner, _ = make_runner(Budget(100.0, None), executor=FakeExecutor(clock), costs=costs)
    # never measured: its cost is a guess, so it may take up to 30 % of the budget
    assert runner._trial_cap("logreg") == pytest.approx(30.0)
    # measured at 1 s: 4x that, but never under 15 % of the budget
    costs.observe("logreg", 1.0)
    assert runner._trial_cap("logreg") == pytest.approx(15.0)
    # measured at 10 s: 4x the prediction
    for _ in range(5):
        costs.observe("logreg", 10.0)
    assert runner._trial_cap("logreg") == pytest.approx(40.0)


def test_trial_cap_without_a_time_budget_is_unlimited(clock):
    runner, _ = make_runner(Budget(None, 5), executor=FakeExecutor(clock))
    assert math.isinf(runner._trial_cap("logreg"))


def test_limits_passed_to_make_task_follow_caps_and_time_left(clock):
    budget = Budget(100.0, 3)  # margin 4.5 s
    runner, tasks = make_runner(budget, executor=FakeExecutor(clock, lambda t: result(duration=2)))
    runner.run()
    assert [(t, f) for t, f, _ in tasks] == [(0, "logreg"), (1, "logreg"), (2, "logreg")]
    limits = [limit for _, _, limit in tasks]
    # first trial: its family is unmeasured (30 % of the budget); then measured at 2 s
    # (15 % of the budget, above 4 x 2 s)
    assert limits == pytest.approx([30.0, 15.0, 15.0])


def _resumed_log(n: int) -> RunLog:
    """An in-memory log holding ``n`` finished logreg trials, as a resumed run has."""
    log = RunLog(None, header={})
    for trial in range(n):
        config = {"family": "logreg", "n": -trial}
        log.append({**result(), "trial": trial, "config": config, "family": "logreg"}, None)
    return log


def test_limit_is_the_time_left_when_that_is_shorter(clock):
    budget = Budget(100.0, 2, start=clock.now - 85.0)  # 100 - 85 - 4.5 = 10.5 s left
    runner, tasks = make_runner(budget, executor=FakeExecutor(clock), log=_resumed_log(1))
    runner._fill()  # not the first trial of the fit: no minimum time
    assert tasks == [(1, "logreg", pytest.approx(10.5))]


def test_no_time_budget_passes_no_limit(clock):
    runner, tasks = make_runner(Budget(None, 3), executor=FakeExecutor(clock))
    runner.run()
    assert [limit for _, _, limit in tasks] == [None, None, None]


def test_first_trial_starts_on_a_spent_budget_with_the_cheapest_family(clock):
    budget = Budget(10.0, None, start=clock.now - 20.0)  # already 10 s over
    strategy = FakeStrategy(("hist_gb", "logreg"))  # prefers hist_gb when allowed
    executor = FakeExecutor(clock)
    runner, tasks = make_runner(budget, executor=executor, strategy=strategy)
    runner.run()
    # one trial, of the cheapest family, with the minimum time of a first trial
    assert strategy.asked == [{"logreg"}]
    assert tasks == [(0, "logreg", FIRST_TRIAL_MIN_SECONDS)]
    assert executor.killed  # the loop ends by shutting its workers down


# -------------------------------------------------------------- cost-aware family choice


def test_allowed_excludes_a_family_predicted_too_slow(clock):
    costs = CostModel(n_rows=1000, n_folds=3)
    costs.observe("logreg", 1.0)
    costs.observe("hist_gb", 50.0)
    budget = Budget(100.0, None)
    strategy = FakeStrategy(("logreg", "hist_gb", "xgboost"))
    runner, _ = make_runner(budget, executor=FakeExecutor(clock), strategy=strategy, costs=costs)
    # 95.5 s left: all fit (xgboost, unmeasured, is guessed at 1.5 s: logreg's 1 s per hint unit)
    assert runner._allowed() == {"logreg", "hist_gb", "xgboost"}
    clock.now += 55.5  # 40 s left: hist_gb's 50 s no longer fits
    assert budget.search_left() == pytest.approx(40.0)
    assert runner._allowed() == {"logreg", "xgboost"}
    # an unmeasured family must fit in 60 % of what is left: 1.5 s > 0.6 x 2 s
    clock.now += 38.0
    assert runner._allowed() == {"logreg"}
    # without a time budget every family is allowed, however slow
    runner.budget = Budget(None, None)
    assert runner._allowed() == {"logreg", "hist_gb", "xgboost"}


class FakeMultiFidelityStrategy(FakeStrategy):
    """Like FakeStrategy, but every configuration runs at the smallest rung."""

    multi_fidelity = True
    min_fidelity = 0.04

    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        config = super().ask(allowed, pending)
        return None if config is None else {**config, "fidelity": self.min_fidelity}


def test_a_slow_cheapest_rung_does_not_end_a_multi_fidelity_search(clock):
    # 6 s at fidelity 0.04 (worker start and imports dominate) would be 150 s at full
    # fidelity; judged at full fidelity, the only family no longer fits a 60 s budget
    # and the search stops after one trial. Judged at the rung it runs at, it goes on.
    strategy = FakeMultiFidelityStrategy(("mlp",))
    executor = FakeExecutor(clock, lambda task: result(duration=6.0))
    runner, tasks = make_runner(Budget(60.0, None), executor=executor, strategy=strategy)
    runner.run()
    assert len(tasks) >= 5
    assert all(limit is not None and limit <= 60.0 for _, _, limit in tasks)


def test_refit_reserve_shrinks_what_the_search_may_use(clock):
    """update_reserve runs after every finished trial; what it keeps back is gone from
    the families allowed, from the next trial's limit and, in the end, from the search."""
    costs = CostModel(n_rows=1000, n_folds=3)
    costs.observe("hist_gb", 30.0)  # measured before (say, in a resumed run)
    budget = Budget(100.0, None)  # margin 4.5 s
    reserves = iter([70.0, 93.2])

    def update_reserve() -> None:
        budget.reserve = next(reserves)

    strategy = FakeStrategy(("logreg", "hist_gb"))
    executor = FakeExecutor(clock, lambda task: result(duration=1.0))
    runner, tasks = make_runner(
        budget, executor=executor, strategy=strategy, costs=costs, update_reserve=update_reserve
    )
    runner.run()
    # trial 0: 95.5 s left, both families fit; logreg, unmeasured, is guessed at 15 s from
    # hist_gb's 30 s per 2 hint units, so it may use 4 x 15 s. After it 100 - 1 - 4.5 - 70 =
    # 24.5 s are left, too few for hist_gb (30 s), and trial 1 may use 15 s (15 % of the
    # budget; logreg measured at 1 s). After it 100 - 2 - 4.5 - 93.2 = 0.3 s: the search stops.
    assert strategy.asked == [{"logreg", "hist_gb"}, {"logreg"}]
    assert tasks == [(0, "logreg", pytest.approx(60.0)), (1, "logreg", pytest.approx(15.0))]
    assert budget.search_left() < MIN_TRIAL_SECONDS
    assert len(runner.log.records) == 2


def _chooser_share(seconds: dict[str, float], n: int = 2000) -> float:
    """Share of draws of the bayes family chooser that pick logreg, both families having
    run once with the same loss and measured at ``seconds``."""
    graph = PipelineGraph.from_preset("fast").with_families(["logreg", "hist_gb"])
    ctx = ModelContext(n_rows=500, n_features=8, random_state=0)
    strategy = make_strategy("bayes", graph, ctx, random_state=0)
    costs = CostModel(n_rows=500, n_folds=3)
    for family in graph.families:
        strategy.tell(graph.default_config(family, ctx), -0.9)
        costs.observe(family, seconds[family])
    strategy.costs = costs
    picks = [strategy._choose_family({"logreg", "hist_gb"}) for _ in range(n)]
    return picks.count("logreg") / n


def test_bayes_chooser_prefers_the_cheaper_of_two_equally_good_families():
    even = _chooser_share({"logreg": 1.0, "hist_gb": 1.0})
    assert 0.45 < even < 0.55
    # 100 times the cost: weight / sqrt(100), so logreg is drawn about 10 times as often
    cheap = _chooser_share({"logreg": 1.0, "hist_gb": 100.0})
    assert cheap > 0.85
    # and the other way round
    assert _chooser_share({"logreg": 100.0, "hist_gb": 1.0}) < 0.15


# ------------------------------------------------------------ the loop: learn, log, stop


def test_finished_trials_are_logged_and_told_with_their_loss(clock):
    outcomes = iter(
        [
            result("ok", score=0.9, duration=1.0),
            result("pruned", score=0.6, duration=0.5, prune_loss=-0.62),
            result("failed", duration=0.2, error="boom"),
        ]
    )
    strategy = FakeStrategy(("logreg",))
    executor = FakeExecutor(clock, lambda task: next(outcomes))
    costs = CostModel(n_rows=1000, n_folds=3)
    runner, _ = make_runner(Budget(None, 3), executor=executor, strategy=strategy, costs=costs)
    runner.run()
    records = runner.log.records
    assert [r["status"] for r in records] == ["ok", "pruned", "failed"]
    assert [r["trial"] for r in records] == [0, 1, 2]
    assert all(r["family"] == "logreg" and "oof" not in r for r in records)
    assert records[2]["error"] == "boom"
    # ok: the metric as a loss; pruned: its optimistic loss; failed: None
    assert [loss for _, loss in strategy.told] == [M.to_loss(METRIC, 0.9), -0.62, None]
    assert costs.durations["logreg"] == [(1.0, 1.0), (1.0, 0.5), (1.0, 0.2)]
    assert runner.best_score() == 0.9  # a pruned trial is not a result


def test_trial_limit_counts_resumed_trials_and_ids_continue(clock):
    log = _resumed_log(2)
    strategy = FakeStrategy(("logreg",))
    runner, tasks = make_runner(
        Budget(None, 3), executor=FakeExecutor(clock), strategy=strategy, log=log
    )
    runner.replay()
    assert len(strategy.told) == 2  # the strategy learns the resumed trials ...
    runner.run()
    assert [t for t, _, _ in tasks] == [2]  # ... which count towards max_trials
    assert [r["trial"] for r in log.records] == [0, 1, 2]


def test_loop_ends_when_the_strategy_runs_out(clock):
    strategy = FakeStrategy(("logreg",), limit=2)
    runner, tasks = make_runner(Budget(None, None), executor=FakeExecutor(clock), strategy=strategy)
    runner.run()
    assert runner.exhausted and len(tasks) == 2 and len(runner.log.records) == 2


def test_parallel_slots_are_filled_before_waiting(clock):
    executor = FakeExecutor(clock, n_workers=3)
    runner, tasks = make_runner(Budget(None, 5), executor=executor)
    runner.run()
    assert [t for t, _, _ in tasks] == [0, 1, 2, 3, 4]
    assert executor.batches == [3, 2]  # 3 trials at once, then the last 2
