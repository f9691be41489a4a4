"""SafeResampler: every sampler runs, small folds adapt, and samplers never touch predict."""

from __future__ import annotations

import numpy as np
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin

from automl.exceptions import ConfigError
from automl.steps.resample import SAMPLERS, SafeResampler

NEIGHBOR_BASED = ["smote", "borderline_smote", "adasyn", "smote_tomek", "smote_enn"]
OVER = ["smote", "borderline_smote", "adasyn", "random_over", "smote_tomek"]


def _imbalanced(n_major=100, n_minor=20, seed=0, n_features=3):
    rng = np.random.default_rng(seed)
    X = np.r_[
        rng.normal(size=(n_major, n_features)), rng.normal(0.8, 1.0, size=(n_minor, n_features))
    ]
    y = np.r_[np.zeros(n_major, dtype=int), np.ones(n_minor, dtype=int)]
    return X, y


def test_sampler_names():
    assert SAMPLERS[0] == "none"
    assert set(NEIGHBOR_BASED) | {"none", "random_over", "random_under"} == set(SAMPLERS)


@pytest.mark.parametrize("method", SAMPLERS)
def test_every_sampler_runs_on_imbalanced_data(method):
    X, y = _imbalanced()
    sampler = SafeResampler(method=method, sampling_strategy=1.0, random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    counts = np.bincount(yr, minlength=2)
    assert Xr.shape == (len(yr), X.shape[1]) and np.all(np.isfinite(Xr))
    assert sampler.notes_ == []
    if method == "none":
        assert Xr is X and yr is y
    elif method == "random_under":
        assert counts.tolist() == [20, 20]
    elif method in ("smote", "random_over"):
        assert counts.tolist() == [100, 100]
    elif method == "smote_enn":
        assert counts[1] > 20  # oversampled, then cleaned
    else:
        assert counts[1] > 20 and counts[1] / counts[0] > 0.5


@pytest.mark.parametrize("method", ["smote", "random_over", "random_under"])
def test_sampling_strategy_is_the_ratio_after_resampling(method):
    X, y = _imbalanced()
    _, yr = SafeResampler(method=method, sampling_strategy=0.5, random_state=0).fit_resample(X, y)
    counts = np.bincount(yr)
    assert counts[1] / counts[0] == pytest.approx(0.5, abs=0.02)


def test_already_balanced_enough_is_skipped_with_a_note():
    X, y = _imbalanced(n_major=60, n_minor=40)
    sampler = SafeResampler(method="smote", sampling_strategy=0.5, random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    assert Xr is X and yr is y
    assert len(sampler.notes_) == 1 and "skipped" in sampler.notes_[0]


def test_multiclass_balances_every_class():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 3))
    y = np.r_[np.zeros(60, int), np.ones(20, int), np.full(10, 2)]
    _, yr = SafeResampler(method="smote", sampling_strategy=0.3, random_state=0).fit_resample(X, y)
    assert np.bincount(yr).tolist() == [60, 60, 60]


@pytest.mark.parametrize("method", NEIGHBOR_BASED)
@pytest.mark.parametrize("n_minor", [2, 3])
def test_tiny_minority_lowers_k_neighbors_and_notes_it(method, n_minor):
    X, y = _imbalanced(n_major=60, n_minor=n_minor)
    sampler = SafeResampler(method=method, k_neighbors=5, random_state=0)
    Xr, yr = sampler.fit_resample(X, y)  # never raises
    expected = f"{method}: k_neighbors lowered to {n_minor - 1} (minority has {n_minor})"
    assert sampler.notes_[0] == expected
    assert len(Xr) == len(yr) and np.bincount(yr)[1] >= n_minor


@pytest.mark.parametrize("method", ["smote", "smote_tomek"])
def test_tiny_minority_still_oversamples(method):
    X, y = _imbalanced(n_major=60, n_minor=3)
    _, yr = SafeResampler(method=method, k_neighbors=5, random_state=0).fit_resample(X, y)
    assert np.bincount(yr)[1] > 3


def test_k_neighbors_below_the_minority_is_kept():
    X, y = _imbalanced(n_major=60, n_minor=10)
    sampler = SafeResampler(method="smote", k_neighbors=3, random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.notes_ == []


@pytest.mark.parametrize("method", NEIGHBOR_BASED)
def test_single_minority_sample_is_skipped_with_a_note(method):
    X, y = _imbalanced(n_major=60, n_minor=1)
    sampler = SafeResampler(method=method, random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    assert Xr is X and yr is y
    assert sampler.notes_ == [f"{method} skipped: only 1 minority sample(s) in this fold"]


@pytest.mark.parametrize("method", ["random_over", "random_under"])
def test_random_samplers_cope_with_a_single_minority_sample(method):
    X, y = _imbalanced(n_major=60, n_minor=1)
    _, yr = SafeResampler(method=method, random_state=0).fit_resample(X, y)
    counts = np.bincount(yr)
    assert counts[0] == counts[1]


def test_notes_are_reset_on_each_fit():
    sampler = SafeResampler(method="smote", random_state=0)
    sampler.fit_resample(*_imbalanced(n_major=60, n_minor=1))
    assert sampler.notes_
    sampler.fit_resample(*_imbalanced())
    assert sampler.notes_ == []


def test_unknown_sampler_name():
    with pytest.raises(ConfigError, match="Did you mean 'smote'"):
        SafeResampler(method="smoot").fit_resample(*_imbalanced())


def _with_codes(seed=0):
    """Column 0 holds category codes 0..3, columns 1-2 are numeric."""
    rng = np.random.default_rng(seed)
    X, y = _imbalanced(seed=seed, n_features=2)
    return np.c_[rng.integers(0, 4, len(y)).astype(float), X], y


def test_smotenc_used_when_categorical_features_given(monkeypatch):
    from imblearn import over_sampling

    built = []
    original = over_sampling.SMOTENC

    def spy(*args, **kwargs):
        built.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(over_sampling, "SMOTENC", spy)
    X, y = _with_codes()
    Xr, yr = SafeResampler(method="smote", categorical_features=(0,), random_state=0).fit_resample(
        X, y
    )
    assert len(built) == 1 and list(built[0]["categorical_features"]) == [0]
    assert np.bincount(yr).tolist() == [100, 100]
    synthetic = Xr[len(X) :]
    assert set(np.unique(synthetic[:, 0])) <= set(np.unique(X[:, 0]))  # codes, never blends
    assert not np.all(synthetic[:, 1:] == np.round(synthetic[:, 1:]))


def test_smoten_when_every_column_is_categorical():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, size=(120, 2)).astype(float)
    y = np.r_[np.zeros(100, int), np.ones(20, int)]
    Xr, yr = SafeResampler(
        method="smote", categorical_features=(0, 1), random_state=0
    ).fit_resample(X, y)
    assert np.bincount(yr).tolist() == [100, 100]
    assert np.all(np.isin(Xr, [0.0, 1.0, 2.0]))


@pytest.mark.parametrize(
    "method",
    [
        "smote",
        "borderline_smote",
        "adasyn",
        "smote_tomek",
        "smote_enn",
    ],
)
def test_category_codes_stay_codes_for_every_smote_sampler(method):
    X, y = _with_codes()
    Xr, _ = SafeResampler(method=method, categorical_features=(0,), random_state=0).fit_resample(
        X, y
    )
    assert len(Xr) > len(X) or method == "smote_enn"
    assert np.all(Xr[:, 0] == np.round(Xr[:, 0])), "interpolated category codes"


class _RowCounter(ClassifierMixin, BaseEstimator):
    """Records how many rows reach fit and predict."""

    def fit(self, X, y):
        self.fit_rows_ = len(X)
        self.fit_counts_ = np.bincount(y).tolist()
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        self.predict_rows_ = len(X)
        return np.tile([0.5, 0.5], (len(X), 1))

    def predict(self, X):
        return np.zeros(len(X), dtype=int)


@pytest.mark.parametrize("method", ["smote", "random_over", "random_under", "smote_enn"])
def test_samplers_are_not_applied_at_predict_time(method):
    X, y = _imbalanced()
    pipe = Pipeline(
        [("resample", SafeResampler(method=method, random_state=0)), ("model", _RowCounter())]
    )
    pipe.fit(X, y)
    model = pipe.named_steps["model"]
    assert model.fit_rows_ != len(X)  # the sampler ran in fit
    assert pipe.predict_proba(X).shape == (len(X), 2)
    assert model.predict_rows_ == len(X)
    assert len(pipe.predict(X[:7])) == 7
