"""The precision of the exported graph: double inputs match trees that split between
values closer than float32 can tell apart; float inputs are an option, validated.

The data reproduce what the shared glass and mammography datasets showed: a
histogram-boosting (or LightGBM) threshold lies between two training values whose
difference (1e-9 here) is far below float32 resolution at 1.0 (1.2e-7), so a graph
fed floats sees both values as one and sends them the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier, AutoMLRegressor
from automl.exceptions import ConfigError
from automl.export import converters, onnx_inputs

from ._onnx_checks import TOLERANCE, categorical_frame, run_onnx

ort = pytest.importorskip("onnxruntime")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0, "max_trials": 1}


def _close_values(n: int = 400, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """A column of 200 distinct values 1e-9 apart; the class flips every 20 of them."""
    rng = np.random.default_rng(seed)
    k = rng.integers(0, 200, n)
    X = pd.DataFrame({"x": 1.0 + k * 1e-9, "z": rng.normal(size=n)})
    assert X["x"].astype(np.float32).nunique() <= 3  # 200 doubles, at most 3 floats
    return X, np.where(k % 40 < 20, "a", "b")


@pytest.mark.parametrize("family", ["hist_gb", "lightgbm"])
def test_splits_closer_than_float32_resolution_match_with_double_inputs(family, tmp_path):
    if family == "lightgbm":
        pytest.importorskip("lightgbm")
    X, y = _close_values()
    clf = AutoMLClassifier(models=[family], ensemble=False, **FAST).fit(X[:300], y[:300])
    X_test, expected = X[300:], clf.predict_proba(X[300:])
    assert (clf.predict(X_test) == y[300:]).mean() > 0.95  # the model splits between them
    out = run_onnx(clf, X_test, tmp_path)
    np.testing.assert_allclose(out["probabilities"], expected, atol=1e-6, rtol=0)
    np.testing.assert_array_equal(out["label"], clf.predict(X_test))
    # the same model with float inputs: the rows collapse onto one value, and about
    # half of them go the other way (the documented caveat of numeric_dtype="float32")
    out32 = run_onnx(clf, X_test, tmp_path, "float32")
    assert np.abs(out32["probabilities"] - expected).max() > 0.5
    assert (out32["label"] != clf.predict(X_test)).mean() > 0.2


def test_inputs_and_outputs_take_the_chosen_type(tmp_path):
    X, y = categorical_frame(300)
    X["when"] = pd.Timestamp("2001-01-01") + pd.to_timedelta(np.arange(len(X)), unit="D")
    clf = AutoMLClassifier(models=["logreg", "hist_gb"], **FAST).fit(X[:220], y[:220])
    for numeric_dtype, tensor in (("float64", "tensor(double)"), ("float32", "tensor(float)")):
        path = clf.export_onnx(str(tmp_path / f"{numeric_dtype}.onnx"), numeric_dtype=numeric_dtype)
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        inputs = {i.name: i.type for i in session.get_inputs()}
        assert inputs == {
            "colour": "tensor(string)",
            "size": "tensor(string)",
            "x": tensor,
            "z": tensor,
            "when": "tensor(int64)",  # dates stay int64 nanoseconds
        }
        assert {o.name: o.type for o in session.get_outputs()}["probabilities"] == tensor
        feed = onnx_inputs(clf, X[220:], numeric_dtype=numeric_dtype)  # the library's feed
        label, proba = session.run(None, feed)
        tol = TOLERANCE[numeric_dtype]
        np.testing.assert_allclose(proba, clf.predict_proba(X[220:]), atol=tol, rtol=0)
        np.testing.assert_array_equal(label, clf.predict(X[220:]))


def test_float32_regressor_with_a_target_transform(tmp_path):
    X, _ = categorical_frame(300, seed=2)
    y = np.exp(X["z"].to_numpy()) * 100.0
    reg = AutoMLRegressor(models=["hist_gb", "linear"], **FAST).fit(X[:220], y[:220])
    expected = reg.predict(X[220:])
    for numeric_dtype in ("float64", "float32"):
        out = run_onnx(reg, X[220:], tmp_path, numeric_dtype)["variable"][:, 0]
        assert out.dtype == np.dtype(numeric_dtype)
        np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4 * np.std(expected))


@pytest.mark.parametrize("bad", ["float16", "double", np.float64, None])
def test_numeric_dtype_is_validated_before_any_work(bad, tmp_path):
    X, y = categorical_frame(120)
    clf = AutoMLClassifier(models=["logreg"], **FAST).fit(X, y)
    with pytest.raises(
        ConfigError, match=r"'numeric_dtype'.*\['float64', 'float32'\].*got"
    ) as info:
        clf.export_onnx(str(tmp_path / "m.onnx"), numeric_dtype=bad)
    assert isinstance(info.value, ValueError)
    assert list(tmp_path.iterdir()) == []


def test_a_converter_declares_the_precision_it_reads(monkeypatch):
    monkeypatch.setattr(converters, "_CONVERTERS", dict(converters._CONVERTERS))
    with pytest.raises(ConfigError, match="'reads'.*'float16'"):
        converters.register_converter("my.Model", lambda *a: "", reads="float16")
    converters.register_converter("my.Model", lambda *a: "")
    assert converters._CONVERTERS["my.Model"][1] == "float32"  # the safe default
