"""Runs trials in worker processes, and stops the ones that overrun their limit.

The default executor uses loky worker processes (joblib's backend): a trial
that passes its deadline is stopped by killing the workers, and a worker that
dies (out of memory, a crash in native code) only fails its own trial. When
the caller activated another joblib backend (``joblib.parallel_backend("dask")``)
trials go through ``joblib.Parallel`` in batches instead; there each trial
keeps to its limit cooperatively (between folds, and nets stop themselves),
since remote workers cannot be killed from here.
"""

from __future__ import annotations

import concurrent.futures as cf
import time
from typing import Any

from ..evaluate import TrialTask, run_trial

#: Seconds past its deadline after which a trial is killed.
GRACE = 1.0


def active_backend_name() -> str:
    """Class name of joblib's active parallel backend (``LokyBackend`` by default)."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return type(backend).__name__


def _failure(task: TrialTask, status: str, error: str, started: float) -> dict[str, Any]:
    return {
        "trial": task.trial,
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
        "duration": time.monotonic() - started,
    }


def _warm_up() -> int:
    import os

    from .. import evaluate  # noqa: F401  (imports the heavy modules once per worker)

    return os.getpid()


class LokyExecutor:
    """Trials in loky worker processes with hard deadlines."""

    def __init__(self, n_workers: int) -> None:
        self.n_workers = max(1, n_workers)
        self.running: dict[cf.Future, tuple[TrialTask, float, float]] = {}
        self._executor = self._new()

    def _new(self):
        from joblib.externals.loky import get_reusable_executor

        return get_reusable_executor(max_workers=self.n_workers, timeout=120)

    def warm_up(self) -> None:
        """Start the workers now, so the first trial does not pay for process start-up."""
        futures = [self._executor.submit(_warm_up) for _ in range(self.n_workers)]
        cf.wait(futures, timeout=60)

    @property
    def free_slots(self) -> int:
        return self.n_workers - len(self.running)

    def submit(self, task: TrialTask, deadline: float) -> None:
        """Start ``task``; it is killed once ``time.monotonic()`` passes ``deadline + GRACE``."""
        future = self._executor.submit(run_trial, task)
        self.running[future] = (task, deadline, time.monotonic())

    def wait(self, timeout: float) -> list[tuple[TrialTask, dict[str, Any]]]:
        """Block until a trial finishes, a deadline passes, or ``timeout`` seconds pass."""
        if not self.running:
            return []
        now = time.monotonic()
        nearest = min(d for _, d, _ in self.running.values()) + GRACE
        done, _ = cf.wait(
            list(self.running),
            timeout=max(0.01, min(timeout, nearest - now)),
            return_when=cf.FIRST_COMPLETED,
        )
        finished = []
        for future in done:
            task, _, started = self.running.pop(future)
            try:
                finished.append((task, future.result()))
            except Exception as exc:  # the worker died: out of memory, segfault, killed
                finished.append(
                    (
                        task,
                        _failure(
                            task,
                            "failed",
                            f"worker process died: {type(exc).__name__}: {exc}"[:500],
                            started,
                        ),
                    )
                )
        overdue = [f for f, (_, d, _) in self.running.items() if time.monotonic() > d + GRACE]
        if overdue:
            finished.extend(self._kill(overdue))
        return finished

    def _kill(self, overdue: list[cf.Future]) -> list[tuple[TrialTask, dict[str, Any]]]:
        self._executor.shutdown(wait=False, kill_workers=True)
        out = []
        for future, (task, deadline, started) in list(self.running.items()):
            if future in overdue:
                out.append(
                    (
                        task,
                        _failure(
                            task,
                            "timeout",
                            f"stopped at its time limit ({deadline - started:.1f}s)",
                            started,
                        ),
                    )
                )
            else:
                out.append(
                    (
                        task,
                        _failure(
                            task,
                            "interrupted",
                            "stopped together with a trial that overran its limit",
                            started,
                        ),
                    )
                )
        self.running.clear()
        self._executor = self._new()
        return out

    def shutdown(self, kill: bool = False) -> None:
        """Forget running trials; kill the workers when ``kill`` (they are reused otherwise)."""
        if kill and self.running:
            self._executor.shutdown(wait=False, kill_workers=True)
        self.running.clear()


class JoblibBatchExecutor:
    """Trials in batches through ``joblib.Parallel`` on the caller's active backend."""

    def __init__(self, n_workers: int) -> None:
        self.n_workers = max(1, n_workers)
        self.queue: list[tuple[TrialTask, float]] = []

    def warm_up(self) -> None:
        pass

    @property
    def running(self) -> list[tuple[TrialTask, float]]:
        return self.queue

    @property
    def free_slots(self) -> int:
        return self.n_workers - len(self.queue)

    def submit(self, task: TrialTask, deadline: float) -> None:
        self.queue.append((task, deadline))

    def wait(self, timeout: float) -> list[tuple[TrialTask, dict[str, Any]]]:
        from joblib import Parallel, delayed

        batch, self.queue = self.queue, []
        if not batch:
            return []
        results = Parallel(n_jobs=self.n_workers)(delayed(run_trial)(task) for task, _ in batch)
        return [(task, result) for (task, _), result in zip(batch, results, strict=False)]

    def shutdown(self, kill: bool = False) -> None:
        self.queue = []


def make_executor(n_workers: int) -> LokyExecutor | JoblibBatchExecutor:
    """Loky workers by default; the active joblib backend when the caller chose one."""
    name = active_backend_name()
    if name in ("LokyBackend", "MultiprocessingBackend", "SequentialBackend", "ThreadingBackend"):
        return LokyExecutor(n_workers)
    return JoblibBatchExecutor(n_workers)
