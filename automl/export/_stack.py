"""A stacked final model in ONNX: the level-2 linear model over the members' outputs.

Mirrors :class:`automl.stacking.StackedModel`: each member's prediction matrix
becomes its level-2 features (:func:`automl.stacking.stack_features`: the value for
regression, the positive class's logit for binary, every class's log-probability
for multiclass), the features are standardised and the linear model maps them to
probabilities (sigmoid or softmax) or to the predicted value, all in the graph's
precision (``GraphBuilder.dtype``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ExportError
from ._builder import GraphBuilder, aligned


def _features(b: GraphBuilder, outputs: list[str], n_classes: int, regression: bool) -> str:
    """The level-2 inputs, one block of columns per member, side by side."""
    from ..stacking import EPS

    blocks = []
    for out in outputs:
        if regression:
            blocks.append(out)
            continue
        p = b.op("Clip", [out, b.real(EPS, "eps"), b.real(1 - EPS, "1-eps")])
        log_p = b.op("Log", [p])
        if n_classes == 2:  # log(p1) - log(p0), the positive class's logit
            blocks.append(b.op("MatMul", [log_p, b.real([[-1.0], [1.0]])]))
        else:
            blocks.append(log_p)
    return blocks[0] if len(blocks) == 1 else b.op("Concat", blocks, axis=1)


def stacked_output(b: GraphBuilder, final: Any, outputs: list[str]) -> str:
    """The stack's output: probabilities ``(N, n_classes)`` or values ``(N, 1)``.

    Parameters
    ----------
    b : GraphBuilder
    final : StackedModel
        The fitted stack.
    outputs : list of str
        Each member's aligned prediction matrix in the graph, in the stack's order.

    Returns
    -------
    str
        The name of the output value.

    Raises
    ------
    ExportError
        For a level-2 model other than a scaler followed by a linear model.
    """
    steps = getattr(final.level2, "steps", [])
    if len(steps) != 2 or not hasattr(steps[0][1], "scale_") or not hasattr(steps[1][1], "coef_"):
        raise ExportError(
            f"The stack's level-2 model {type(final.level2).__name__} has no ONNX converter; "
            "only a scaler followed by a linear model is supported."
        )
    scaler, linear = steps[0][1], steps[1][1]
    regression, n_classes = bool(final.regression), int(final.n_classes)
    x = _features(b, outputs, n_classes, regression)
    x = b.op("Sub", [x, b.real(np.asarray(scaler.mean_)[None, :], "mean")])
    x = b.op("Div", [x, b.real(np.asarray(scaler.scale_)[None, :], "scale")])
    coef = np.atleast_2d(np.asarray(linear.coef_, b.dtype))
    intercept = np.atleast_1d(np.asarray(linear.intercept_, b.dtype))[None, :]
    z = b.op("Add", [b.op("MatMul", [x, b.const(coef.T.copy(), "coef")]), b.const(intercept, "b")])
    if regression:
        return z
    if coef.shape[0] == 1:  # binary logistic regression: one logit
        p1 = b.op("Sigmoid", [z])
        proba = b.op("Concat", [b.op("Sub", [b.real(1.0, "one"), p1]), p1], axis=1)
    else:
        proba = b.op("Softmax", [z], axis=1)
    return aligned(b, proba, linear.classes_, n_classes, b.dtype)
