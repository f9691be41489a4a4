"""A fit is quiet: worker-pool events become notes, never stderr at verbose=0."""

from __future__ import annotations

import sys
import threading
import time
import warnings
from dataclasses import dataclass, fields

import numpy as np
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from automl import AutoMLClassifier
from automl.graph import PipelineGraph
from automl.search.events import POOL_WARNINGS, quiet_workers

try:  # the cloudpickle loky uses
    from joblib.externals import cloudpickle
except ImportError:  # pragma: no cover - depends on the joblib version
    import cloudpickle

cloudpickle.register_pickle_by_value(sys.modules[__name__])

POOL_MESSAGE = next(iter(POOL_WARNINGS))


def _warn_from_a_thread(message: str) -> None:
    """Warn as loky's manager thread does: from another thread of this process."""
    thread = threading.Thread(target=lambda: warnings.warn(message, UserWarning, stacklevel=1))
    thread.start()
    thread.join()


def test_pool_warnings_are_caught_counted_and_silent_at_verbose_0(capfd):
    with quiet_workers(verbose=0) as events:
        _warn_from_a_thread(POOL_MESSAGE + ". This can be caused by a too short worker timeout")
        _warn_from_a_thread(POOL_MESSAGE + ". This can be caused by a too short worker timeout")
    out, err = capfd.readouterr()
    assert out == "" and err == ""
    (note,) = events.notes()
    assert "replaced 2 time(s)" in note


def test_pool_events_are_told_once_in_our_words_at_verbose_1(capfd):
    with quiet_workers(verbose=1):
        for _ in range(3):
            _warn_from_a_thread(POOL_MESSAGE)
    out, err = capfd.readouterr()
    assert err == ""
    assert out.count("[automl]") == 1 and "replaced 3 time(s)" in out
    assert POOL_MESSAGE not in out


class _Sleeper(ClassifierMixin, BaseEstimator):
    def fit(self, X, y):
        time.sleep(60)
        return self


@dataclass(frozen=True)
class _SlowHistGraph(PipelineGraph):
    """The fast preset, but every hist_gb trial hangs until it is killed."""

    def compile(self, config, schema, ctx):  # noqa: D102
        if config["family"] == "hist_gb":
            return Pipeline([("model", _Sleeper())])
        return super().compile(config, schema, ctx)


def test_a_fit_whose_trials_are_killed_writes_nothing_to_stderr(capfd):
    base = PipelineGraph.from_preset("fast").with_families(["logreg", "hist_gb"])
    graph = _SlowHistGraph(**{f.name: getattr(base, f.name) for f in fields(base)})
    X, y = make_classification(300, 5, random_state=0)
    clf = AutoMLClassifier(pipeline=graph, time_budget=8, n_jobs=2, random_state=0)
    clf.fit(X, y)
    out, err = capfd.readouterr()
    assert err == "" and out == ""
    statuses = dict(zip(clf.leaderboard_["family"], clf.leaderboard_["status"], strict=False))
    assert statuses["hist_gb"] == "timeout"  # the hanging trial was stopped (its worker killed)
    assert np.isfinite(clf.cv_score_)
