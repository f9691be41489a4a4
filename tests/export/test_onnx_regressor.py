"""ONNX export of regressors: every target transform and scaler, compared with predict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, RobustScaler, StandardScaler

from automl import AutoMLRegressor

from ._onnx_checks import assert_regressor_parity, categorical_frame

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0}


def _preset(tmp_path, target: str, scale: str, families: list[str]) -> str:
    path = tmp_path / f"{target}_{scale}.toml"
    path.write_text(
        'name = "one_choice"\ntask = "regression"\n'
        f'[nodes.scale]\nchoices = ["{scale}"]\n'
        f'[nodes.target]\nchoices = ["{target}"]\n'
        f"[nodes.model]\nfamilies = {families!r}\n".replace("'", '"')
    )
    return str(path)


def _skewed_target_frame(n: int = 300) -> tuple[pd.DataFrame, np.ndarray]:
    X, _ = categorical_frame(n, seed=1)
    rng = np.random.default_rng(1)
    signal = 2.0 * (X["colour"] == "red") + np.nan_to_num(X["x"].to_numpy()) + X["z"].to_numpy()
    return X, np.exp(np.asarray(signal) + 0.3 * rng.normal(size=n)) * 1000.0  # skewed, large


@pytest.mark.parametrize(
    ("target", "scale", "family"),
    [
        ("none", "standard", "linear"),
        ("log1p", "robust", "linear"),
        ("yeo_johnson", "minmax", "random_forest"),
        ("quantile", "quantile", "linear"),
        ("log1p", "none", "hist_gb"),
        ("quantile", "none", "xgboost"),
        ("yeo_johnson", "none", "extra_trees"),
    ],
)
def test_target_transform_and_scaler_round_trip(target, scale, family, tmp_path):
    X, y = _skewed_target_frame()
    reg = AutoMLRegressor(
        pipeline=_preset(tmp_path, target, scale, [family]), max_trials=1, **FAST
    ).fit(X.iloc[:220], y[:220])
    assert reg.best_config_["target"] == target
    assert_regressor_parity(reg, X.iloc[220:], tmp_path)


@pytest.mark.parametrize(
    "inputs",
    [
        {},
        {"numeric_scaling": "robust_clip", "numeric_embedding": "periodic"},
        {"ensemble_size": 4},
    ],
)
def test_net_regressor_member(inputs, tmp_path):
    """The net as a regression member, with the target transform around it.

    The net computes in float in both runtimes; their outputs differ by about 1e-6
    (measured), which the inverse Yeo-Johnson transform of a skewed target magnifies
    where the target is large: 1e-3 of the target's spread for the periodic variant,
    whose sines and cosines come from different libraries in torch and onnxruntime.
    """
    from automl.nets import TabularNetRegressor

    X, y = _skewed_target_frame()
    reg = AutoMLRegressor(
        pipeline=_preset(tmp_path, "yeo_johnson", "standard", ["linear"]), max_trials=1, **FAST
    ).fit(X.iloc[:220], y[:220])
    pipe = reg.final_model_.members[0][0]
    target = pipe.steps[-1][1]  # TransformedTargetRegressor: the net learns its scale
    net = TabularNetRegressor(hidden_width=16, max_epochs=3, device="cpu", random_state=0, **inputs)
    rows = pipe[:-1].transform(X.iloc[:220])
    net.fit(rows, target.transformer_.transform(y[:220].reshape(-1, 1)).ravel())
    target.regressor_ = net
    periodic = inputs.get("numeric_embedding") == "periodic"
    tolerance = {"float64": 1e-3, "float32": 1e-3} if periodic else None
    assert_regressor_parity(reg, X.iloc[220:], tmp_path, tolerance=tolerance)


@pytest.mark.parametrize(("dtype", "atol"), [(np.float64, 1e-7), (np.float32, 1e-4)])
@pytest.mark.parametrize(
    "scaler",
    [
        StandardScaler(),
        RobustScaler(),
        MinMaxScaler(),
        QuantileTransformer(n_quantiles=50, output_distribution="normal"),
    ],
)
def test_scalers_match_scikit_learn(scaler, dtype, atol):
    """In double (the default) to the quantile function's approximation; in float
    to float rounding."""
    from onnx import helper

    from automl.export._builder import GraphBuilder
    from automl.export._preprocess import scale

    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(size=200), rng.integers(0, 4, 200), rng.exponential(3, 200)]
    scaler.fit(X)
    b = GraphBuilder(dtype)
    b.nodes.append(helper.make_node("Identity", [scale(b, scaler, "X")], ["Y"]))
    model = b.model(
        [helper.make_tensor_value_info("X", b.elem, [None, 3])],
        [helper.make_tensor_value_info("Y", b.elem, [None, 3])],
        "scaler",
    )
    X_new = np.r_[X, [[50.0, 9.0, -1.0], [-50.0, -1.0, 100.0]]].astype(dtype)
    got = ort.InferenceSession(model.SerializeToString()).run(None, {"X": X_new})[0]
    assert got.dtype == dtype
    np.testing.assert_allclose(got, scaler.transform(X_new.astype(float)), atol=atol)


def test_histogram_boosting_from_a_linear_base(tmp_path):
    """A booster on a ridge's residuals, with missing values and category codes."""
    X, y = _skewed_target_frame()
    reg = AutoMLRegressor(
        pipeline=_preset(tmp_path, "none", "none", ["hist_gb"]), max_trials=2, **FAST
    ).fit(X.iloc[:220], y[:220])
    assert reg.best_config_["model.base"] == "linear"  # the portfolio's second trial
    assert_regressor_parity(reg, X.iloc[220:], tmp_path)
