"""LokyExecutor: hard deadlines and dying workers never sink the search.

The slow and crashing models are injected through a :class:`PipelineGraph`
subclass defined here, so the worker processes that unpickle a
:class:`TrialTask` build them without touching the model registry.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin

from automl.data import infer_schema, validate_fit_data
from automl.dtypes import check_finite
from automl.errors_text import describe_exception, describe_worker_death
from automl.evaluate import DataRef, TrialTask
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.run_context import RunContext
from automl.search.executor import (
    GRACE,
    LokyExecutor,
    make_executor,
    resolve_memory_limit,
    run_trial_in_worker,
)

try:  # the cloudpickle loky uses: joblib's vendored copy (older joblib) or the package
    from joblib.externals import cloudpickle
except ImportError:  # pragma: no cover - depends on the joblib version
    import cloudpickle

# Worker processes must rebuild the helpers below whatever pytest's import mode:
# ship this module's classes by value rather than by import path.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


class MisbehavingClassifier(ClassifierMixin, BaseEstimator):
    """Sleeps, or kills its own process, in ``fit``; otherwise predicts the prior."""

    def __init__(self, mode: str = "ok", seconds: float = 0.0) -> None:
        self.mode = mode
        self.seconds = seconds

    def fit(self, X, y):
        if self.mode == "sleep":
            time.sleep(self.seconds)
        elif self.mode == "die":
            os._exit(3)
        elif self.mode == "kill":  # what the kernel's out-of-memory killer does
            os.kill(os.getpid(), signal.SIGKILL)
        elif self.mode == "exit":
            sys.exit(5)
        elif self.mode == "hog":  # hold ``seconds`` GB of touched memory for a while
            ballast = np.ones(int(self.seconds * 2**30 // 8))
            time.sleep(10)
            del ballast
        self.classes_ = np.unique(y)
        self.prior_ = np.bincount(y, minlength=len(self.classes_)) / len(y)
        return self

    def predict_proba(self, X):
        return np.tile(self.prior_, (len(X), 1))


@dataclass(frozen=True)
class MisbehavingGraph(PipelineGraph):
    """A graph whose every configuration compiles to a :class:`MisbehavingClassifier`."""

    mode: str = "ok"
    seconds: float = 0.0

    def compile(self, config, schema, ctx):  # noqa: D102
        return Pipeline([("model", MisbehavingClassifier(self.mode, self.seconds))])


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "b": rng.normal(size=60)})
    y = (X["a"] + 0.5 * rng.normal(size=60) > 0).astype(int).to_numpy()
    X, y = validate_fit_data(X, y)
    return X, y, infer_schema(X)


def _task(data, trial: int, *, graph: PipelineGraph | None = None) -> TrialTask:
    X, y, schema = data
    graph = graph or PipelineGraph.from_preset("fast").with_families(["logreg"])
    ctx = ModelContext(n_rows=len(y), random_state=0)
    folds, _ = make_folds(3, X, y, random_state=0)
    return TrialTask(
        trial=trial,
        config=graph.default_config("logreg", ctx),
        run=RunContext(graph, schema, folds, ctx),
        data=DataRef(X=X, y=y),
    )


def _misbehaving(data, trial: int, mode: str, seconds: float = 0.0) -> TrialTask:
    base = PipelineGraph.from_preset("fast").with_families(["logreg"])
    graph = MisbehavingGraph(name="misbehaving", families=base.families, mode=mode, seconds=seconds)
    return _task(data, trial, graph=graph)


def _wait_all(executor: LokyExecutor, limit: float = 120.0) -> list:
    """Collect results until nothing runs (or ``limit`` seconds pass)."""
    out, end = [], time.monotonic() + limit
    while executor.running and time.monotonic() < end:
        out.extend(executor.wait(timeout=0.5))
    assert not executor.running, "the executor never returned its trials"
    return out


@pytest.fixture
def executor():
    ex = LokyExecutor(1)
    yield ex
    ex.shutdown(kill=True)


def test_default_backend_gives_loky_executor():
    assert isinstance(make_executor(1), LokyExecutor)


def test_a_normal_trial_runs_in_a_worker(executor, data):
    executor.warm_up()
    executor.submit(_task(data, 0), deadline=time.monotonic() + 120)
    [(task, result)] = _wait_all(executor)
    assert task.trial == 0 and result["status"] == "ok", result["error"]
    assert result["pid"] != os.getpid()
    assert result["oof"].shape == (60, 2)


def test_overrunning_trial_is_killed_and_the_executor_goes_on(executor, data):
    executor.warm_up()
    start = time.monotonic()
    executor.submit(_misbehaving(data, 0, "sleep", seconds=120), deadline=start + 1.0)
    [(task, result)] = _wait_all(executor, limit=60)
    killed_after = time.monotonic() - start
    assert task.trial == 0
    assert result["status"] == "timeout"
    assert "time limit" in result["error"]
    assert result["oof"] is None and result["mean"] == {}
    assert killed_after < 30, "the overrunning trial was not stopped near its deadline"
    assert killed_after >= 1.0 + GRACE - 0.2
    # the executor keeps working: the next trial runs normally in a fresh worker
    executor.submit(_task(data, 1), deadline=time.monotonic() + 120)
    [(task, result)] = _wait_all(executor)
    assert task.trial == 1 and result["status"] == "ok", result["error"]


def test_dead_worker_gives_a_failed_trial(executor, data):
    executor.warm_up()
    executor.submit(_misbehaving(data, 0, "die"), deadline=time.monotonic() + 120)
    [(task, result)] = _wait_all(executor, limit=60)
    assert task.trial == 0
    assert result["status"] == "failed"
    assert "worker process died" in result["error"]
    assert "exited with status 3" in result["error"]
    assert result["oof"] is None


def test_worker_killed_by_a_signal_says_which(executor, data):
    executor.warm_up()
    executor.submit(_misbehaving(data, 0, "kill"), deadline=time.monotonic() + 120)
    [(task, result)] = _wait_all(executor, limit=60)
    assert result["status"] == "failed"
    assert "worker process died: killed by signal 9 (SIGKILL)" in result["error"]
    assert "out-of-memory killer" in result["error"]


def test_what_escapes_a_trial_is_reported_not_raised(data):
    result = run_trial_in_worker(_misbehaving(data, 0, "exit"))
    assert result["status"] == "failed"
    assert result["error"].startswith("SystemExit: 5 (at ")
    assert "test_executor.py:" in result["error"]


def test_describe_exception_gives_the_project_frame_and_the_innermost_one():
    try:
        check_finite(pd.DataFrame({"a": [1.0]}), ["no_such_column"])
    except KeyError as exc:
        text = describe_exception(exc)
    assert text.startswith("KeyError: 'no_such_column' (at automl/dtypes.py:")
    assert "; raised in pandas/" in text
    try:
        raise AssertionError()
    except AssertionError as exc:
        text = describe_exception(exc)
    assert text.startswith("AssertionError: (no message) (at ") and "test_executor.py:" in text


def test_describe_worker_death_reads_the_exit_codes_and_unpickling_errors():
    codes = "... The exit codes of the workers are {SIGSEGV(-11)}\nDetailed tracebacks ..."
    assert describe_worker_death(RuntimeError(codes)) == (
        "worker process died: killed by signal 11 (SIGSEGV): a crash in native code "
        "(segmentation fault)"
    )

    class Remote(Exception):
        tb = '\n"""\nTraceback ...\n  File "x.py", line 3\nModuleNotFoundError: no mod\n"""'

    broken = RuntimeError("A task has failed to un-serialize. Please ensure ...")
    broken.__cause__ = Remote()
    assert "could not unpickle the trial (ModuleNotFoundError: no mod)" in (
        describe_worker_death(broken)
    )


def test_a_trial_over_the_memory_limit_is_stopped_and_the_next_one_runs(data):
    executor = LokyExecutor(1, memory_limit_mb=1000)
    try:
        executor.warm_up()
        start = time.monotonic()
        executor.submit(_misbehaving(data, 0, "hog", seconds=1.5), deadline=start + 120)
        [(task, result)] = _wait_all(executor, limit=60)
        assert task.trial == 0 and result["status"] == "failed"
        assert "out of memory" in result["error"] and "1000 MB" in result["error"]
        executor.submit(_task(data, 1), deadline=time.monotonic() + 120)
        [(task, result)] = _wait_all(executor)
        assert task.trial == 1 and result["status"] == "ok", result["error"]
    finally:
        executor.shutdown(kill=True)


def test_memory_limit_resolution():
    assert resolve_memory_limit(None, 2) is None
    assert resolve_memory_limit(500, 2) == 500.0
    auto = resolve_memory_limit("auto", 2)
    assert auto is None or 0 < auto < resolve_memory_limit("auto", 1)


def test_executor_goes_on_after_a_worker_died(executor, data):
    executor.warm_up()
    executor.submit(_misbehaving(data, 0, "die"), deadline=time.monotonic() + 120)
    _wait_all(executor, limit=60)
    executor.submit(_task(data, 1), deadline=time.monotonic() + 120)
    [(task, result)] = _wait_all(executor)
    assert task.trial == 1 and result["status"] == "ok", result["error"]


def test_dead_worker_does_not_fail_a_trial_running_beside_it(data):
    executor = LokyExecutor(2)
    try:
        executor.warm_up()
        executor.submit(
            _misbehaving(data, 0, "sleep", seconds=3.0), deadline=time.monotonic() + 120
        )
        time.sleep(0.5)
        executor.submit(_misbehaving(data, 1, "die"), deadline=time.monotonic() + 120)
        results = {task.trial: result for task, result in _wait_all(executor, limit=60)}
    finally:
        executor.shutdown(kill=True)
    assert results[1]["status"] == "failed"
    assert results[0]["status"] == "ok", results[0]["error"]


def test_killing_an_overrunning_trial_spares_the_one_beside_it(data):
    executor = LokyExecutor(2)
    try:
        executor.warm_up()
        now = time.monotonic()
        executor.submit(_misbehaving(data, 0, "sleep", seconds=120), deadline=now + 1.0)
        executor.submit(_misbehaving(data, 1, "sleep", seconds=3.0), deadline=now + 120)
        results = {task.trial: result for task, result in _wait_all(executor, limit=60)}
    finally:
        executor.shutdown(kill=True)
    assert results[0]["status"] == "timeout"
    assert results[1]["status"] == "ok", results[1]["error"]
