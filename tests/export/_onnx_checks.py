"""Shared checks of the ONNX export tests: run the file in onnxruntime, compare with predict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def onnx_feed(
    estimator: Any, X: pd.DataFrame, numeric_dtype: str = "float64"
) -> dict[str, np.ndarray]:
    """One ``(N, 1)`` array per column: strings ("" for missing) or numbers, written
    here independently of the library's ``onnx_inputs``."""
    if not isinstance(X, pd.DataFrame):  # fitted on an array: inputs are x0, x1, ...
        X = pd.DataFrame(X, columns=list(estimator.schema_.columns))
    feed = {}
    for column in X.columns:
        kind = estimator.schema_.kind_of(column)
        if kind in ("categorical", "high_cardinality"):
            values = X[column].astype(object)
            text = np.where(values.isna(), "", values.astype(str))
            feed[column] = text.astype(object).reshape(-1, 1)
        else:
            feed[column] = X[column].to_numpy(dtype=numeric_dtype).reshape(-1, 1)
    return feed


def run_onnx(
    estimator: Any, X: pd.DataFrame, tmp_path: Path, numeric_dtype: str = "float64"
) -> dict[str, np.ndarray]:
    """Export ``estimator``, run it on ``X`` with onnxruntime; outputs by name."""
    import onnxruntime as ort

    path = estimator.export_onnx(
        str(tmp_path / f"model_{numeric_dtype}.onnx"), numeric_dtype=numeric_dtype
    )
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    feed = onnx_feed(estimator, X, numeric_dtype)
    return dict(zip(names, session.run(None, feed), strict=True))


#: Tolerance on probabilities of a graph computing in each precision: double matches
#: to rounding, float to 1e-4.
TOLERANCE = {"float64": 1e-6, "float32": 1e-4}
#: A stack's level-2 model reads its members' logits; onnxruntime's tree ensembles
#: return float probabilities, and a logit near 0 or 1 magnifies their rounding.
STACK_TOLERANCE = {"float64": 1e-5, "float32": 1e-4}
#: On predictions, relative to the target's spread: onnxruntime's tree ensembles
#: return floats, which a target transform (an exponential) can magnify.
REGRESSION_TOLERANCE = {"float64": 1e-5, "float32": 1e-4}


def assert_classifier_parity(
    estimator: Any,
    X: pd.DataFrame,
    tmp_path: Path,
    numeric_dtypes: tuple[str, ...] = ("float64", "float32"),
    tolerance: dict[str, float] | None = None,
) -> None:
    """Probabilities as ``predict_proba``'s (within ``tolerance``, default
    :data:`TOLERANCE`); labels equal to ``predict``; in each precision of the export."""
    expected = estimator.predict_proba(X)
    for numeric_dtype in numeric_dtypes:
        out = run_onnx(estimator, X, tmp_path, numeric_dtype)
        assert out["probabilities"].shape == expected.shape
        assert out["probabilities"].dtype == np.dtype(numeric_dtype)
        np.testing.assert_allclose(
            out["probabilities"], expected, atol=(tolerance or TOLERANCE)[numeric_dtype], rtol=0
        )
        np.testing.assert_array_equal(out["label"], estimator.predict(X))


def assert_regressor_parity(
    estimator: Any,
    X: pd.DataFrame,
    tmp_path: Path,
    numeric_dtypes: tuple[str, ...] = ("float64", "float32"),
    tolerance: dict[str, float] | None = None,
) -> None:
    """Predictions within ``tolerance`` (default :data:`REGRESSION_TOLERANCE`; relative to
    the target's spread) of ``predict``, in each precision of the export."""
    expected = estimator.predict(X)
    scale = max(1.0, float(np.std(expected)))
    for numeric_dtype in numeric_dtypes:
        out = run_onnx(estimator, X, tmp_path, numeric_dtype)
        assert out["variable"].shape == (len(X), 1)
        assert out["variable"].dtype == np.dtype(numeric_dtype)
        tol = (tolerance or REGRESSION_TOLERANCE)[numeric_dtype]
        np.testing.assert_allclose(out["variable"][:, 0], expected, atol=tol * scale, rtol=tol / 10)


def categorical_frame(
    n: int = 400, seed: int = 0, wide: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """String categories with missing values next to numbers with missing values.

    ``wide`` adds a column of 30 categories, most of them rare (one-hot groups them
    as infrequent), and a high-cardinality code column (target-encoded).
    """
    rng = np.random.default_rng(seed)
    colour = rng.choice(["red", "green", "blue", "grey"], n).astype(object)
    size = rng.choice(["S", "M", "L"], n).astype(object)
    x = rng.normal(size=n)
    z = rng.normal(size=n)
    logit = 1.5 * (colour == "red") - 1.0 * (size == "S") + x
    y = np.where(logit + rng.normal(scale=0.5, size=n) > 0.5, "yes", "no")
    colour[rng.random(n) < 0.1] = None
    x[rng.random(n) < 0.1] = np.nan
    frame = pd.DataFrame({"colour": colour, "size": size, "x": x, "z": z})
    if wide:
        weights = 1.0 / np.arange(1, 31) ** 1.5
        frame["city"] = rng.choice([f"c{i}" for i in range(30)], n, p=weights / weights.sum())
        frame["code"] = rng.choice([f"id{i:03d}" for i in range(n // 3)], n)
    return frame, y
