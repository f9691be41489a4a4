"""Validation of the input data and the schema inferred from it at fit.

Accepted X: a pandas DataFrame of any dtype a user meets (object, ``str``/``string``
of either storage, category, bool, nullable ``Int8``...``UInt64``/``Float32``/
``Float64``/``boolean`` with ``pd.NA``, ``datetime64`` tz-aware included, and
Arrow-backed columns such as ``int64[pyarrow]``, ``timestamp[us, tz=UTC][pyarrow]``
or ``date32[day][pyarrow]``), a polars DataFrame (converted with ``to_pandas``;
polars is not a dependency), a 2-D numpy array (numeric or object) or a list of
rows. Columns of a numpy array or a list are named ``"x0", "x1", ...``; other
column names are turned into strings. Sparse matrices are refused with a
:class:`~automl.exceptions.DataError`: the pipeline works on DataFrames, and
densifying silently could exhaust memory; call ``X.toarray()`` if it fits.

Handled without error:

- every column is converted once, here, to a plain numpy-backed dtype with ``NaN``
  for missing values (see :mod:`automl.dtypes`); the schema keeps each column's
  original dtype (:attr:`Schema.source_dtypes`);
- object columns are given their natural dtype (numbers, booleans, dates); an
  object column mixing strings with numbers or booleans is turned into strings;
- all-missing and constant columns are listed in :attr:`Schema.dropped` with a note
  (a column with a single value *and* missing values is kept: the missingness is
  information);
- at predict, columns in another order are reordered, unseen categories are passed
  on (the downstream encoder handles them), and a numpy array is accepted for a
  model fitted on a DataFrame when the number of columns matches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from scipy import sparse

from .dtypes import (
    as_frame,
    check_finite,
    coerce_numeric,
    from_polars,
    normalise_column,
    plain_dtype,
    preview,
)
from .exceptions import DataError
from .schema import _FROM_DATAFRAME, _SOURCE_DTYPES, _STRING_DTYPE_NAMES, Schema, infer_schema

__all__ = [
    "Schema",  # re-exported: the schema is inferred from validated data
    "encode_target",
    "encode_with_classes",
    "infer_schema",
    "minority_class",
    "validate_fit_data",
    "validate_predict_data",
]


def _as_labels(y: Any) -> np.ndarray:
    """Return y as a 1-D numpy array of labels, or raise DataError."""
    if y is None:
        raise DataError("y is None. Pass the target labels, one per row of X.")
    y = from_polars(y)
    if sparse.issparse(y):
        raise DataError("y is a sparse matrix, which is not supported. Pass a 1-D array.")
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(
                f"y must be 1-D (one label per row); got a DataFrame with {y.shape[1]} "
                "columns. Multi-output classification is not supported."
            )
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        if isinstance(y.dtype, pd.api.extensions.ExtensionDtype) and not y.isna().any():
            y = plain_dtype("y", y)  # nullable, string and Arrow labels as numpy values
        labels = y.to_numpy()
        if labels.dtype == object and not pd.isna(labels).any():
            labels = pd.Series(labels, dtype=object).infer_objects().to_numpy()
        return np.array(labels, copy=True)
    try:
        labels = np.array(y, copy=True)
    except (ValueError, TypeError):
        raise DataError(
            f"y cannot be read as a 1-D array of labels (got {type(y).__name__} with "
            "nested values of different lengths). Hint: pass one label per row of X."
        ) from None
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels.ravel()
    if labels.ndim != 1:
        hint = "multi-output classification is not supported" if labels.ndim == 2 else ""
        raise DataError(
            f"y must be 1-D (one label per row); got shape {labels.shape}. "
            f"Hint: {hint or 'pass one label per row of X'}; a 2-D y with a single "
            "column is accepted and raveled."
        )
    if labels.dtype.kind == "c":
        raise DataError("y holds complex numbers, which cannot be class labels.")
    return labels


def validate_features(X: Any) -> pd.DataFrame:
    """Check X for fit; the target is checked by the caller (labels or numbers).

    Parameters
    ----------
    X : DataFrame, 2-D array or list of rows
        Features. Never modified.

    Returns
    -------
    DataFrame
        A copy with str column names (``"x0", ...`` for arrays) and columns given
        their natural dtype.

    Raises
    ------
    DataError
        See :func:`validate_fit_data`.
    """
    frame, from_dataframe = as_frame(X)
    frame.attrs[_FROM_DATAFRAME] = from_dataframe
    frame.attrs[_SOURCE_DTYPES] = {str(c): str(d) for c, d in frame.dtypes.items()}
    for name in frame.columns:
        frame[name] = normalise_column(name, frame[name])
    check_finite(frame, list(frame.columns))
    return frame


def validate_fit_data(X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
    """Check X and y for fit.

    Parameters
    ----------
    X : DataFrame, 2-D array or list of rows
        Features. Never modified.
    y : array-like of shape (n_samples,)
        Class labels of any type (int, str, bool, category); a 2-D y with one
        column is raveled.

    Returns
    -------
    X : DataFrame
        A copy with str column names (``"x0", ...`` for arrays) and object columns
        given their natural dtype.
    y : ndarray of shape (n_samples,)
        The original labels.

    Raises
    ------
    DataError
        Empty, sparse or non 2-D X; duplicated (or colliding once converted to str)
        column names; complex or infinite values; unsupported dtypes; y not 1-D,
        of another length than X, with missing labels, or with a single class.
    """
    frame = validate_features(X)
    labels = _as_labels(y)
    if len(labels) != len(frame):
        raise DataError(
            f"X has {len(frame)} rows but y has {len(labels)} labels; they must have "
            "the same length."
        )
    missing = np.flatnonzero(pd.isna(labels))
    if len(missing):
        raise DataError(
            f"y has {len(missing)} missing labels (NaN/None), first at positions "
            f"{missing[:5].tolist()}. Hint: drop those rows of X and y."
        )
    _, classes = encode_target(labels)
    if len(classes) < 2:
        raise DataError(
            f"y has a single class ({_label_text(classes[0])} for all {len(labels)} rows); "
            "classification needs at least 2 classes."
        )
    if (
        labels.dtype.kind == "f"
        and len(classes) > max(20, len(labels) // 2)
        and not np.all(np.mod(classes, 1) == 0)
    ):
        raise DataError(
            f"y looks continuous ({len(classes)} distinct non-integer values in {len(labels)} "
            "rows): this is a classifier. Hint: use AutoMLRegressor for a numeric target, "
            "or bin the target into classes."
        )
    return frame, labels


def _label_text(label: Any) -> str:
    """A label as the user wrote it (``0.0``, not ``np.float64(0.0)``)."""
    return repr(label.item() if isinstance(label, np.generic) else label)


def _align_columns(frame: pd.DataFrame, from_dataframe: bool, schema: Schema) -> pd.DataFrame:
    """Return frame with exactly the fit columns, in fit order."""
    expected = list(schema.columns)
    if from_dataframe and set(frame.columns) != set(expected):
        if not schema.from_dataframe and frame.shape[1] == len(expected):
            frame.columns = expected  # fitted on an array: columns are positional
            return frame
        missing = [c for c in expected if c not in frame.columns]
        extra = [c for c in frame.columns if c not in expected]
        parts = [f"missing columns {preview(missing)}"] if missing else []
        parts += [f"extra columns {preview(extra)}"] if extra else []
        raise DataError(
            f"X does not have the columns seen in fit: {'; '.join(parts)}. Hint: pass "
            "exactly the fit columns (their order does not matter, X is reordered "
            "by name), or a numpy array with the columns in fit order."
        )
    if not from_dataframe:
        if frame.shape[1] != len(expected):
            raise DataError(
                f"X has {frame.shape[1]} columns but {len(expected)} were seen in fit "
                f"(expected {preview(expected)})."
            )
        frame.columns = expected
    return frame[expected]


def validate_predict_data(X: Any, schema: Schema) -> pd.DataFrame:
    """Check X at predict time against the fit schema.

    Columns given in another order are reordered by name. A numpy array (or list)
    is matched by position and accepted whenever its number of columns matches,
    even for a model fitted on a DataFrame. Unseen categories are passed on.
    Columns that were numeric at fit are converted to numbers (strings such as
    ``"3.5"`` included); columns that were strings at fit and now arrive as
    numbers are turned into strings.

    Parameters
    ----------
    X : DataFrame, 2-D array or list of rows
        Never modified.
    schema : Schema
        From :func:`infer_schema` at fit.

    Returns
    -------
    DataFrame
        A copy with the fit columns in fit order.

    Raises
    ------
    DataError
        Missing or extra columns (named), a wrong number of columns for an array,
        non-numeric strings in a numeric column, infinite or complex values.
    """
    frame, from_dataframe = as_frame(X)
    frame = _align_columns(frame, from_dataframe, schema)
    numeric = set(schema.numeric)
    strings = {
        c
        for c in (*schema.categorical, *schema.high_cardinality)
        if schema.dtypes.get(c) in _STRING_DTYPE_NAMES
    }
    for name in frame.columns:
        if name in schema.dropped:
            continue
        column = normalise_column(name, frame[name])
        if name in numeric:
            column = coerce_numeric(name, column)
        elif name in strings and ptypes.is_numeric_dtype(column.dtype):
            column = column.astype(object).where(column.isna(), column.astype(str))
        frame[name] = column
    check_finite(frame, [c for c in frame.columns if c in numeric])
    return frame


def encode_target(y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Encode labels as ``0..k-1``.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels, e.g. from :func:`validate_fit_data`.

    Returns
    -------
    y_encoded : ndarray of int64
        Position of each label in ``classes``.
    classes : ndarray
        Sorted distinct labels, as ``np.unique`` returns them.

    Examples
    --------
    >>> encode_target(np.array(["b", "a", "b"]))
    (array([1, 0, 1]), array(['a', 'b'], dtype='<U1'))
    """
    try:
        classes, y_encoded = np.unique(np.asarray(y), return_inverse=True)
    except TypeError:
        types = sorted({type(v).__name__ for v in np.asarray(y, dtype=object)})
        raise DataError(
            f"y mixes label types ({', '.join(types)}) that cannot be sorted. "
            "Hint: convert the labels to one type, e.g. y.astype(str)."
        ) from None
    return y_encoded.reshape(-1).astype(np.int64), classes


def minority_class(y_encoded: Any) -> int:
    """Encoded label of the rarest class present in ``y_encoded`` (ties: the larger).

    Examples
    --------
    >>> minority_class([0, 0, 1, 2])
    2
    """
    labels, counts = np.unique(np.asarray(y_encoded), return_counts=True)
    return int(labels[counts == counts.min()].max())


def encode_with_classes(y: Any, classes: np.ndarray) -> np.ndarray:
    """Encode labels with the classes learned at fit, e.g. to score held-out data.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels; checked like in :func:`validate_fit_data` (1-D, none missing).
    classes : ndarray
        ``classes_`` from :func:`encode_target` at fit.

    Returns
    -------
    ndarray of int64
        Position of each label in ``classes``.

    Raises
    ------
    DataError
        If y is not 1-D, has missing labels, or holds labels not seen in fit.

    Examples
    --------
    >>> encode_with_classes(["b", "a"], np.array(["a", "b"])).tolist()
    [1, 0]
    """
    labels = _as_labels(y)
    missing = np.flatnonzero(pd.isna(labels))
    if len(missing):
        raise DataError(
            f"y has {len(missing)} missing labels (NaN/None), first at positions "
            f"{missing[:5].tolist()}."
        )
    index = {label: code for code, label in enumerate(classes.tolist())}
    unseen = list(dict.fromkeys(v for v in labels.tolist() if v not in index))
    if unseen:
        raise DataError(
            f"y holds labels not seen in fit: {preview(unseen)}. Classes seen in fit: "
            f"{preview(classes.tolist(), 10)}."
        )
    return np.fromiter((index[v] for v in labels.tolist()), dtype=np.int64, count=len(labels))
