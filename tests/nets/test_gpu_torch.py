"""TorchClassifier and TorchRegressor on CUDA: device="auto", mixed precision, pickling."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import roc_auc_score
from torch import nn

from automl.nets import TorchClassifier, TorchRegressor

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA"),
]


class MLP(nn.Module):
    def __init__(self, n_features: int, n_outputs: int, hidden: int = 64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_outputs)
        )

    def forward(self, x):
        return self.body(x)


@pytest.fixture
def data():
    return make_classification(n_samples=3000, n_features=12, n_informative=6, random_state=0)


def test_auto_device_trains_on_cuda_with_mixed_precision(data):
    X, y = data
    clf = TorchClassifier(MLP, max_epochs=20, random_state=0).fit(X[:2250], y[:2250])
    assert clf.device_.startswith("cuda")
    expected = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    assert clf.amp_dtype_ == expected
    assert next(clf.module_.parameters()).is_cuda
    proba = clf.predict_proba(X[2250:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # the same fit on the CPU reaches 0.97 on these held-out rows
    assert roc_auc_score(y[2250:], proba[:, 1]) >= 0.93


def test_amp_off_on_cuda(data):
    X, y = data
    clf = TorchClassifier(MLP, device="cuda", amp=False, max_epochs=3, random_state=0).fit(X, y)
    assert clf.amp_dtype_ is None and clf.device_.startswith("cuda")


def test_regressor_on_cuda(data):
    X, y = make_regression(n_samples=3000, n_features=12, noise=5, random_state=0)
    reg = TorchRegressor(MLP, device="cuda", max_epochs=50, lr=3e-3, random_state=0)
    reg.fit(X[:2250], y[:2250])
    assert reg.score(X[2250:], y[2250:]) >= 0.95


def test_pickle_holds_cpu_weights_and_loads_back_onto_the_gpu(data, monkeypatch):
    X, y = data
    clf = TorchClassifier(MLP, max_epochs=5, random_state=0).fit(X, y)
    on_gpu = clf.predict_proba(X)
    payload = pickle.dumps(clf)
    assert next(clf.module_.parameters()).is_cuda  # pickling leaves the fitted net alone
    restored = pickle.loads(payload)
    assert next(restored.module_.parameters()).is_cuda
    np.testing.assert_array_equal(restored.predict_proba(X), on_gpu)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    on_cpu = pickle.loads(payload)
    assert next(on_cpu.module_.parameters()).device.type == "cpu"
    # bf16 on the GPU against float32 on the CPU: close, not equal
    assert np.abs(on_cpu.predict_proba(X) - on_gpu).max() <= 0.05


def test_warm_start_continues_on_cuda_after_pickling(data):
    X, y = data
    clf = TorchClassifier(MLP, max_epochs=3, warm_start=True, patience=50, random_state=0)
    clf.fit(X, y)
    first = list(clf.history_)
    clf = pickle.loads(pickle.dumps(clf))  # the checkpoint travels with CPU tensors
    clf.set_params(max_epochs=8).fit(X, y)
    assert clf.n_epochs_ == 8 and clf.history_[:3] == first
    assert next(clf.module_.parameters()).is_cuda
    assert clf.history_[-1]["train_loss"] < first[0]["train_loss"]
