"""A booster on a ridge's residuals (:mod:`automl.models.linear_base`) as ONNX nodes.

The ridge runs in the graph's precision, as ``predict`` computes it in double:
missing values filled with the training medians, clipped to the fitted range,
a matrix product; the booster's own converter adds the rest.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._builder import GraphBuilder
from .converters import convert_model


def convert_linear_base(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """``ridge(x) + booster(x)`` as an ``(N, 1)`` column in the graph's precision."""

    def row(values: Any) -> str:
        return b.const(np.asarray(values, dtype=b.dtype).reshape(1, -1))

    filled = b.op("Where", [b.op("IsNaN", [x]), row(estimator.fill_), x])
    clipped = b.op("Max", [b.op("Min", [filled, row(estimator.high_)]), row(estimator.low_)])
    coef = b.const(np.asarray(estimator.coef_, dtype=b.dtype).reshape(-1, 1))
    line = b.op("Add", [b.op("MatMul", [clipped, coef]), row([estimator.intercept_])])
    boosted = b.cast(convert_model(estimator.booster_, b, x, n_features), b.dtype)
    return b.op("Add", [line, boosted])
