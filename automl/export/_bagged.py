"""A bagged member (:class:`~automl.bagging.BaggedPipeline`) as ONNX nodes: the mean of
its fold pipelines' sub-graphs, each aligned to every class as ``predict_proba`` does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._builder import GraphBuilder, aligned

#: ``member(builder, pipeline, inputs) -> (output, final estimator)``: one pipeline's graph.
MemberFn = Callable[[GraphBuilder, Any, dict[str, str]], tuple[str, Any]]


def bagged_output(
    b: GraphBuilder,
    bag: Any,
    inputs: dict[str, str],
    member: MemberFn,
    n_classes: int,
    regression: bool,
) -> str:
    """The output of a bagged member: its K fold pipelines' outputs, averaged.

    Parameters
    ----------
    b : GraphBuilder
    bag : BaggedPipeline
        The fitted fold pipelines (``bag.pipelines``).
    inputs : dict of str to str
        The graph's input names by column.
    member : callable
        Converts one fitted pipeline (the export's own member converter).
    n_classes : int
        Classes of the whole problem (a fold may have missed some).
    regression : bool
        Whether the pipelines are regressors (their values are averaged).

    Returns
    -------
    str
        Probabilities ``(N, n_classes)`` or values ``(N, 1)``.
    """
    outs = []
    for pipe in bag.pipelines:
        out, inner = member(b, pipe, inputs)
        outs.append(out if regression else aligned(b, out, inner.classes_, n_classes, b.dtype))
    total = outs[0] if len(outs) == 1 else b.op("Sum", outs)
    return b.op("Mul", [total, b.real(1.0 / len(outs), "bag_mean")])
