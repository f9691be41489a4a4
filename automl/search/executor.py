"""Runs trials in worker processes, and stops the ones that overrun their limit.

The default executor uses loky worker processes (joblib's backend), one
single-worker pool per parallel slot: a trial that passes its deadline is
stopped by killing its own worker, and a worker that dies (out of memory, a
crash in native code) only fails its own trial. When
the caller activated another joblib backend (``joblib.parallel_backend("dask")``)
trials go through ``joblib.Parallel`` in batches instead; there each trial
keeps to its limit cooperatively (between folds, and nets stop themselves),
since remote workers cannot be killed from here.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import time
from dataclasses import replace
from typing import Any

from ..errors_text import describe_exception, describe_worker_death, failure_text
from ..evaluate import DataRef, TrialTask, empty_result, run_trial

#: Seconds past its deadline after which a trial is killed.
GRACE = 1.0
#: Seconds between two reads of the workers' memory when a memory limit is set.
MEMORY_POLL = 0.5
#: Share of the machine's memory that ``memory_limit="auto"`` splits among the workers.
AUTO_MEMORY_SHARE = 0.8


def resolve_memory_limit(memory_limit: Any, n_workers: int) -> float | None:
    """Megabytes one trial's worker may hold, or None for no limit.

    ``"auto"``: 80 % of the machine's memory split evenly among the parallel workers
    (None where the total cannot be read); a number is taken as megabytes; None is
    no limit.
    """
    if memory_limit is None:
        return None
    if memory_limit == "auto":
        try:
            total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (AttributeError, ValueError, OSError):
            return None
        return AUTO_MEMORY_SHARE * total / 2**20 / max(1, n_workers)
    return float(memory_limit)


def _resident_mb(pool: Any) -> float | None:
    """Resident memory of a pool's worker processes in MB (Linux /proc); None if unknown."""
    total, found = 0.0, False
    for pid in list(getattr(pool, "_processes", None) or ()):
        try:
            with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
                pages = int(fh.read().split()[1])
        except (OSError, ValueError, IndexError):
            continue
        total += pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        found = True
    return total if found else None


def active_backend_name() -> str:
    """Class name of joblib's active parallel backend (``LokyBackend`` by default)."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend()
    return type(backend).__name__


def _failure(task: TrialTask, status: str, error: str, started: float) -> dict[str, Any]:
    return {**empty_result(task.trial, status, error), "duration": time.monotonic() - started}


def _custom_family(task: TrialTask) -> Any:
    """The trial's model family when the user registered it (None for built-in ones).

    A worker process starts with the built-in families only: a family registered
    with :func:`automl.models.register` in the caller's process travels with its
    trials (pickled by value where it is not importable, as cloudpickle does).
    """
    from ..models import get_family

    try:
        family = get_family(str(task.config.get("family")))
    except Exception:  # not a registered family (a test graph): nothing to ship
        return None
    module = getattr(family.build, "__module__", "") or ""
    return None if module.startswith(f"{__package__.split('.')[0]}.models") else family


def run_trial_in_worker(task: TrialTask, family: Any = None, data: Any = None) -> dict[str, Any]:
    """:func:`~automl.evaluate.run_trial` in a worker, with the trial's custom family.

    ``data`` is the training data (a ``DataRef``) when it travels apart from the task:
    on a cluster it is scattered to every worker once and handed in here.
    Registers ``family`` first (replacing an older one of that name), and turns
    anything that still escapes (``SystemExit`` from a model, say) into a failed
    trial whose ``error`` says what happened; a failed trial's ``error`` is never empty.
    """
    started = time.monotonic()
    try:
        if family is not None:  # the caller's version wins over one from an earlier fit
            from ..models import register

            register(family, replace=True)
        if data is not None:
            task = replace(task, data=data)
        result = run_trial(task)
    except BaseException as exc:  # noqa: BLE001 - the worker must report, not die
        return _failure(task, "failed", describe_exception(exc), started)
    if result.get("status") in ("failed", "timeout") and not str(result.get("error") or "").strip():
        result["error"] = failure_text(result.get("error"), result["status"])
    return result


def _warm_up(modules: tuple[str, ...] = ()) -> int:
    """Import the evaluation code (and ``modules``, e.g. torch) once per worker."""
    import os
    from importlib import import_module

    from .. import evaluate  # noqa: F401

    for name in modules:
        try:
            import_module(name)
        except ImportError:
            pass  # the trial that needs it reports the error
    return os.getpid()


#: Worker pools kept between fits (one single-worker pool per slot), so a second fit
#: does not pay for process start-up again. Replaced when a slot is killed.
_SLOT_POOLS: list[Any] = []


def _slot_pool(index: int) -> Any:
    from joblib.externals.loky.process_executor import ProcessPoolExecutor

    while len(_SLOT_POOLS) <= index:
        _SLOT_POOLS.append(None)
    pool = _SLOT_POOLS[index]
    if pool is None or getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False):
        pool = ProcessPoolExecutor(max_workers=1, timeout=300)
        _SLOT_POOLS[index] = pool
    return pool


def _kill_slot(index: int) -> None:
    pool = _SLOT_POOLS[index]
    _SLOT_POOLS[index] = None
    if pool is not None:
        pool.shutdown(wait=False, kill_workers=True)


def release_workers() -> None:
    """Stop the worker processes kept between fits (an idle one exits after 300 s anyway).

    For a program that fits once and exits, or measures memory after a fit: a kept
    worker still holds the last fit's data.
    """
    for index in range(len(_SLOT_POOLS)):
        _kill_slot(index)


class LokyExecutor:
    """Trials in loky worker processes with hard deadlines.

    Each parallel slot is its own single-worker pool, so stopping a trial that
    overran kills only its own process; trials in other slots carry on. With
    ``memory_limit_mb``, a worker whose resident memory passes it (read from /proc
    every :data:`MEMORY_POLL` seconds, Linux only) is killed too, and its trial
    recorded as failed for lack of memory, before it can push the machine into swap
    or the kernel's OOM killer.
    """

    def __init__(
        self,
        n_workers: int,
        preload: tuple[str, ...] = (),
        memory_limit_mb: float | None = None,
    ) -> None:
        self.n_workers = max(1, n_workers)
        self.preload = preload
        self.memory_limit_mb = memory_limit_mb
        self.running: dict[cf.Future, tuple[TrialTask, float, float]] = {}
        self._slot_of: dict[cf.Future, int] = {}

    def warm_up(self) -> None:
        """Start the workers now (without waiting), so their start-up overlaps the set-up."""
        for i in range(self.n_workers):
            _slot_pool(i).submit(_warm_up, self.preload)

    @property
    def free_slots(self) -> int:
        return self.n_workers - len(self.running)

    def pending_configs(self) -> list[dict[str, Any]]:
        """Configurations of the trials submitted and not yet finished."""
        return [task.config for task, _, _ in self.running.values()]

    def submit(self, task: TrialTask, deadline: float) -> None:
        """Start ``task``; it is killed once ``time.monotonic()`` passes ``deadline + GRACE``."""
        busy = set(self._slot_of.values())
        slot = next(i for i in range(self.n_workers) if i not in busy)
        future = _slot_pool(slot).submit(run_trial_in_worker, task, _custom_family(task))
        self.running[future] = (task, deadline, time.monotonic())
        self._slot_of[future] = slot

    def wait(self, timeout: float) -> list[tuple[TrialTask, dict[str, Any]]]:
        """Block until a trial finishes, a deadline passes, or ``timeout`` seconds pass."""
        if not self.running:
            return []
        now = time.monotonic()
        nearest = min(d for _, d, _ in self.running.values()) + GRACE
        if self.memory_limit_mb is not None:
            timeout = min(timeout, MEMORY_POLL)
        done, _ = cf.wait(
            list(self.running),
            timeout=max(0.01, min(timeout, nearest - now)),
            return_when=cf.FIRST_COMPLETED,
        )
        finished = []
        for future in done:
            task, _, started = self.running.pop(future)
            slot = self._slot_of.pop(future)
            try:
                finished.append((task, future.result()))
            except Exception as exc:  # the worker died: out of memory, segfault, killed
                _kill_slot(slot)
                finished.append(
                    (task, _failure(task, "failed", describe_worker_death(exc), started))
                )
        for future, (task, deadline, started) in list(self.running.items()):
            if time.monotonic() > deadline + GRACE:
                del self.running[future]
                _kill_slot(self._slot_of.pop(future))
                reason = (
                    f"stopped at its time limit ({deadline - started:.1f}s): its worker was "
                    f"killed {GRACE:.0f}s past the deadline"
                )
                finished.append((task, _failure(task, "timeout", reason, started)))
        finished.extend(self._stop_memory_hogs())
        return finished

    def _stop_memory_hogs(self) -> list[tuple[TrialTask, dict[str, Any]]]:
        if self.memory_limit_mb is None:
            return []
        stopped = []
        for future, (task, _, started) in list(self.running.items()):
            slot = self._slot_of[future]
            used = _resident_mb(_SLOT_POOLS[slot])  # submit made this slot's pool
            if used is None or used <= self.memory_limit_mb or future.done():
                continue
            del self.running[future]
            del self._slot_of[future]
            _kill_slot(slot)
            reason = (
                f"out of memory: its worker held {used:.0f} MB, over the per-trial limit of "
                f"{self.memory_limit_mb:.0f} MB (the memory_limit parameter)"
            )
            stopped.append((task, _failure(task, "failed", reason, started)))
        return stopped

    def shutdown(self, kill: bool = False) -> None:
        """Forget running trials; kill their workers when ``kill`` (idle ones are kept)."""
        if kill:
            for future in list(self.running):
                _kill_slot(self._slot_of[future])
        self.running.clear()
        self._slot_of.clear()


class JoblibBatchExecutor:
    """Trials in batches through ``joblib.Parallel`` on the caller's active backend."""

    def __init__(self, n_workers: int) -> None:
        self.n_workers = max(1, n_workers)
        self.queue: list[tuple[TrialTask, float]] = []
        self._scattered: tuple[int, Any] | None = None  # (id of the DataRef, its future)

    def _data_future(self, data: DataRef) -> Any:
        """The training data scattered to every dask worker once; None off dask.

        On joblib's dask backend each batch would otherwise pickle the data with
        every trial; broadcast once, each worker keeps one copy for the whole fit.
        """
        from joblib.parallel import get_active_backend

        client = getattr(get_active_backend()[0], "client", None)
        if client is None or data.X is None:
            return None
        if self._scattered is None or self._scattered[0] != id(data):
            future = client.scatter(data, broadcast=True, hash=False)
            self._scattered = (id(data), future)
        return self._scattered[1]

    def warm_up(self) -> None:
        pass

    @property
    def running(self) -> list[tuple[TrialTask, float]]:
        return self.queue

    @property
    def free_slots(self) -> int:
        return self.n_workers - len(self.queue)

    def pending_configs(self) -> list[dict[str, Any]]:
        """Configurations of the trials queued for the next batch."""
        return [task.config for task, _ in self.queue]

    def submit(self, task: TrialTask, deadline: float) -> None:
        self.queue.append((task, deadline))

    def wait(self, timeout: float) -> list[tuple[TrialTask, dict[str, Any]]]:
        from joblib import Parallel, delayed

        batch, self.queue = self.queue, []
        if not batch:
            return []
        data = self._data_future(batch[0][0].data)
        results = Parallel(n_jobs=self.n_workers)(
            delayed(run_trial_in_worker)(
                task if data is None else replace(task, data=DataRef()), _custom_family(task), data
            )
            for task, _ in batch
        )
        return [(task, result) for (task, _), result in zip(batch, results, strict=False)]

    def shutdown(self, kill: bool = False) -> None:
        self.queue = []
        self._scattered = None  # the workers may drop the data


def make_executor(
    n_workers: int, preload: tuple[str, ...] = (), memory_limit_mb: float | None = None
) -> LokyExecutor | JoblibBatchExecutor:
    """Loky workers by default; the active joblib backend when the caller chose one.

    ``preload`` names modules the workers import while the search is set up;
    ``memory_limit_mb`` caps each local worker's resident memory (not on a cluster).
    """
    name = active_backend_name()
    if name in ("LokyBackend", "MultiprocessingBackend", "SequentialBackend", "ThreadingBackend"):
        return LokyExecutor(n_workers, preload, memory_limit_mb)
    return JoblibBatchExecutor(n_workers)
