"""The net's numeric inputs: robust scaling with smooth clipping, periodic embeddings."""

from __future__ import annotations

import io
import warnings

import joblib
import numpy as np
import pytest
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from automl.nets import TabularNetClassifier, TabularNetRegressor
from automl.nets.encoding import TabularEncoder
from automl.nets.periodic import PeriodicEmbedding, embedding_width


def _one_extreme_row(seed: int = 0) -> np.ndarray:
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(500, 2))
    X[0, 0] = 1e6
    return X


def test_robust_clip_keeps_the_bulk_at_unit_scale_despite_an_extreme_row():
    X = _one_extreme_row()
    standard = TabularEncoder((), "standard").fit(X).transform(X)[0][:, 0]
    robust = TabularEncoder((), "robust_clip").fit(X).transform(X)[0][:, 0]
    assert standard[1:].std() < 0.01  # one row squashes every other one towards 0
    assert 0.8 < robust[1:].std() < 1.1
    assert np.abs(robust).max() <= 3.0  # the extreme row is bounded...
    assert robust[0] == robust.max()  # ...but keeps its place in the order
    assert (np.argsort(robust[1:], kind="stable") == np.argsort(X[1:, 0], kind="stable")).all()


def test_robust_clip_fits_on_training_rows_and_handles_gaps():
    X = np.column_stack([np.arange(10.0), np.full(10, 7.0), np.full(10, np.nan)])
    X[3, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        encoder = TabularEncoder((), "robust_clip").fit(X)
        new = np.array([[1e30, 7.0, 5.0], [np.nan, np.nan, np.nan]])
        x_num, _ = encoder.transform(new)
    assert np.isfinite(x_num).all()
    assert x_num[1].tolist() == [0.0, 0.0, 0.0]  # missing -> the training centre
    assert 2.9 < x_num[0, 0] <= 3.0  # a value far beyond the training range is clipped
    assert encoder.mean_[0] == np.nanmedian(X[:, 0])


def test_embedding_width_shrinks_with_many_columns():
    assert embedding_width(10) == 8
    assert 500 * embedding_width(500) <= 2048
    assert embedding_width(10_000) == 1
    assert PeriodicEmbedding(500)(torch.zeros(3, 500)).shape == (3, 500 * 5)


def test_periodic_frequencies_are_trained():
    torch.manual_seed(0)
    embedding = PeriodicEmbedding(3)
    embedding(torch.randn(16, 3)).pow(2).sum().backward()
    assert embedding.frequencies.grad is not None
    assert embedding.frequencies.grad.abs().min() > 0


def test_periodic_net_learns_and_pickles():
    X, y = make_classification(n_samples=600, n_features=6, random_state=0)
    net = TabularNetClassifier(
        numeric_scaling="robust_clip",
        numeric_embedding="periodic",
        hidden_width=32,
        max_epochs=30,
        learning_rate=1e-2,
        n_threads=1,
        random_state=0,
    ).fit(X[:400], y[:400])
    assert roc_auc_score(y[400:], net.predict_proba(X[400:])[:, 1]) > 0.9
    assert isinstance(net.module_.numeric, PeriodicEmbedding)
    buffer = io.BytesIO()
    joblib.dump(net, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    assert np.array_equal(loaded.predict_proba(X[400:]), net.predict_proba(X[400:]))


@pytest.mark.parametrize("scaling", ["standard", "robust_clip"])
def test_regressor_reads_a_heavy_tailed_column(scaling):
    """The target depends on a log-normal column; both scalings must learn it."""
    rng = np.random.RandomState(0)
    x = np.exp(rng.normal(scale=1.5, size=(800, 1)))
    y = np.log(x[:, 0]) + 0.1 * rng.normal(size=800)
    reg = TabularNetRegressor(
        numeric_scaling=scaling, hidden_width=32, max_epochs=60, n_threads=1, random_state=0
    ).fit(x[:600], y[:600])
    rmse = np.sqrt(np.mean((reg.predict(x[600:]) - y[600:]) ** 2))
    assert rmse < 0.5 * y.std()


def test_a_net_pickled_before_numeric_inputs_existed_still_predicts():
    """Model files of the same major version load: an encoder without ``scaling`` and a
    module without ``numeric`` (as pickled before they existed) predict as before."""
    X, y = make_classification(n_samples=200, n_features=4, random_state=0)
    net = TabularNetClassifier(hidden_width=8, max_epochs=3, n_threads=1, random_state=0)
    net.fit(X, y)
    expected = net.predict_proba(X)
    del net.encoder_.__dict__["scaling"]
    del net.module_._modules["numeric"]
    buffer = io.BytesIO()
    joblib.dump(net, buffer)
    buffer.seek(0)
    assert np.array_equal(joblib.load(buffer).predict_proba(X), expected)
