"""``automl export MODEL -o FILE.onnx``: the command-line face of :func:`export_onnx`."""

from __future__ import annotations

import argparse
from typing import Any


def add_export_parser(sub: Any) -> None:
    """Add the ``export`` subcommand to the ``automl`` parser's subparsers."""
    export = sub.add_parser("export", help="export a saved model as one ONNX file")
    export.add_argument("model", help="a model file saved by 'automl fit' or save()")
    export.add_argument(
        "-o", "--output", default="model.onnx", help="the ONNX file (default: %(default)s)"
    )
    export.add_argument(
        "--numeric-dtype",
        default="float64",
        choices=["float64", "float32"],
        help="type of the numeric inputs: float64 (tensor(double), matches predict) or "
        "float32 (tensor(float), for runtimes that want it; may differ near tree "
        "thresholds) (default: %(default)s)",
    )
    export.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Load the model file, export it, say where it went; errors reach the CLI's handler."""
    from ..persistence import load

    path = load(args.model).export_onnx(args.output, numeric_dtype=args.numeric_dtype)
    print(f"ONNX model written to {path}")
    return 0
