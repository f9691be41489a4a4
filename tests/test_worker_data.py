"""The training data reaches local workers once, memory-mapped, and its folder goes away."""

from __future__ import annotations

import os
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier
from automl.evaluate import DataRef, TrialTask, _load_cached
from automl.search.runner import SearchRunner
from automl.steps.preprocess import _to_float
from automl.worker_data import (
    FOLDER_PREFIX,
    load_worker_data,
    worker_data_folder,
    write_worker_data,
)


def _mapped(values: np.ndarray) -> bool:
    """Whether an array is (a view of) a memory-mapped file."""
    base = values
    while base is not None:
        if isinstance(base, np.memmap):
            return True
        base = getattr(base, "base", None)
    return False


@pytest.fixture
def mixed():
    """Every kind of column a validated frame holds, missing values included."""
    rng = np.random.default_rng(0)
    n = 60
    city = rng.choice(["Paris", "Lyon", "Nice"], n).astype(object)
    city[::7] = np.nan
    X = pd.DataFrame(
        {
            "num": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
            "count": rng.integers(0, 9, n),
            "city": pd.Series(city, dtype=object),
            "word": pd.Series(rng.choice(["a", "b"], n), dtype="str"),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
            "flag": rng.random(n) > 0.5,
            "when": pd.to_datetime("2024-01-01") + pd.to_timedelta(rng.integers(0, 99, n), "D"),
            "tz": pd.date_range("2024-01-01", periods=n, freq="h", tz="UTC"),
            "x2": rng.normal(size=n),
            "x3": rng.normal(size=n),
        }
    )
    X.attrs["source"] = "test"
    return X, (X["num"].fillna(0) > 0).to_numpy().astype(np.int64)


def test_numeric_columns_are_shared_read_only_memory_maps(tmp_path, mixed):
    X, y = mixed
    X_back, y_back, w_back = load_worker_data(write_worker_data(X, y, str(tmp_path)))
    assert w_back is None
    pd.testing.assert_frame_equal(X_back, X)  # every kind of column comes back as it was
    assert X_back.attrs == X.attrs
    np.testing.assert_array_equal(y_back, y)
    for name in ("num", "count", "flag", "when", "x2", "x3"):
        values = X_back[name].to_numpy()
        assert _mapped(values), f"{name} was copied, not mapped"
        assert not values.flags.writeable
    # the strings are rebuilt from small shared codes, each distinct string once
    assert X_back["city"].dtype == object and X_back["city"].isna().sum() == X["city"].isna().sum()
    sliced = X_back.iloc[np.arange(0, 60, 3)]  # what a fold takes: a private copy
    assert sliced["x2"].to_numpy().flags.writeable or not _mapped(sliced["x2"].to_numpy())


def test_float32_halves_the_float_columns_only(tmp_path, mixed):
    X, y = mixed
    X_back, _, _ = load_worker_data(write_worker_data(X, y, str(tmp_path), float32=True))
    assert X_back["num"].dtype == np.float32 and X_back["x2"].dtype == np.float32
    assert X_back["count"].dtype == X["count"].dtype and X_back["flag"].dtype == bool
    np.testing.assert_allclose(X_back["x2"], X["x2"], rtol=1e-6)
    # the preprocessing keeps float32 instead of making a float64 copy
    assert _to_float(X_back[["num", "x2", "flag"]]).dtype == np.float32
    assert _to_float(X[["num", "x2"]]).dtype == np.float64


def test_a_worker_loads_the_file_once_and_tasks_do_not_carry_the_data(tmp_path, mixed):
    X, y = mixed
    X = pd.concat([X] * 50, ignore_index=True)  # 3,000 rows
    y = np.tile(y, 50)
    ref = DataRef(path=write_worker_data(X, y, str(tmp_path)))
    _load_cached.cache_clear()
    first, _, _ = ref.load()
    again, _, _ = DataRef(path=ref.path).load()
    assert again is first, "the same mapped frame is reused by every trial in a worker"
    task = TrialTask(trial=0, config={}, run=None, data=ref)  # type: ignore[arg-type]
    assert len(pickle.dumps(task)) < 1_000 < len(pickle.dumps((X, y))) // 50


def test_the_folder_is_removed_even_when_the_fit_fails(tmp_path, monkeypatch, binary_data):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(RuntimeError), worker_data_folder() as folder:
        assert os.path.isdir(folder)
        raise RuntimeError("boom")
    assert not os.path.exists(folder)

    X, y = binary_data
    clf = AutoMLClassifier(
        time_budget=None, max_trials=1, models=["logreg"], cv=3, n_jobs=1, random_state=0
    )
    clf.fit(X, y)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(FOLDER_PREFIX)]

    def interrupted(self):
        assert [p for p in os.listdir(tmp_path) if p.startswith(FOLDER_PREFIX)]
        raise KeyboardInterrupt

    monkeypatch.setattr(SearchRunner, "run", interrupted)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert not [p for p in os.listdir(tmp_path) if p.startswith(FOLDER_PREFIX)]


def test_quality_through_the_mapped_data_on_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    clf = AutoMLClassifier(
        time_budget=None, max_trials=3, models=["logreg", "hist_gb"], n_jobs=1, random_state=0
    ).fit(X_tr, y_tr)
    assert roc_auc_score(y_te, clf.predict_proba(X_te)[:, 1]) >= 0.98


def test_sample_weights_travel_with_the_rows(tmp_path):
    X = pd.DataFrame({"a": np.arange(6.0), "b": list("xyzxyz")})
    y = np.array([0, 1, 0, 1, 0, 1])
    w = np.array([1.0, 2.0, 0.0, 1.5, 3.0, 1.0])
    _, _, w_back = load_worker_data(write_worker_data(X, y, str(tmp_path), sample_weight=w))
    np.testing.assert_array_equal(w_back, w)


def test_the_refit_frame_holds_float64_columns_as_float32_like_the_trials(tmp_path):
    from automl.worker_data import as_float32_frame

    X = pd.DataFrame(
        {
            "a": np.linspace(0, 1, 50),
            "n": np.arange(50),
            "huge": np.full(50, 1e300),  # float32 cannot hold it: stays float64
            "b": np.linspace(0, 2, 50),  # beside it, in its run: float64 in the trials too
            "s": ["x", "y"] * 25,
        }
    )
    X.attrs["from"] = "user"
    out = as_float32_frame(X)
    assert out.dtypes.astype(str).tolist() == [
        "float32",
        "int64",
        "float64",
        "float64",
        X["s"].dtype.name,
    ]
    trials, _, _ = load_worker_data(write_worker_data(X, np.zeros(50), str(tmp_path), float32=True))
    pd.testing.assert_series_equal(out.dtypes, trials.dtypes)  # what the trials saw
    np.testing.assert_allclose(out["a"], X["a"], rtol=1e-7)
    assert out.attrs == X.attrs and X["a"].dtype == np.float64  # the caller's frame as it was
