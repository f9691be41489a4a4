"""TabularNetRegressor on CUDA: mixed precision, target scale and pickling back onto the GPU."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import make_regression

from automl.nets import TabularNetRegressor

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"),
]


@pytest.fixture
def data():
    """3000 rows: 12 numeric columns and a categorical one that shifts the target."""
    X, y = make_regression(n_samples=3000, n_features=12, noise=5, random_state=0)
    X = np.column_stack([X, np.random.RandomState(0).randint(-1, 6, size=len(X))])
    return X, y + 30 * (X[:, 12] % 2)


@pytest.mark.parametrize("loss", ["mse", "huber"])
def test_fits_on_cuda_with_mixed_precision(data, loss):
    X, y = data
    reg = TabularNetRegressor(
        categorical_features=[12], device="cuda", max_epochs=20, loss=loss, random_state=0
    ).fit(X[:2250], y[:2250])
    assert reg.device_.startswith("cuda")
    expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    assert reg.amp_dtype_ == expected
    assert next(reg.module_.parameters()).is_cuda
    pred = reg.predict(X[2250:])
    assert pred.dtype == np.float64 and np.isfinite(pred).all()
    # held out: 0.996 measured for the same fits on the CPU
    assert reg.score(X[2250:], y[2250:]) >= 0.97


def test_target_scale_does_not_matter_on_cuda(data):
    X, y = data
    r2 = [
        TabularNetRegressor(categorical_features=[12], device="cuda", max_epochs=20, random_state=0)
        .fit(X[:2250], y[:2250] * factor)
        .score(X[2250:], y[2250:] * factor)
        for factor in (1.0, 1e9, 1e-6)
    ]
    assert max(r2) - min(r2) <= 0.01, r2


def test_unpickles_back_onto_the_gpu_with_identical_predictions(data):
    X, y = data
    reg = TabularNetRegressor(device="auto", max_epochs=5, random_state=0).fit(X, y)
    assert reg.device_.startswith("cuda")
    on_gpu = reg.predict(X)
    restored = pickle.loads(pickle.dumps(reg))
    assert next(reg.module_.parameters()).is_cuda  # pickling leaves the fitted object alone
    assert next(restored.module_.parameters()).is_cuda
    np.testing.assert_array_equal(restored.predict(X), on_gpu)


def test_predicts_on_cpu_when_loaded_without_cuda(data, monkeypatch):
    X, y = data
    reg = TabularNetRegressor(device="auto", max_epochs=5, random_state=0).fit(X, y)
    on_gpu = reg.predict(X)
    payload = pickle.dumps(reg)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(payload)
    assert next(restored.module_.parameters()).device.type == "cpu"
    # bf16 on the GPU against float32 on the CPU: close, in units of the target's spread
    assert np.abs(restored.predict(X) - on_gpu).max() <= 0.1 * reg.target_scale_


def test_max_time_on_cuda(data):
    X, y = data
    X, y = np.tile(X, (20, 1)), np.tile(y, 20)
    reg = TabularNetRegressor(
        device="cuda", max_time=1, max_epochs=10000, patience=10000, random_state=0
    ).fit(X, y)
    assert reg.n_epochs_ < reg.max_epochs
    assert reg.stop_reason_ == "max_time"
