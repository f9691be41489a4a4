"""The inverse of a regression target transform (:mod:`automl.steps.target`) as ONNX nodes.

They run in the graph's precision (``GraphBuilder.dtype``), as scikit-learn's in double.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ExportError
from ._builder import GraphBuilder


def _unscale(b: GraphBuilder, scaler: Any, y: str) -> str:
    """Inverse of a fitted ``StandardScaler`` on one column."""
    if scaler.with_std:
        y = b.op("Mul", [y, b.const(np.asarray(scaler.scale_, b.dtype).reshape(1, -1))])
    if scaler.with_mean:
        y = b.op("Add", [y, b.const(np.asarray(scaler.mean_, b.dtype).reshape(1, -1))])
    return y


def _yeo_johnson_inverse(b: GraphBuilder, lmbda: float, y: str) -> str:
    """``PowerTransformer._yeo_johnson_inverse_transform`` for one column."""
    one = b.const([[1.0]], dtype=b.dtype)
    positive = b.op("GreaterOrEqual", [y, b.const([[0.0]], dtype=b.dtype)])
    if abs(lmbda) < np.spacing(1.0):
        pos = b.op("Sub", [b.op("Exp", [y]), one])
    else:
        base = b.op("Add", [b.op("Mul", [y, b.const([[lmbda]], dtype=b.dtype)]), one])
        pos = b.op("Sub", [b.op("Pow", [base, b.const([[1.0 / lmbda]], dtype=b.dtype)]), one])
    if abs(lmbda - 2) > np.spacing(1.0):
        scaled = b.op("Mul", [y, b.const([[-(2 - lmbda)]], dtype=b.dtype)])
        powered = b.op(
            "Pow", [b.op("Add", [scaled, one]), b.const([[1 / (2 - lmbda)]], dtype=b.dtype)]
        )
        neg = b.op("Sub", [one, powered])
    else:
        neg = b.op("Sub", [one, b.op("Exp", [b.op("Neg", [y])])])
    return b.op("Where", [positive, pos, neg])


def inverse_target(b: GraphBuilder, transformer: Any, y: str) -> str:
    """Map the model's output ``y`` (N, 1) back to the target's scale.

    Raises
    ------
    ExportError
        For a transform without a converter.
    """
    name = type(transformer).__name__
    if name == "StandardScaler":
        return _unscale(b, transformer, y)
    if name == "Pipeline":  # log1p, then standardised
        for step in reversed([s for _, s in transformer.steps]):
            step_name = type(step).__name__
            if step_name == "StandardScaler":
                y = _unscale(b, step, y)
            elif step_name == "FunctionTransformer" and step.inverse_func is np.expm1:
                y = b.op("Sub", [b.op("Exp", [y]), b.const([[1.0]], dtype=b.dtype)])
            else:
                raise ExportError(f"The target transform step {step_name} has no ONNX converter.")
        return y
    if name == "PowerTransformer" and transformer.method == "yeo-johnson":
        if transformer.standardize:
            y = _unscale(b, transformer._scaler, y)
        return _yeo_johnson_inverse(b, float(transformer.lambdas_[0]), y)
    if name == "QuantileTransformer":
        from ._quantile import quantile_inverse

        return quantile_inverse(b, transformer, y)
    raise ExportError(f"The target transform {name} has no ONNX converter.")
