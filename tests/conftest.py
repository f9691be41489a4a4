"""Shared fixtures: tiny data sets and a cheap AutoMLClassifier factory.

Everything here is small on purpose (100-300 rows, a handful of trials, 3 folds)
so that the estimator-level suites stay within a few minutes on 2 cores. Fitted
models that several tests only read are module- or session-scoped; tests must
not mutate them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, make_classification
from sklearn.model_selection import train_test_split

#: Cheap settings shared by every test that fits: no time limit (deterministic),
#: few trials, the two fastest families, 3 folds, one worker.
FAST_SETTINGS: dict[str, Any] = {
    "time_budget": None,
    "max_trials": 3,
    "models": ["logreg", "hist_gb"],
    "cv": 3,
    "random_state": 0,
    "n_jobs": 1,
}


def make_fast_clf(**kw: Any):
    """An ``AutoMLClassifier`` with cheap settings; keyword arguments override them."""
    from automl import AutoMLClassifier

    return AutoMLClassifier(**{**FAST_SETTINGS, **kw})


def make_tiny_clf(**kw: Any):
    """Cheaper still: two logistic-regression trials (about a second on 150 rows)."""
    return make_fast_clf(**{"max_trials": 2, "models": ["logreg"], **kw})


# Test modules get the factories through these fixtures: with --import-mode=importlib
# (pyproject.toml) a test file cannot ``from conftest import ...``.
@pytest.fixture(scope="session")
def fast_clf():
    """``fast_clf(**kw)``: see :func:`make_fast_clf`."""
    return make_fast_clf


@pytest.fixture(scope="session")
def tiny_clf():
    """``tiny_clf(**kw)``: see :func:`make_tiny_clf`."""
    return make_tiny_clf


# ------------------------------------------------------------------------ data sets


def _breast_cancer(n_rows: int, n_cols: int) -> tuple[pd.DataFrame, pd.Series]:
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    # A stratified-ish deterministic subset: every other row, first n_rows of them.
    X = X.iloc[::2].iloc[:n_rows, :n_cols].reset_index(drop=True)
    y = y.iloc[::2].iloc[:n_rows].reset_index(drop=True)
    return X, y


@pytest.fixture(scope="session")
def binary_data() -> tuple[pd.DataFrame, pd.Series]:
    """breast_cancer: 200 rows, 8 numeric columns, int labels 0/1 (both present)."""
    return _breast_cancer(200, 8)


@pytest.fixture(scope="session")
def binary_split(binary_data) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """(X_train, X_test, y_train, y_test) from :func:`binary_data`: a stratified 150 / 50
    split (seeded), so held-out scores compare with what a working model reaches there."""
    X, y = binary_data
    parts = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    X_train, X_test, y_train, y_test = (p.reset_index(drop=True) for p in parts)
    return X_train, X_test, y_train, y_test


@pytest.fixture(scope="session")
def binary_array() -> tuple[np.ndarray, np.ndarray]:
    """make_classification: 150 rows, 6 numeric features, int labels 0/1 (numpy)."""
    X, y = make_classification(
        n_samples=150, n_features=6, n_informative=4, n_redundant=0, random_state=0
    )
    return X, y


@pytest.fixture(scope="session")
def multiclass_data() -> tuple[np.ndarray, np.ndarray]:
    """make_classification: 180 rows, 6 features, 3 classes 0/1/2 (numpy)."""
    X, y = make_classification(
        n_samples=180,
        n_features=6,
        n_informative=4,
        n_redundant=0,
        n_classes=3,
        n_clusters_per_class=1,
        random_state=1,
    )
    return X, y


def make_mixed_frame(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A DataFrame with every supported kind of column, missing values included.

    Columns: ``num`` (float with NaN), ``count`` (int), ``city`` (object strings
    with None), ``size`` (pandas category), ``flag`` (bool), ``when``
    (datetime64 with NaT), ``empty`` (all missing: dropped at fit) and ``const``
    (a single value: dropped at fit). Labels are strings ``"no"``/``"yes"``
    that depend on ``num``, ``city`` and ``flag``.
    """
    rng = np.random.default_rng(seed)
    num = rng.normal(size=n)
    city = rng.choice(["Paris", "Lyon", "Nice"], n).astype(object)
    flag = rng.random(n) > 0.5
    logit = 1.5 * num + (city == "Paris") - 0.8 * flag
    y = np.where(logit + rng.normal(scale=0.5, size=n) > 0, "yes", "no")
    num_missing = num.copy()
    num_missing[rng.choice(n, size=n // 10, replace=False)] = np.nan
    city_missing = city.copy()
    city_missing[rng.choice(n, size=n // 12, replace=False)] = None
    when = pd.Series(pd.date_range("2021-01-01", periods=n, freq="D"))
    when[rng.choice(n, size=n // 15, replace=False)] = pd.NaT
    X = pd.DataFrame(
        {
            "num": num_missing,
            "count": rng.integers(0, 5, n),
            "city": city_missing,
            "size": pd.Categorical(rng.choice(["S", "M", "L"], n)),
            "flag": flag,
            "when": when,
            "empty": np.full(n, np.nan),
            "const": np.ones(n),
        }
    )
    return X, y


@pytest.fixture(scope="session")
def mixed_data() -> tuple[pd.DataFrame, np.ndarray]:
    """See :func:`make_mixed_frame` (120 rows)."""
    return make_mixed_frame()


@pytest.fixture(scope="session")
def mixed_holdout() -> tuple[pd.DataFrame, np.ndarray]:
    """Fresh rows for models fitted on :func:`mixed_data`: 400 more from the same process."""
    return make_mixed_frame(400, seed=1)


# ----------------------------------------------------------------- fitted models


@pytest.fixture(scope="session")
def fitted_binary(binary_split):
    """A fitted fast classifier on :func:`binary_split` (read only!)."""
    X_train, _, y_train, _ = binary_split
    return make_fast_clf().fit(X_train, y_train)


@pytest.fixture(scope="session")
def fitted_mixed(mixed_data):
    """A tiny classifier fitted on the mixed-dtype frame (read only!)."""
    X, y = mixed_data
    return make_tiny_clf().fit(X, y)
