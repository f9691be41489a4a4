"""LightGBM (through onnxmltools) and CatBoost (through its own ONNX export) converters.

Both take the library's scikit-learn estimator itself; an adapter of the library
around one plugs in with ``register_converter(Adapter, via_attribute("booster_"))``.
LightGBM reads doubles (see :mod:`._lightgbm`), CatBoost floats, as each predicts.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

import numpy as np

from ..exceptions import ExportError
from ._builder import OPSETS, GraphBuilder

#: The highest main-domain opset onnxmltools' converters are asked for.
_ONNXMLTOOLS_OPSET = min(OPSETS[""], 15)


def _as_column(b: GraphBuilder, values: str) -> str:
    return b.op("Reshape", [values, b.const([-1, 1], dtype=np.int64)])


def convert_lightgbm_model(model: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """A fitted ``lightgbm.LGBMClassifier`` / ``LGBMRegressor`` reading ``x``."""
    from ._lightgbm import lightgbm_onnx

    outputs = lightgbm_onnx(model, model.booster_, b, x, n_features)
    return outputs[1] if hasattr(model, "classes_") else _as_column(b, outputs[0])


def convert_catboost_model(model: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """A fitted ``catboost.CatBoostClassifier`` / ``CatBoostRegressor`` reading ``x``.

    CatBoost writes the ONNX file itself; its probabilities leave through a
    ``ZipMap`` (a list of dicts), which is cut off here to keep the tensor.
    """
    import onnx
    from onnx import helper

    folder = tempfile.TemporaryDirectory()
    try:
        path = os.path.join(folder.name, "catboost.onnx")
        model.save_model(path, format="onnx")
        onx = onnx.load(path)
    except Exception as exc:
        raise ExportError(f"CatBoost could not export its model to ONNX: {exc}") from None
    finally:
        folder.cleanup()
    graph = onx.graph
    zipmaps = [n for n in graph.node if n.op_type == "ZipMap"]
    if zipmaps:
        proba = zipmaps[0].input[0]
        graph.node.remove(zipmaps[0])
        del graph.output[:]
        graph.output.append(helper.make_tensor_value_info(proba, onnx.TensorProto.FLOAT, None))
    out = b.inline(onx, {graph.input[0].name: x}, "catboost")[-1]
    return out if zipmaps else _as_column(b, out)
