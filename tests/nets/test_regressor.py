"""TabularNetRegressor: scikit-learn conformance, accuracy, target scale, loss, time limit."""

from __future__ import annotations

import io
import pickle
import time

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.datasets import make_friedman1, make_regression
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils.estimator_checks import parametrize_with_checks

from automl.exceptions import ConfigError
from automl.nets import TabularNetRegressor
from automl.nets.module import TabularMLP
from automl.nets.regression_training import RegressionTrainer
from automl.nets.regressor import target_statistics
from automl.nets.training import TensorData, TrainConfig

LOSSES = ("mse", "huber")


def small_net(**params):
    """A fast configuration for tests."""
    defaults = dict(
        hidden_width=32,
        depth=1,
        max_epochs=30,
        learning_rate=1e-2,
        batch_size=64,
        n_threads=1,
        random_state=0,
    )
    defaults.update(params)
    return TabularNetRegressor(**defaults)


@pytest.fixture(scope="module")
def linear_data():
    """make_regression: 600 rows, 8 features, noise 5, split 450 / 150."""
    X, y = make_regression(n_samples=600, n_features=8, noise=5, random_state=0)
    return train_test_split(X, y, random_state=0)


WEIGHT_EQUIVALENCE = {
    "check_sample_weight_equivalence_on_dense_data": (
        "an integer weight equals repeating the row only in expectation: repeated rows "
        "fall into the validation split and the shuffled batches separately, so the "
        "stochastic training differs"
    ),
}


@parametrize_with_checks(
    [small_net()], expected_failed_checks=lambda est: WEIGHT_EQUIVALENCE, xfail_strict=True
)
def test_sklearn_conformance(estimator, check):
    check(estimator)


@pytest.mark.parametrize("loss", LOSSES)
def test_r2_on_held_out_rows_of_a_linear_problem(linear_data, loss):
    X_tr, X_te, y_tr, y_te = linear_data
    reg = small_net(loss=loss).fit(X_tr, y_tr)
    pred = reg.predict(X_te)
    assert pred.shape == y_te.shape and pred.dtype == np.float64
    assert np.isfinite(pred).all()
    assert reg.score(X_te, y_te) >= 0.98  # held out: 0.993 (mse) and 0.996 (huber) measured


def test_r2_on_held_out_rows_of_friedman1():
    X, y = make_friedman1(n_samples=600, noise=0.5, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    reg = small_net().fit(X_tr, y_tr)
    assert reg.score(X_te, y_te) >= 0.92  # held out: 0.958 measured


@pytest.mark.parametrize("factor", [1e9, 1e-6])
def test_target_scale_does_not_matter(linear_data, factor):
    X_tr, X_te, y_tr, y_te = linear_data
    unit = small_net().fit(X_tr, y_tr)
    scaled = small_net().fit(X_tr, y_tr * factor)
    assert scaled.target_scale_ == pytest.approx(unit.target_scale_ * factor, rel=1e-12)
    np.testing.assert_allclose(scaled.predict(X_te), unit.predict(X_te) * factor, rtol=1e-4)
    assert r2_score(y_te * factor, scaled.predict(X_te)) >= 0.98
    assert [h["val_loss"] for h in scaled.history_] == pytest.approx(
        [h["val_loss"] for h in unit.history_], rel=1e-4
    )


def test_target_statistics():
    y = np.array([1.0, 2.0, 3.0, 6.0])
    assert target_statistics(y) == pytest.approx((y.mean(), y.std()))
    assert target_statistics(np.array([1e300, -1e300])) == pytest.approx((0.0, 1e300))
    assert target_statistics(np.array([7.0, 7.0])) == (7.0, 1.0)
    assert target_statistics(np.zeros(3)) == (0.0, 1.0)


def test_constant_target_predicts_the_constant():
    X = np.random.RandomState(0).normal(size=(100, 3))
    reg = small_net(max_epochs=5).fit(X, np.full(100, 3e7))
    np.testing.assert_allclose(reg.predict(X), 3e7, rtol=1e-6)


def test_huber_loss_resists_outliers(linear_data):
    X_tr, X_te, y_tr, y_te = linear_data
    rng = np.random.RandomState(0)
    y_bad = y_tr.copy()
    rows = rng.choice(len(y_bad), 30, replace=False)
    y_bad[rows] += rng.choice([-1, 1], 30) * 20 * y_tr.std()
    r2 = {loss: small_net(loss=loss).fit(X_tr, y_bad).score(X_te, y_te) for loss in LOSSES}
    assert r2["huber"] >= r2["mse"] + 0.3  # measured: 0.66 against -0.02


@pytest.mark.parametrize("loss", LOSSES)
def test_trainer_losses(loss):
    module = TabularMLP(2, [], n_outputs=1, hidden_width=4, depth=1)
    trainer = RegressionTrainer(
        module, TrainConfig(), torch.device("cpu"), torch.Generator(), loss=loss
    )
    output, target = torch.tensor([[0.0], [1.0], [5.0]]), torch.tensor([0.0, 0.0, 0.0])
    expected = {"mse": (0 + 1 + 25) / 3, "huber": (0 + 0.5 + 4.5) / 3}[loss]
    assert trainer.batch_loss(output, target).item() == pytest.approx(expected)
    total, count = trainer.loss_terms(output, target)
    assert total.item() / count == pytest.approx(expected)
    data = TensorData(torch.randn(10, 2), None, torch.randn(10))
    with torch.no_grad():
        total, count = trainer.loss_terms(module.eval()(data.x_num), data.labels())
    assert trainer.evaluate_loss(data) == pytest.approx(total.item() / count, rel=1e-5)


def test_early_stopping_on_an_inner_split():
    X, y = make_regression(n_samples=400, n_features=20, n_informative=2, noise=30, random_state=0)
    reg = small_net(hidden_width=64, max_epochs=300, patience=5).fit(X, y)
    assert reg.stop_reason_ == "patience"
    val_losses = [h["val_loss"] for h in reg.history_]
    assert len(val_losses) == reg.n_epochs_ and None not in val_losses
    assert reg.best_epoch_ == int(np.argmin(val_losses)) < reg.n_epochs_ - 1


def test_no_validation_trains_all_epochs():
    X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    reg = small_net(validation_fraction=0.0, max_epochs=7).fit(X, y)
    assert reg.n_epochs_ == 7 and reg.best_epoch_ == 6
    assert all(h["val_loss"] is None for h in reg.history_)


def test_max_time_stops_training():
    X, y = make_regression(n_samples=20000, n_features=20, noise=5, random_state=0)
    start = time.monotonic()
    reg = small_net(max_time=1, max_epochs=10000, patience=10000, hidden_width=64).fit(X, y)
    assert time.monotonic() - start < 60  # generous: one second of training, then stop
    assert reg.stop_reason_ == "max_time"
    assert 1 <= reg.n_epochs_ < reg.max_epochs
    assert np.isfinite(reg.predict(X[:100])).all()


def test_nan_inputs_and_unknown_categories_give_finite_predictions():
    rng = np.random.RandomState(0)
    n = 800
    cat = rng.randint(0, 5, size=n)
    num = rng.normal(size=(n, 3))
    y = 3 * cat + num[:, 0] - 2 * num[:, 1] + rng.normal(scale=0.3, size=n)
    X = np.column_stack([num, cat.astype(float)])
    X[::7, 1] = np.nan
    X[:20, 3] = -1  # unknown codes at fit time
    reg = small_net(categorical_features=[3], max_epochs=60).fit(X[:600], y[:600])
    assert reg.encoder_.cardinalities_ == [6]
    assert reg.score(X[600:], y[600:]) >= 0.9  # held out: 0.97 measured
    X_new = X[:4].copy()
    X_new[:, 3] = [-1, np.nan, 7, 99]  # missing, and codes never seen in fit
    X_new[:, 0] = np.nan
    assert np.isfinite(reg.predict(X_new)).all()


def test_seeded_fits_are_reproducible_on_cpu():
    X, y = make_regression(n_samples=300, n_features=6, random_state=0)
    first = small_net(dropout=0.3, device="cpu", random_state=7).fit(X, y).predict(X)
    second = small_net(dropout=0.3, device="cpu", random_state=7).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)


def test_pickle_round_trip():
    X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    reg = small_net(max_epochs=5).fit(X, y)
    module = reg.module_
    buffer = io.BytesIO()
    joblib.dump(reg, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)
    np.testing.assert_array_equal(restored.predict(X), reg.predict(X))
    assert restored.device_ == reg.device_
    assert (restored.target_mean_, restored.target_scale_) == (reg.target_mean_, reg.target_scale_)
    assert reg.module_ is module
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(reg)).predict(X), reg.predict(X))


def test_dataframe_input_keeps_feature_names():
    X, y = make_regression(n_samples=200, n_features=4, random_state=0)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    reg = small_net(max_epochs=5).fit(frame, pd.Series(y))
    assert reg.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    assert reg.predict(frame).shape == (200,)


@pytest.mark.parametrize(
    "params, name",
    [
        ({"loss": "mae"}, "loss"),
        ({"loss": None}, "loss"),
        ({"dropout": 1.5}, "dropout"),
        ({"max_time": 0}, "max_time"),
        ({"device": "tpu"}, "device"),
        ({"categorical_features": [9]}, "categorical_features"),
    ],
)
def test_bad_parameter_is_a_config_error(params, name):
    X, y = make_regression(n_samples=50, n_features=4, random_state=0)
    with pytest.raises(ConfigError, match=name) as info:
        TabularNetRegressor(**params).fit(X, y)
    assert "Got" in str(info.value)
    if name != "device":
        assert "TabularNetRegressor" in str(info.value)


def test_same_hyperparameters_as_the_classifier():
    from automl.nets import TabularNetClassifier

    reg = set(TabularNetRegressor().get_params())
    clf = set(TabularNetClassifier().get_params())
    assert reg - clf == {"loss"} and clf - reg == {"class_weight"}
