"""LightGBM through onnxmltools, made to compare in double precision as LightGBM does.

LightGBM's ``predict`` compares float64 feature values with float64 thresholds and
sums float64 leaf values. onnxmltools writes both as float attributes of a tree
ensemble read by a float input, so a value within float32 resolution of a threshold
(thresholds are midpoints between neighbouring training values) can take the other
branch. The converted graph is kept, and its thresholds and leaf values are
replaced by the booster's own doubles (``nodes_values_as_tensor`` and
``*_weights_as_tensor``, ai.onnx.ml opset 3), found by walking each dumped tree and
the converted tree side by side; the input becomes ``tensor(double)``. In a float
graph (``numeric_dtype="float32"``) the converted graph is kept as it is: thresholds
rounded like the inputs keep every comparison but exact ties.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._builder import GraphBuilder

_ENSEMBLES = ("TreeEnsembleClassifier", "TreeEnsembleRegressor")


class _Mismatch(Exception):
    """The converted tree does not have the dumped tree's shape."""


def _attributes(node: Any) -> dict[str, Any]:
    from onnx import helper

    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def _walk(
    tree: dict[str, Any],
    tree_id: int,
    attrs: dict[str, Any],
    index: dict[Any, int],
    values: np.ndarray,
    leaves: dict[tuple[int, int], float],
) -> None:
    """Fill ``values`` (thresholds) and ``leaves`` of one tree, from its dump."""
    stack = [(tree["tree_structure"], 0)]
    seen: set[int] = set()
    while stack:
        node, node_id = stack.pop()
        if node_id in seen:  # a subtree shared by an unfolded "in set" split
            continue
        seen.add(node_id)
        if "leaf_value" in node:
            leaves[(tree_id, node_id)] = float(node["leaf_value"])
            continue
        i = index[(tree_id, node_id)]
        mode = attrs["nodes_modes"][i].decode()
        if node["decision_type"] == "<=":
            if mode != "BRANCH_LEQ" or attrs["nodes_featureids"][i] != node["split_feature"]:
                raise _Mismatch
            values[i] = float(node["threshold"])
            stack.append((node["left_child"], attrs["nodes_truenodeids"][i]))
            stack.append((node["right_child"], attrs["nodes_falsenodeids"][i]))
            continue
        # "==" on "a||b||c": onnxmltools unfolds it into a chain of BRANCH_EQ nodes,
        # each sending its category left and the others down the chain
        n_categories = len(str(node["threshold"]).split("||"))
        for k in range(n_categories):
            if mode != "BRANCH_EQ":
                raise _Mismatch
            seen.add(node_id)
            stack.append((node["left_child"], attrs["nodes_truenodeids"][i]))
            node_id = attrs["nodes_falsenodeids"][i]
            if k < n_categories - 1:
                i = index[(tree_id, node_id)]
                mode = attrs["nodes_modes"][i].decode()
        stack.append((node["right_child"], node_id))


def _as_double(onx: Any, dump: dict[str, Any]) -> bool:
    """Rewrite ``onx``'s tree ensemble to double thresholds, leaves and input, in place.

    Returns False (``onx`` unchanged) when the trees cannot be matched.
    """
    from onnx import TensorProto, helper, numpy_helper

    nodes = [n for n in onx.graph.node if n.op_type in _ENSEMBLES]
    if len(nodes) != 1 or len(onx.graph.input) != 1:
        return False
    node = nodes[0]
    attrs = _attributes(node)
    prefix = "class" if node.op_type == "TreeEnsembleClassifier" else "target"
    if "nodes_values" not in attrs or f"{prefix}_weights" not in attrs:
        return False
    index = {
        (t, n): i
        for i, (t, n) in enumerate(zip(attrs["nodes_treeids"], attrs["nodes_nodeids"], strict=True))
    }
    values = np.asarray(attrs["nodes_values"], dtype=np.float64)
    leaves: dict[tuple[int, int], float] = {}
    try:
        for tree_id, tree in enumerate(dump["tree_info"]):
            _walk(tree, tree_id, attrs, index, values, leaves)
        pairs = zip(attrs[f"{prefix}_treeids"], attrs[f"{prefix}_nodeids"], strict=True)
        weights = np.array([leaves[pair] for pair in pairs], dtype=np.float64)
    except (_Mismatch, KeyError, ValueError):
        return False
    if not np.allclose(weights, attrs[f"{prefix}_weights"], rtol=1e-5, atol=1e-7):
        return False  # not the same leaves: keep the float graph
    kept = [a for a in node.attribute if a.name not in ("nodes_values", f"{prefix}_weights")]
    del node.attribute[:]
    node.attribute.extend(kept)
    node.attribute.extend(
        [
            helper.make_attribute("nodes_values_as_tensor", numpy_helper.from_array(values)),
            helper.make_attribute(f"{prefix}_weights_as_tensor", numpy_helper.from_array(weights)),
        ]
    )
    onx.graph.input[0].type.tensor_type.elem_type = TensorProto.DOUBLE
    return True


def lightgbm_onnx(model: Any, booster: Any, b: GraphBuilder, x: str, n_features: int) -> list[str]:
    """Inline ``model`` (an ``LGBMModel`` or a ``Booster``) reading ``x`` (of ``b.dtype``).

    ``booster`` is its ``lightgbm.Booster``. Returns the converted graph's outputs.
    """
    from onnxmltools import convert_lightgbm
    from onnxmltools.convert.common.data_types import FloatTensorType

    from ..exceptions import ExportError
    from ._boosters import _ONNXMLTOOLS_OPSET

    try:
        onx = convert_lightgbm(
            model,
            initial_types=[("X", FloatTensorType([None, n_features]))],
            target_opset=_ONNXMLTOOLS_OPSET,
            zipmap=False,
        )
    except Exception as exc:
        raise ExportError(f"onnxmltools could not convert the LightGBM model: {exc}") from None
    if b.dtype != np.float64 or not _as_double(onx, booster.dump_model()):
        x = b.cast(x, np.float32)  # a float graph, or trees not recognised: as converted
    return b.inline(onx, {"X": x}, "lightgbm")
