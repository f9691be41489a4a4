"""TabularNetClassifier on CUDA: mixed precision, and predicting on the CPU after pickling."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification

from automl.nets import TabularNetClassifier

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"),
]


@pytest.fixture
def data():
    return make_classification(
        n_samples=3000, n_features=12, n_informative=6, n_classes=3, random_state=0
    )


def test_fits_on_cuda_with_mixed_precision(data):
    X, y = data
    X = np.column_stack([X, np.random.RandomState(0).randint(-1, 6, size=len(X))])
    clf = TabularNetClassifier(
        categorical_features=[12], device="cuda", max_epochs=20, random_state=0
    ).fit(X[:2250], y[:2250])
    assert clf.device_.startswith("cuda")
    expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    assert clf.amp_dtype_ == expected
    assert next(clf.module_.parameters()).is_cuda
    # held out: 0.91 measured for the same fit on the CPU; chance is 0.33
    assert clf.score(X[2250:], y[2250:]) >= 0.85
    np.testing.assert_allclose(clf.predict_proba(X).sum(axis=1), 1.0)


def test_fp16_grad_scaler_path(data, monkeypatch):
    X, y = data
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: False)
    clf = TabularNetClassifier(device="cuda", max_epochs=5, random_state=0).fit(X, y)
    assert clf.amp_dtype_ == torch.float16
    assert np.isfinite(clf.history_[-1]["train_loss"])


def test_unpickles_back_onto_the_gpu_with_identical_predictions(data):
    X, y = data
    clf = TabularNetClassifier(device="auto", max_epochs=5, random_state=0).fit(X, y)
    assert clf.device_.startswith("cuda")
    on_gpu = clf.predict_proba(X)
    restored = pickle.loads(pickle.dumps(clf))
    assert next(clf.module_.parameters()).is_cuda  # pickling leaves the fitted object alone
    assert next(restored.module_.parameters()).is_cuda
    np.testing.assert_array_equal(restored.predict_proba(X), on_gpu)


def test_predicts_on_cpu_when_loaded_without_cuda(data, monkeypatch):
    X, y = data
    clf = TabularNetClassifier(device="auto", max_epochs=5, random_state=0).fit(X, y)
    on_gpu = clf.predict_proba(X)
    payload = pickle.dumps(clf)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    restored = pickle.loads(payload)
    assert next(restored.module_.parameters()).device.type == "cpu"
    on_cpu = restored.predict_proba(X)
    np.testing.assert_allclose(on_cpu, on_gpu, atol=0.05)  # bf16 on GPU vs fp32 on CPU
    assert (restored.predict(X) == clf.predict(X)).mean() > 0.95
    buffer = io.BytesIO()
    torch.save(restored.module_.state_dict(), buffer)  # plain CPU tensors


def test_max_time_on_cuda(data):
    X, y = data
    X = np.tile(X, (20, 1))
    y = np.tile(y, 20)
    clf = TabularNetClassifier(
        device="cuda", max_time=1, max_epochs=10000, patience=10000, random_state=0
    ).fit(X, y)
    assert clf.n_epochs_ < clf.max_epochs
    assert clf.stop_reason_ == "max_time"
