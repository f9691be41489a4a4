"""Trials run on a dask cluster when the caller activates joblib's dask backend."""

from __future__ import annotations

import re

import joblib
import numpy as np
import pytest
from dask.distributed import Client, LocalCluster, get_task_stream
from sklearn.datasets import make_classification

from automl import AutoMLClassifier
from automl.search.executor import JoblibBatchExecutor, make_executor


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _trial_calls(key: str) -> int:
    """Trials in one joblib batch task, from keys like ``batch_of_run_trial_2_calls-<id>``
    (or of a wrapper such as ``run_trial_in_worker``)."""
    match = re.search(r"run_trial\w*?_(\d+)_calls", key)
    return int(match.group(1)) if match else 0


@pytest.mark.slow
def test_trials_run_on_the_cluster(client):
    X, y = make_classification(n_samples=240, n_features=5, class_sep=2.0, random_state=0)
    X, X_new, y, y_new = X[:120], X[120:], y[:120], y[120:]
    clf = AutoMLClassifier(
        n_jobs=2, max_trials=6, time_budget=None, random_state=0, cv=3, models=["logreg"]
    )
    with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        assert isinstance(make_executor(2), JoblibBatchExecutor)
        clf.fit(X, y)
    trial_tasks = [t for t in stream.data if _trial_calls(t["key"])]
    assert sum(_trial_calls(t["key"]) for t in trial_tasks) == 6, "every trial ran on the cluster"
    assert all(t["status"] == "OK" for t in trial_tasks)
    workers = set(client.scheduler_info()["workers"])
    assert {t["worker"] for t in trial_tasks} <= workers
    # every trial finished there (a poor one may be pruned after its first folds)
    assert len(clf.trials_) == 6 and all(r["status"] in ("ok", "pruned") for r in clf.trials_)
    assert sorted(r["trial"] for r in clf.trials_) == list(range(6))
    proba = clf.predict_proba(X)
    assert proba.shape == (120, 2) and np.all(np.isfinite(proba))
    assert (clf.predict(X_new) == y_new).mean() >= 0.9  # held-out rows: 0.95 measured


@pytest.mark.slow
def test_regression_trials_run_on_the_cluster(client):
    from sklearn.datasets import make_regression

    from automl import AutoMLRegressor

    X, y = make_regression(n_samples=240, n_features=5, noise=5.0, random_state=0)
    reg = AutoMLRegressor(
        n_jobs=2, max_trials=4, time_budget=None, random_state=0, cv=3, models=["linear"]
    )
    with get_task_stream(client) as stream, joblib.parallel_backend("dask"):
        reg.fit(X[:180], y[:180])
    assert sum(_trial_calls(t["key"]) for t in stream.data) == 4, "every trial ran on the cluster"
    assert len(reg.trials_) == 4
    assert reg.score(X[180:], y[180:]) >= 0.95  # a linear target: ridge fits it closely


@pytest.mark.slow
def test_the_data_is_scattered_to_the_workers_once(client, monkeypatch):
    """Trials travel without the data: it is broadcast once per fit, not pickled per batch."""
    from distributed import Client as ClientType

    from automl.evaluate import DataRef

    scattered = []
    scatter = ClientType.scatter

    def spy(self, data, *args, **kwargs):
        scattered.append((data, kwargs.get("broadcast")))
        return scatter(self, data, *args, **kwargs)

    monkeypatch.setattr(ClientType, "scatter", spy)
    X, y = make_classification(n_samples=300, n_features=5, random_state=0)
    clf = AutoMLClassifier(
        n_jobs=2, max_trials=6, time_budget=None, random_state=0, cv=3, models=["logreg"]
    )
    with joblib.parallel_backend("dask"):
        clf.fit(X, y)
    assert len(clf.trials_) == 6 and all(r["status"] in ("ok", "pruned") for r in clf.trials_)
    assert len(scattered) == 1, "one scatter for three batches of trials"
    data, broadcast = scattered[0]
    assert isinstance(data, DataRef) and data.X is not None and len(data.X) == 300
    assert broadcast is True
