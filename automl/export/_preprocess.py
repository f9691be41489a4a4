"""ONNX nodes for the preprocessing steps of a member pipeline.

The column transformer of :mod:`automl.steps.preprocess` and the scalers of
:mod:`automl.steps.scale` are rebuilt from their fitted attributes. String columns
are turned into tables: the fitted branch (string conversion, imputation, one-hot,
ordinal or target encoding) is asked for the output of every category it knows, of
a missing value and of an unseen one, and the graph looks each value up, so any
encoder that works one column at a time exports exactly as it transforms. Every
value is in the graph's precision (``GraphBuilder.dtype``: double by default, as
scikit-learn computes).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer

from ..exceptions import ExportError
from ._builder import GraphBuilder

#: A value no user column holds: its encoding is that of an unseen category.
_UNSEEN = "\x00automl-unseen\x00"
#: The string a caller passes for a missing value of a text column.
MISSING_TEXT = ""


def _encoder_widths(encoder: Any, n_columns: int) -> list[int]:
    """Output columns of each input column of a fitted one-column-at-a-time encoder."""
    name = type(encoder).__name__
    if name == "OneHotEncoder":
        if encoder.drop is not None:
            raise ExportError("A OneHotEncoder with 'drop' cannot be exported.")
        infrequent = getattr(encoder, "infrequent_categories_", [None] * n_columns)
        return [
            len(cats) - (0 if rare is None else len(rare) - 1)
            for cats, rare in zip(encoder.categories_, infrequent, strict=True)
        ]
    if name == "OrdinalEncoder":
        return [1] * n_columns
    if name == "TargetEncoder":
        width = len(encoder.classes_) if encoder.target_type_ == "multiclass" else 1
        return [width] * n_columns
    raise ExportError(f"The text-column encoder {name} has no ONNX converter.")


def _string_branch(
    b: GraphBuilder, pipe: Any, columns: list[str], inputs: dict[str, str]
) -> list[str]:
    """Lookup tables of a fitted branch over text columns; one block per column."""
    encoder = pipe[-1] if hasattr(pipe, "steps") else pipe
    known = [[c for c in cats if isinstance(c, str)] for cats in encoder.categories_]
    widths = _encoder_widths(encoder, len(columns))
    n_rows = max(len(k) for k in known) + 2
    probe = {}
    for column, cats in zip(columns, known, strict=True):
        values: list[Any] = [*cats, np.nan, _UNSEEN]
        probe[column] = values + [_UNSEEN] * (n_rows - len(values))
    table = np.asarray(pipe.transform(pd.DataFrame(probe, dtype=object)), dtype=b.dtype)
    if table.shape[1] != sum(widths):
        raise ExportError(
            f"The encoder of columns {columns} produced {table.shape[1]} columns, "
            f"not the {sum(widths)} its categories imply; it cannot be exported."
        )
    blocks, offset = [], 0
    for column, cats, width in zip(columns, known, widths, strict=True):
        rows = table[: len(cats) + 2, offset : offset + width]
        offset += width
        keys, values = list(cats), list(range(len(cats)))
        if MISSING_TEXT not in cats:  # "" means missing unless it is a real category
            keys.append(MISSING_TEXT)
            values.append(len(cats))
        index = b.op(
            "LabelEncoder",
            [inputs[column]],
            hint="code",
            domain="ai.onnx.ml",
            keys_strings=keys,
            values_int64s=values,
            default_int64=len(cats) + 1,
        )
        flat = b.op("Reshape", [index, b.const([-1], dtype=np.int64)])
        blocks.append(b.op("Gather", [b.const(rows, f"table_{column}"), flat], axis=0))
    return blocks


def _numeric_branch(
    b: GraphBuilder, pipe: Any, columns: list[str], inputs: dict[str, str]
) -> list[str]:
    """Numeric columns with their imputation and missing indicators."""
    steps = [s for _, s in pipe.steps] if hasattr(pipe, "steps") else [pipe]
    x = (
        b.op("Concat", [inputs[c] for c in columns], axis=1)
        if len(columns) > 1
        else inputs[columns[0]]
    )
    return [_impute(b, steps, x, columns)]


def _date_branch(
    b: GraphBuilder, pipe: Any, columns: list[str], inputs: dict[str, str]
) -> list[str]:
    """Calendar features of int64 date inputs, then their imputation."""
    from ._dates import date_features

    steps = [s for _, s in pipe.steps]
    return [_impute(b, steps[1:], date_features(b, steps[0], columns, inputs), columns)]


def _impute(b: GraphBuilder, steps: list[Any], x: str, columns: list[str]) -> str:
    """A numeric matrix through a branch's float conversion and ``SimpleImputer``."""
    for step in steps:
        name = type(step).__name__
        if name == "FunctionTransformer":
            continue  # the float conversion: inputs already are numbers
        if not isinstance(step, SimpleImputer):  # NumericImputer is one too
            raise ExportError(f"The numeric step {name} has no ONNX converter.")
        stats = np.asarray(step.statistics_, dtype=b.dtype)
        if np.isnan(stats).any():
            raise ExportError(f"The imputer of columns {columns} has missing statistics.")
        missing = b.op("IsNaN", [x])
        imputed = b.op("Where", [missing, b.const(stats.reshape(1, -1), "fill"), x])
        indicator = getattr(step, "indicator_", None)
        if step.add_indicator and indicator is not None and len(indicator.features_):
            picked = b.op(
                "Gather", [missing, b.const(np.asarray(indicator.features_, np.int64))], axis=1
            )
            flags = b.op("Cast", [picked], to=b.elem)
            imputed = b.op("Concat", [imputed, flags], axis=1)
        x = imputed
    return x


def preprocess(b: GraphBuilder, transformer: Any, inputs: dict[str, str]) -> str:
    """The matrix a fitted ``ColumnTransformer`` of the library produces, in ``b.dtype``.

    Raises
    ------
    ExportError
        For any step without a converter, naming it.
    """
    blocks: list[str] = []
    for name, pipe, columns in transformer.transformers_:
        columns = list(columns)
        if pipe == "drop" or (pipe == "passthrough" and not columns):
            continue
        if name in ("categorical", "high_cardinality"):
            blocks += _string_branch(b, pipe, columns, inputs)
        elif name == "numeric":
            blocks += _numeric_branch(b, pipe, columns, inputs)
        elif name == "datetime":
            blocks += _date_branch(b, pipe, columns, inputs)
        else:
            raise ExportError(f"The preprocessing branch {name!r} has no ONNX converter.")
    if not blocks:
        raise ExportError("The pipeline uses no input column; there is nothing to export.")
    return blocks[0] if len(blocks) == 1 else b.op("Concat", blocks, hint="features", axis=1)


def scale(b: GraphBuilder, scaler: Any, x: str) -> str:
    """A fitted scaler of :mod:`automl.steps.scale` applied to ``x``."""
    name = type(scaler).__name__
    f32 = b.dtype  # the graph's precision
    if name == "StandardScaler":
        mean = scaler.mean_ if scaler.with_mean else np.zeros(scaler.n_features_in_)
        std = scaler.scale_ if scaler.with_std else np.ones(scaler.n_features_in_)
        centred = b.op("Sub", [x, b.const(np.asarray(mean, f32), "mean")])
        return b.op("Div", [centred, b.const(np.asarray(std, f32), "scale")])
    if name == "RobustScaler":
        if scaler.center_ is not None:
            x = b.op("Sub", [x, b.const(np.asarray(scaler.center_, f32), "center")])
        if scaler.scale_ is not None:
            x = b.op("Div", [x, b.const(np.asarray(scaler.scale_, f32), "scale")])
        return x
    if name == "MinMaxScaler":
        if scaler.clip:
            raise ExportError("A MinMaxScaler with clip=True cannot be exported.")
        scaled = b.op("Mul", [x, b.const(np.asarray(scaler.scale_, f32), "scale")])
        return b.op("Add", [scaled, b.const(np.asarray(scaler.min_, f32), "min")])
    if name == "QuantileTransformer":
        from ._quantile import quantile_forward

        return quantile_forward(b, scaler, x)
    raise ExportError(f"The scaler {name} has no ONNX converter.")
