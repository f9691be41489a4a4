"""The PyTorch net of :mod:`automl.nets` as ONNX, through ``torch.onnx.export``.

The net's own input encoding (scaled, perhaps clipped, numeric columns, embedding indices of
category codes) and its output (softmax, or the target's scale and mean) are
written as a small torch module around the fitted one, so the exported sub-graph
takes the same float matrix as the other families.
"""

from __future__ import annotations

import copy
import os
import tempfile
import warnings
from typing import Any

import numpy as np

from ..exceptions import ExportError
from ..nets.encoding import CLIP_BEND, CLIP_INPUT
from ._builder import OPSETS, GraphBuilder


def _wrapper(estimator: Any) -> Any:
    import torch

    encoder = estimator.encoder_
    classifier = hasattr(estimator, "classes_")

    class NetWithEncoding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = copy.deepcopy(estimator.module_).cpu().float().eval()
            f32 = np.float32
            # plain tensors, not buffers: the trace turns them into constants
            self.num: torch.Tensor = torch.as_tensor(encoder.numeric_features_, dtype=torch.long)
            self.mean: torch.Tensor = torch.as_tensor(encoder.mean_.astype(f32))
            self.scale: torch.Tensor = torch.as_tensor(encoder.scale_.astype(f32))
            cats = list(encoder.categorical_features)
            self.cat: torch.Tensor = torch.as_tensor(cats, dtype=torch.long)
            self.cards: torch.Tensor = torch.as_tensor(encoder.cardinalities_, dtype=torch.long)
            self.has_cat = bool(cats)
            self.clip = encoder.scaling == "robust_clip"

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            x_num = (torch.index_select(x, 1, self.num) - self.mean) / self.scale
            if self.clip:  # TabularEncoder's smooth clip
                x_num = torch.clamp(x_num, -CLIP_INPUT, CLIP_INPUT)
                x_num = x_num / torch.sqrt(1.0 + (x_num / CLIP_BEND) ** 2)
            x_num = torch.where(torch.isnan(x_num), torch.zeros_like(x_num), x_num)
            x_cat = None
            if self.has_cat:
                codes = torch.index_select(x, 1, self.cat)
                bad = torch.isnan(codes) | (codes < 0)
                index = torch.where(bad, torch.full_like(codes, -1.0), codes).long() + 1
                x_cat = torch.where(index >= self.cards, torch.zeros_like(index), index)
            out = self.net(x_num, x_cat)
            if classifier:
                return torch.softmax(out, dim=1)
            return out[:, :1] * float(estimator.target_scale_) + float(estimator.target_mean_)

    return NetWithEncoding().eval()


def convert_net(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """Inline the fitted net (with its encoding and output layer) reading ``x``."""
    import onnx
    import torch

    folder = tempfile.TemporaryDirectory()
    path = os.path.join(folder.name, "net.onnx")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _wrapper(estimator),
                (torch.zeros(2, n_features),),
                path,
                dynamo=False,
                opset_version=OPSETS[""],
                input_names=["X"],
                output_names=["out"],
                dynamic_axes={"X": {0: "N"}, "out": {0: "N"}},
            )
        model = onnx.load(path)
    except Exception as exc:
        raise ExportError(f"torch.onnx.export could not export the net: {exc}") from None
    finally:
        folder.cleanup()
    return b.inline(model, {"X": x}, "net")[0]
