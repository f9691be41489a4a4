"""A fitted AutoML estimator as one ONNX graph: preprocessing, every member, the blend.

Inputs are the fit's columns, one tensor ``(N, 1)`` each, named as the column:
``tensor(string)`` for text (categorical and high-cardinality) columns, where the
empty string is a missing value, ``tensor(int64)`` for naive date columns
(nanoseconds since 1970-01-01, missing as numpy's ``NaT``) and ``tensor(double)``
for the others (numbers, booleans as 0/1, NaN for missing). Outputs: ``label`` (N,)
and ``probabilities`` (N, n_classes) in ``classes_`` order for a classifier,
``label`` applying the same decision threshold as ``predict``; ``variable`` (N, 1)
for a regressor.

The graph computes in double, as scikit-learn does, from the inputs to the blend;
each member reads the precision its own ``predict`` uses (the forests, XGBoost,
CatBoost and the net cast to float, as they do natively). ``numeric_dtype="float32"``
makes the numeric inputs, the computation and the outputs float, for runtimes that
want ``tensor(float)``; a tree that splits between two values closer than float32
resolution then sees them as one, so its output can differ from ``predict_proba``
far beyond rounding.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from ..bagging import is_bagged
from ..exceptions import ConfigError, ExportError
from ._bagged import bagged_output
from ._builder import GraphBuilder, aligned, elem_type
from ._dates import check_naive
from ._preprocess import MISSING_TEXT, preprocess, scale
from ._stack import stacked_output
from .converters import convert_model

#: Libraries whose version at export must be the one the model was saved with.
_CHECKED_LIBRARIES = ("automl-tabular", "scikit-learn", "xgboost", "torch")
_TEXT_KINDS = ("categorical", "high_cardinality")
_OUTPUT_NAMES = ("label", "probabilities", "variable")
_NUMERIC_DTYPES = ("float64", "float32")


def _numeric_dtype(value: Any) -> np.dtype[Any]:
    """The validated ``numeric_dtype`` of an export, as a numpy dtype."""
    if not isinstance(value, str) or value not in _NUMERIC_DTYPES:
        raise ConfigError(
            f"The 'numeric_dtype' parameter of export_onnx must be one of "
            f"{list(_NUMERIC_DTYPES)}; got {value!r}. Hint: keep the default 'float64' "
            "(tensor(double) inputs, the model's own precision) unless your runtime "
            "needs tensor(float)."
        )
    return np.dtype(value)


def _check_versions(estimator: Any) -> None:
    saved = getattr(estimator, "_automl_saved_versions", None)
    if not saved:
        return
    from ..persistence import library_versions

    current = library_versions()
    changed = [
        f"{k} {saved.get(k)} -> {current.get(k)}"
        for k in _CHECKED_LIBRARIES
        if saved.get(k) != current.get(k)
    ]
    if changed:
        raise ExportError(
            f"This model was saved with other library versions ({', '.join(changed)}); "
            "its fitted parts may not convert as they predict. Refit it with the "
            "installed versions, then export."
        )


def _writable_target(path: str | os.PathLike[str]) -> Path:
    target = Path(path)
    if target.is_dir():
        raise ExportError(f"The export path {str(target)!r} is a directory; pass a file name.")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(
            f"Cannot write {str(target)!r}: the folder {str(parent)!r} does not exist."
        )
    if not os.access(parent, os.W_OK):
        raise ExportError(f"Cannot write {str(target)!r}: the folder is not writable.")
    return target


def _member(b: GraphBuilder, pipe: Any, inputs: dict[str, str]) -> tuple[str, Any]:
    """The output of one fitted member pipeline, and its final estimator."""
    steps = [s for _, s in getattr(pipe, "steps", [("model", pipe)])]
    x: str | None = None
    for step in steps[:-1]:
        if hasattr(step, "fit_resample"):
            continue  # samplers act in fit only, as in imbalanced-learn's Pipeline
        if hasattr(step, "transformers_"):
            x = preprocess(b, step, inputs)
        elif x is not None:
            x = scale(b, step, x)
        else:
            raise ExportError(f"The pipeline step {type(step).__name__} has no ONNX converter.")
    model = steps[-1]
    if x is None:
        raise ExportError(f"The member {type(model).__name__} has no preprocessing step.")
    inner = getattr(model, "regressor_", model)  # TransformedTargetRegressor
    width = getattr(inner, "n_features_in_", None)
    if width is None:  # an adapter that does not say: what the preprocessing produces
        transformer = next(s for s in steps if hasattr(s, "output_indices_"))
        width = max(index.stop for index in transformer.output_indices_.values())
    out = b.cast(convert_model(inner, b, x, int(width)), b.dtype)
    if inner is not model:
        from ._target import inverse_target

        out = inverse_target(b, model.transformer_, out)
    return out, inner


def _label_values(classes: np.ndarray) -> tuple[np.ndarray, int]:
    """The class labels as an ONNX-typed array and its tensor element type."""
    from onnx import TensorProto

    if classes.dtype.kind in "iub":
        return classes.astype(np.int64), TensorProto.INT64
    if classes.dtype.kind == "f" and np.all(np.mod(classes, 1) == 0):
        return classes.astype(np.int64), TensorProto.INT64
    if classes.dtype.kind == "f":
        return classes.astype(np.float64), TensorProto.DOUBLE
    return np.array([str(c) for c in classes], dtype=object), TensorProto.STRING


def _labels(b: GraphBuilder, estimator: Any, proba: str) -> tuple[str, int]:
    classes = np.asarray(estimator.classes_)
    threshold = estimator.threshold_
    if len(classes) == 2 and threshold is not None:
        pos = int(estimator.pos_index_)
        p = b.op("Gather", [proba, b.const(np.int64(pos))], axis=1)
        hit = b.op("GreaterOrEqual", [p, b.real(threshold)])
        index = b.op("Where", [hit, b.const(np.int64(pos)), b.const(np.int64(1 - pos))])
    else:
        index = b.op("ArgMax", [proba], axis=1, keepdims=0)
    values, elem = _label_values(classes)
    return b.op("Gather", [b.const(values, "classes"), index], hint="label"), elem


def _inputs(schema: Any, numeric: int) -> tuple[list[Any], dict[str, str]]:
    from onnx import TensorProto, helper

    infos, names = [], {}
    taken = [c for c in schema.columns if c in _OUTPUT_NAMES or "::" in c]
    if taken:
        raise ExportError(
            f"Column(s) {taken} cannot be graph inputs: the names {list(_OUTPUT_NAMES)} are "
            "the graph's outputs and '::' marks its inner values. Hint: rename them before fit."
        )
    check_naive(schema, list(schema.datetime))
    for column in schema.columns:
        kind = schema.kind_of(column)
        text = kind in _TEXT_KINDS or (
            kind == "dropped" and schema.dtypes.get(column) in ("object", "str", "string")
        )
        elem = TensorProto.STRING if text else numeric
        if kind == "datetime":
            elem = TensorProto.INT64
        infos.append(helper.make_tensor_value_info(column, elem, [None, 1]))
        names[column] = column
    return infos, names


def to_onnx(estimator: Any, *, numeric_dtype: str = "float64") -> Any:
    """Build the ONNX model of a fitted AutoML classifier or regressor.

    Parameters
    ----------
    estimator : AutoMLClassifier or AutoMLRegressor
        Fitted.
    numeric_dtype : {"float64", "float32"}, default="float64"
        The element type of the numeric inputs (``tensor(double)`` or
        ``tensor(float)``), of the graph's computation and of its ``probabilities``
        / ``variable`` output. See the module docstring for the float32 caveat.

    Returns
    -------
    onnx.ModelProto

    Raises
    ------
    ExportError
        When a part of the model has no converter (named), or the model was saved
        with other library versions.
    ConfigError
        For a ``numeric_dtype`` other than "float64" or "float32".
    """
    dtype = _numeric_dtype(numeric_dtype)
    try:
        from onnx import helper
    except ImportError:
        raise ExportError(
            "ONNX export needs the packages onnx, skl2onnx and onnxmltools: "
            "pip install 'automl-tabular[onnx]'."
        ) from None
    _check_versions(estimator)
    final = estimator.final_model_
    regression = bool(getattr(final, "regression", False))
    members = getattr(final, "members", None)
    if members is None:
        raise ExportError(f"The final model {type(final).__name__} has no ONNX converter.")
    b = GraphBuilder(dtype)
    infos, inputs = _inputs(estimator.schema_, elem_type(dtype))
    stacked = hasattr(final, "level2")  # a StackedModel: members without weights
    pairs = [(m, 1.0) for m in members] if stacked else list(members)
    total = sum(w for _, w in pairs)
    outs = []
    for pipe, weight in pairs:
        if is_bagged(pipe):  # the mean of its fold pipelines
            out = bagged_output(b, pipe, inputs, _member, int(final.n_classes), regression)
        else:
            out, inner = _member(b, pipe, inputs)
            if not regression:
                out = aligned(b, out, inner.classes_, int(final.n_classes), b.dtype)
        outs.append(out if stacked else b.op("Mul", [out, b.real(weight / total, "weight")]))
    if stacked:
        blend = stacked_output(b, final, outs)
    else:
        blend = outs[0] if len(outs) == 1 else b.op("Sum", outs)
    if regression:
        b.nodes.append(helper.make_node("Identity", [blend], ["variable"], name="out_variable"))
        outputs = [helper.make_tensor_value_info("variable", b.elem, [None, 1])]
    else:
        label, elem = _labels(b, estimator, blend)
        b.nodes.append(helper.make_node("Identity", [label], ["label"], name="out_label"))
        b.nodes.append(helper.make_node("Identity", [blend], ["probabilities"], name="out_proba"))
        n = int(final.n_classes)
        outputs = [
            helper.make_tensor_value_info("label", elem, [None]),
            helper.make_tensor_value_info("probabilities", b.elem, [None, n]),
        ]
    return b.model(infos, outputs, f"automl_{type(estimator).__name__}")


def _date_formats(estimator: Any) -> dict[str, str | None]:
    """Each date column's parsing format, as the fitted date step learned it."""
    first = estimator.final_model_.members[0]
    pipe = first if hasattr(estimator.final_model_, "level2") else first[0]
    for _, step in getattr(pipe, "steps", []):
        for name, branch, columns in getattr(step, "transformers_", []):
            if name == "datetime":
                return dict(zip(columns, branch[0].date_formats_, strict=True))
    return {}


def _nanoseconds(column: str, values: Any, date_format: str | None) -> np.ndarray:
    """A date column as int64 nanoseconds since 1970 (``NaT``: the smallest int64)."""
    import pandas as pd

    from ..dates import parse_dates

    if pd.api.types.is_object_dtype(values.dtype):
        values = values.infer_objects()
    dates = parse_dates(values, date_format)
    if getattr(dates.dt, "tz", None) is not None:
        raise ExportError(
            f"Date column {column!r} holds time-zone aware dates; the exported graph "
            "takes naive ones. Hint: pass them as naive local times."
        )
    return dates.astype("datetime64[ns]").to_numpy().view(np.int64).reshape(-1, 1)


def onnx_inputs(estimator: Any, X: Any, *, numeric_dtype: str = "float64") -> dict[str, np.ndarray]:
    """The inputs of the exported graph for rows ``X``, as onnxruntime takes them.

    Parameters
    ----------
    estimator : AutoMLClassifier or AutoMLRegressor
        The fitted estimator that was exported.
    X : DataFrame or array-like
        Rows with the fit's columns; validated as ``predict`` validates them.
    numeric_dtype : {"float64", "float32"}, default="float64"
        As given to :func:`export_onnx`.

    Returns
    -------
    dict of str to ndarray
        One ``(N, 1)`` array per column: strings (``""`` for missing) for text
        columns, int64 nanoseconds since 1970-01-01 for date columns (``NaT`` as in
        numpy), ``numeric_dtype`` (NaN for missing) for the others.

    Examples
    --------
    >>> import onnxruntime as ort  # doctest: +SKIP
    >>> session = ort.InferenceSession(clf.export_onnx("model.onnx"))  # doctest: +SKIP
    >>> labels, proba = session.run(None, onnx_inputs(clf, X_test))  # doctest: +SKIP
    """
    from ..data import validate_predict_data

    dtype = _numeric_dtype(numeric_dtype)
    frame = validate_predict_data(X, estimator.schema_)
    text = {c for c in estimator.schema_.columns if estimator.schema_.kind_of(c) in _TEXT_KINDS}
    formats = _date_formats(estimator)
    feed = {}
    for column in frame.columns:
        values = frame[column]
        if column in formats:
            feed[column] = _nanoseconds(column, values, formats[column])
        elif column in text:
            strings = values.astype(object).astype(str).to_numpy(dtype=object)
            strings[values.isna().to_numpy()] = MISSING_TEXT
            feed[column] = strings.reshape(-1, 1)
        else:
            feed[column] = values.to_numpy(dtype=dtype, na_value=np.nan).reshape(-1, 1)
    return feed


def export_onnx(
    estimator: Any, path: str | os.PathLike[str], *, numeric_dtype: str = "float64"
) -> str:
    """Write the fitted estimator as one ONNX file; see :func:`to_onnx`.

    The file is written atomically (a temporary file, then a rename).

    Parameters
    ----------
    estimator : AutoMLClassifier or AutoMLRegressor
        Fitted.
    path : str or os.PathLike
        The ``.onnx`` file to write.
    numeric_dtype : {"float64", "float32"}, default="float64"
        See :func:`to_onnx`.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    ExportError
        See :func:`to_onnx`; also when ``path`` cannot be written.
    ConfigError
        For a ``numeric_dtype`` other than "float64" or "float32".
    """
    _numeric_dtype(numeric_dtype)
    target = _writable_target(path)
    model = to_onnx(estimator, numeric_dtype=numeric_dtype)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(model.SerializeToString())
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"Cannot write {str(target)!r}: {exc}.") from None
    return str(target)
