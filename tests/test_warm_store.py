"""Promoted trials continue their folds' models (automl/warm_store.py).

A Hyperband SearchCV over a Torch estimator's ``max_epochs`` trains each fold's net
once per configuration: a promotion trains only the epochs its lower rung did not.
The cache never decides a result: a missing or corrupt file is a fresh fit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import GradientBoostingClassifier, HistGradientBoostingClassifier
from torch import nn

from automl import Real, SearchCV
from automl.nets import TorchClassifier, TorchRegressor
from automl.resource import Resource
from automl.warm_store import WarmStore, continues_training, warm_store


class CountingNet(nn.Module):
    """A small MLP that appends "build" on construction and "epoch" on each training pass.

    With a batch larger than the data, one training forward pass is one epoch.
    """

    def __init__(self, n_features: int, n_outputs: int, hidden: int = 8, log: str = "") -> None:
        super().__init__()
        self.log = log
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_outputs)
        )
        self._write("build")

    def _write(self, event: str) -> None:
        if self.log:
            with open(self.log, "a") as f:
                f.write(event + "\n")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and torch.is_grad_enabled():
            self._write("epoch")
        return self.body(x)


@pytest.fixture(scope="module")
def data():
    X, y = make_classification(n_samples=120, n_features=5, n_informative=3, random_state=0)
    return X.astype(np.float32), y


def _net(log: Path | str = "", **params) -> TorchClassifier:
    defaults = dict(
        module__log=str(log),
        batch_size=512,
        lr=1e-2,
        early_stopping=False,
        n_threads=1,
        random_state=0,
    )
    return TorchClassifier(CountingNet, **{**defaults, **params})


def _events(log: Path) -> list[str]:
    return log.read_text().split() if log.exists() else []


@pytest.mark.parametrize(
    ("search", "in_pipeline"), [("hyperband", False), ("bohb", False), ("hyperband", True)]
)
def test_promotions_train_only_the_remaining_epochs(data, tmp_path, search, in_pipeline):
    """Each configuration's fold nets are built once; the epochs trained are the most
    each configuration reached per fold, not the sum over its rungs."""
    X, y = data
    log = tmp_path / "events.txt"
    estimator, prefix = _net(log), ""
    if in_pipeline:  # the net behind a scaler: the scaler is refitted, the net continues
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        estimator, prefix = make_pipeline(StandardScaler(), estimator), "torchclassifier__"
    search = SearchCV(
        estimator,
        {f"{prefix}lr": Real(1e-3, 1e-1, log=True)},
        search=search,
        resource=f"{prefix}max_epochs",
        min_resources=2,
        max_resources=18,
        max_trials=13,
        time_budget=None,
        cv=2,
        n_jobs=1,
        random_state=0,
    ).fit(X, y)
    trials = search.trials_[search.trials_["status"] == "ok"]
    assert len(trials) == len(search.trials_)
    epochs = trials["params"].map(lambda p: p[f"{prefix}max_epochs"])
    lrs = trials["params"].map(lambda p: p[f"{prefix}lr"])
    assert epochs.nunique() > 1 and lrs.duplicated().any()  # some configurations promoted
    events = _events(log)
    refit_epochs = search.best_params_[f"{prefix}max_epochs"]  # the refit on all rows starts afresh
    n_configs = lrs.nunique()
    assert events.count("build") == 2 * n_configs + 1
    from_scratch = 2 * int(epochs.sum())
    continued = 2 * int(epochs.groupby(lrs).max().sum())
    assert continued < from_scratch
    assert events.count("epoch") == continued + refit_epochs
    net = search.best_estimator_[-1] if in_pipeline else search.best_estimator_
    assert net.n_epochs_ == refit_epochs


def test_a_pipeline_ending_in_a_net_continues_its_net(data, tmp_path):
    """The steps in front are refitted; the net trains only the epochs its rung did not."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data
    log = tmp_path / "events.txt"
    pipeline = make_pipeline(StandardScaler(), _net(log))
    resource = "torchclassifier__max_epochs"
    assert continues_training(pipeline, resource)
    assert not continues_training(pipeline, "max_epochs")  # not the last step's parameter
    rows = np.arange(80)
    store = WarmStore(str(tmp_path / "store"), resource, 50)
    (tmp_path / "store").mkdir()
    store.fit(clone(pipeline).set_params(**{resource: 3}), _fold(X, rows), X[rows], y[rows], {})
    continued = store.fit(
        clone(pipeline).set_params(**{resource: 9}), _fold(X, rows), X[rows], y[rows], {}
    )
    assert _events(log).count("build") == 1 and _events(log).count("epoch") == 9
    at_once = clone(pipeline).set_params(**{resource: 9}).fit(X[rows], y[rows])
    np.testing.assert_allclose(
        continued.predict_proba(X[80:]), at_once.predict_proba(X[80:]), rtol=1e-5, atol=1e-6
    )


def _fold(X: np.ndarray, rows: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(X[rows], index=rows)


def test_a_continued_fold_model_equals_the_model_trained_at_once(data, tmp_path):
    X, y = data
    rows = np.arange(80)
    frame = _fold(X, rows)
    store = WarmStore(str(tmp_path), "max_epochs", 50)
    net = _net(early_stopping=True, patience=50, validation_fraction=0.2)
    store.fit(clone(net).set_params(max_epochs=3), frame, X[rows], y[rows], {})
    continued = store.fit(clone(net).set_params(max_epochs=9), frame, X[rows], y[rows], {})
    at_once = clone(net).set_params(max_epochs=9).fit(X[rows], y[rows])
    assert continued.n_epochs_ == 9 and continued.history_ == at_once.history_
    np.testing.assert_array_equal(continued.predict_proba(X), at_once.predict_proba(X))
    assert continued.get_params()["warm_start"] is True  # the kept state travels on


def test_a_net_stopped_early_stays_stopped_when_promoted(data, tmp_path):
    X, y = data
    rows = np.arange(100)
    frame = _fold(X, rows)
    store = WarmStore(str(tmp_path), "max_epochs", 500)
    net = _net(early_stopping=True, patience=1, lr=0.5, validation_fraction=0.3)
    low = store.fit(clone(net).set_params(max_epochs=200), frame, X[rows], y[rows], {})
    assert low.stop_reason_ == "patience"
    promoted = store.fit(clone(net).set_params(max_epochs=400), frame, X[rows], y[rows], {})
    assert promoted.n_epochs_ == low.n_epochs_ and promoted.stop_reason_ == "patience"


@pytest.mark.parametrize("damage", ["corrupt", "missing", "other_rows"])
def test_a_damaged_or_foreign_file_means_a_fresh_fit(data, tmp_path, damage):
    X, y = data
    log = tmp_path / "events.txt"
    folder = tmp_path / "store"
    folder.mkdir()
    store = WarmStore(str(folder), "max_epochs", 50)
    rows = np.arange(60)
    store.fit(_net(log, max_epochs=2), _fold(X, rows), X[rows], y[rows], {})
    (kept,) = folder.glob("*.joblib")
    if damage == "corrupt":
        kept.write_bytes(b"not a joblib file")
    elif damage == "missing":
        kept.unlink()
    else:  # fold 2's rows must never continue fold 1's net
        rows = np.arange(1, 61)
    fitted = store.fit(_net(log, max_epochs=5), _fold(X, rows), X[rows], y[rows], {})
    fresh = _net(max_epochs=5).fit(X[rows], y[rows])
    assert _events(log).count("build") == 2 and _events(log).count("epoch") == 2 + 5
    assert fitted.n_epochs_ == 5
    np.testing.assert_array_equal(fitted.predict_proba(X), fresh.predict_proba(X))


def test_a_promotion_to_the_full_resource_continues_and_leaves_no_file(data, tmp_path):
    X, y = data
    rows = np.arange(60)
    store = WarmStore(str(tmp_path), "max_epochs", 4)
    store.fit(_net(max_epochs=2), _fold(X, rows), X[rows], y[rows], {})
    assert len(list(tmp_path.glob("*.joblib"))) == 1
    full = store.fit(_net(max_epochs=4), _fold(X, rows), X[rows], y[rows], {})
    assert full.n_epochs_ == 4 and len(full.history_) == 4
    assert list(tmp_path.glob("*.joblib")) == []
    store.fit(_net(max_epochs=4, lr=0.05), _fold(X, rows), X[rows], y[rows], {})
    assert list(tmp_path.glob("*.joblib")) == []  # trained at full: nothing to continue


def test_the_oldest_files_go_beyond_the_cap(data, tmp_path, monkeypatch):
    import os

    from automl import warm_store as W

    monkeypatch.setattr(W, "MAX_FILES", 2)
    X, y = data
    rows = np.arange(60)
    log = tmp_path / "events.txt"
    folder = tmp_path / "store"
    folder.mkdir()
    store = WarmStore(str(folder), "max_epochs", 10)
    for i, lr in enumerate([0.01, 0.02, 0.03]):
        store.fit(_net(log, max_epochs=2, lr=lr), _fold(X, rows), X[rows], y[rows], {})
        for path in folder.glob("*.joblib"):  # the new file gets mtime i + 1 seconds, so
            if path.stat().st_mtime > i + 1:  # the order does not hang on the clock
                os.utime(path, (i + 1, i + 1))
    assert len(list(folder.glob("*.joblib"))) == 2
    log.unlink()
    store.fit(_net(log, max_epochs=3, lr=0.03), _fold(X, rows), X[rows], y[rows], {})
    assert _events(log) == ["epoch"]  # the newest was kept: one more epoch, no new net
    log.unlink()
    store.fit(_net(log, max_epochs=3, lr=0.01), _fold(X, rows), X[rows], y[rows], {})
    assert _events(log) == ["build"] + ["epoch"] * 3  # the oldest was evicted


def test_only_estimators_that_declare_the_resource_continue():
    assert continues_training(_net(), "max_epochs")
    assert continues_training(TorchRegressor(CountingNet), "max_epochs")
    assert not continues_training(_net(), "batch_size")
    # scikit-learn's warm starts add trees or iterations: nothing promises a fresh fit's model
    assert not continues_training(HistGradientBoostingClassifier(), "max_iter")
    assert not continues_training(GradientBoostingClassifier(), "n_estimators")
    resource = Resource("max_iter", 10, 90)
    with warm_store(HistGradientBoostingClassifier(), resource, True) as store:
        assert store is None
    with warm_store(_net(), Resource("max_epochs", 2, 18), False) as store:
        assert store is None  # a search without promotions keeps nothing
    with warm_store(_net(), Resource("max_epochs", 2, 18), True) as store:
        assert store is not None and Path(store.folder).is_dir()
    assert not Path(store.folder).exists()
