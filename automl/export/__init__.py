"""Export a fitted model: ONNX (``export_onnx``) and the converter table behind it.

The heavy libraries (onnx, skl2onnx, onnxmltools, torch) are imported only when a
model is exported; install them with ``pip install automl-tabular[onnx]``.
"""

from __future__ import annotations

from .converters import find_converter, register_converter, via_attribute
from .onnx import export_onnx, onnx_inputs, to_onnx

__all__ = [
    "export_onnx",
    "find_converter",
    "onnx_inputs",
    "register_converter",
    "to_onnx",
    "via_attribute",
]
