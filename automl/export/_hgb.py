"""scikit-learn's histogram gradient boosting as an ONNX tree ensemble, categorical splits too.

skl2onnx neither converts categorical splits nor (with the installed onnx) the
numeric ones, so the fitted trees are read here and written as one
``TreeEnsembleRegressor`` of raw scores, followed by the loss's link. A categorical
split ("is the category code in this set?") becomes a numeric split on an extra
column that the graph computes first: a lookup, from the code, of the side the
tree sends it to, with scikit-learn's rules for negative, unknown and missing codes.

scikit-learn compares float64 values with float64 thresholds, which are midpoints
between neighbouring training values: in float32 a value can land on the other
side. In a double graph (the default) the ensemble therefore reads doubles, with
double thresholds, leaf values and baseline (``*_as_tensor`` attributes of
ai.onnx.ml opset 3). In a float graph the thresholds are rounded to float like the
inputs: rounding both keeps every comparison but exact ties, where a double
threshold against a rounded input would not. The link runs in double.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ExportError
from ._builder import GraphBuilder

#: Category codes of a histogram model are below this bound (its bins are uint8).
_MAX_CODE = 256


def _in_bitset(bitset: np.ndarray, codes: np.ndarray) -> np.ndarray:
    return ((bitset[codes // 32] >> (codes % 32)) & 1).astype(bool)


def _goes_right_table(
    node: Any, left_set: np.ndarray, known: np.ndarray, categories: np.ndarray
) -> np.ndarray:
    """Per raw value ``-1 .. 255``: 1.0 where the categorical split sends it right.

    The model first maps raw values to positions in ``categories`` (its own ordinal
    encoder); a value it does not know, like a missing one, follows the missing side.
    """
    missing_right = not bool(node["missing_go_to_left"])
    values = np.arange(-1, _MAX_CODE)
    right = np.full(len(values), missing_right)
    lookup = {float(v): i for i, v in enumerate(categories) if not np.isnan(v)}
    for row, value in enumerate(values):
        code = lookup.get(float(value))
        if code is None:
            continue
        code_array = np.array([code])
        if _in_bitset(left_set, code_array)[0]:
            right[row] = False
        elif _in_bitset(known, code_array)[0]:
            right[row] = True
    return right


def _input_layout(estimator: Any) -> tuple[list[int], dict[int, np.ndarray]]:
    """For each feature the trees split on: its input column, and categories if any.

    With categorical features the model reorders its columns (categorical first)
    and ordinal-encodes them with an encoder of its own.
    """
    pre = getattr(estimator, "_preprocessor", None)
    if pre is None:
        return list(range(int(estimator.n_features_in_))), {}
    source: list[int] = []
    categories: dict[int, np.ndarray] = {}
    for _, transformer, columns in pre.transformers_:
        if transformer == "drop":
            continue
        columns = [int(c) for c in np.arange(estimator.n_features_in_)[columns]]
        if hasattr(transformer, "categories_"):
            for column, cats in zip(columns, transformer.categories_, strict=True):
                categories[len(source)] = np.asarray(cats, dtype=float)
                source.append(column)
        else:
            source.extend(columns)
    return source, categories


def _link(b: GraphBuilder, estimator: Any, raw: str) -> str:
    link = type(estimator._loss.link).__name__
    if link == "IdentityLink":
        return raw
    if link == "LogitLink":
        p = b.op("Sigmoid", [raw])
        return b.op("Concat", [b.op("Sub", [b.const([[1.0]], dtype=np.float64), p]), p], axis=1)
    if link == "MultinomialLogit":
        return b.op("Softmax", [raw], axis=1)
    raise ExportError(f"The loss link {link} of {type(estimator).__name__} has no ONNX converter.")


def convert_hist_gb(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """Raw scores of every tree, plus the baseline, through the loss's link.

    ``x`` is in the graph's precision (``b.dtype``); the output is double.
    """
    from onnx import numpy_helper

    known, f_idx_map = estimator._bin_mapper.make_known_categories_bitsets()
    source, categories = _input_layout(estimator)
    n_targets = len(estimator._predictors[0])
    attrs: dict[str, list[Any]] = {
        k: []
        for k in (
            "nodes_treeids nodes_nodeids nodes_featureids nodes_values nodes_modes "
            "nodes_truenodeids nodes_falsenodeids nodes_missing_value_tracks_true "
            "target_treeids target_nodeids target_ids target_weights"
        ).split()
    }
    extra: list[str] = []  # one "goes right" column per categorical split
    tree_id = 0
    for iteration in estimator._predictors:
        for target, predictor in enumerate(iteration):
            for node_id, node in enumerate(predictor.nodes):
                attrs["nodes_treeids"].append(tree_id)
                attrs["nodes_nodeids"].append(node_id)
                if node["is_leaf"]:
                    for key, value in (
                        ("featureids", 0),
                        ("values", 0.0),
                        ("modes", "LEAF"),
                        ("truenodeids", 0),
                        ("falsenodeids", 0),
                        ("missing_value_tracks_true", 0),
                    ):
                        attrs[f"nodes_{key}"].append(value)
                    attrs["target_treeids"].append(tree_id)
                    attrs["target_nodeids"].append(node_id)
                    attrs["target_ids"].append(target)
                    attrs["target_weights"].append(float(node["value"]))
                    continue
                feature = int(node["feature_idx"])
                threshold = float(node["num_threshold"])
                tracks_left = int(bool(node["missing_go_to_left"]))
                if node["is_categorical"]:
                    table = _goes_right_table(
                        node,
                        predictor.raw_left_cat_bitsets[node["bitset_idx"]],
                        known[f_idx_map[feature]],
                        categories[feature],
                    )
                    extra.append(_category_side(b, x, source[feature], table))
                    feature, threshold = n_features + len(extra) - 1, 0.5
                    tracks_left = 0  # the extra column has no missing values
                else:
                    feature = source[feature]
                attrs["nodes_featureids"].append(feature)
                attrs["nodes_values"].append(threshold)
                attrs["nodes_modes"].append("BRANCH_LEQ")
                attrs["nodes_truenodeids"].append(int(node["left"]))
                attrs["nodes_falsenodeids"].append(int(node["right"]))
                attrs["nodes_missing_value_tracks_true"].append(tracks_left)
            tree_id += 1
    features = b.op("Concat", [x, *extra], axis=1) if extra else x
    base = [float(v) for v in np.ravel(estimator._baseline_prediction)]
    if b.dtype == np.float64:
        values: dict[str, Any] = {
            f"{key}_as_tensor": numpy_helper.from_array(np.asarray(value, dtype=np.float64))
            for key, value in (
                ("nodes_values", attrs.pop("nodes_values")),
                ("target_weights", attrs.pop("target_weights")),
                ("base_values", base),
            )
        }
    else:  # float attributes: thresholds rounded as the float inputs are
        values = {"base_values": base}
    raw = b.op(
        "TreeEnsembleRegressor",
        [features],
        hint="raw",
        domain="ai.onnx.ml",
        n_targets=n_targets,
        aggregate_function="SUM",
        post_transform="NONE",
        **attrs,
        **values,
    )
    return _link(b, estimator, b.cast(raw, np.float64))


def _category_side(b: GraphBuilder, x: str, feature: int, table: np.ndarray) -> str:
    """``(N, 1)`` column of ``b.dtype``: 1.0 where a row's code goes right at this split."""
    column = b.op("Gather", [x, b.const(np.int64(feature))], axis=1)
    missing = b.op("IsNaN", [column])
    filled = b.op("Where", [missing, b.real(-1.0), column])
    low, high = b.real(-1.0), b.real(_MAX_CODE - 1)
    index = b.op("Cast", [b.op("Clip", [filled, low, high])], to=7)  # int64
    shifted = b.op("Add", [index, b.const(np.int64(1))])
    side = b.op("Gather", [b.real(table, "side"), shifted], axis=0)
    return b.op("Unsqueeze", [side, b.const(np.array([1], np.int64))])
