"""Validation of the input data and the schema inferred from it at fit.

Accepted X: a pandas DataFrame (object, ``str``/``string``, category, bool, nullable
``Int64``/``Float64``/``boolean`` and ``datetime64`` dtypes, tz-aware included), a
2-D numpy array (numeric or object) or a list of rows. Columns of a numpy array or a
list are named ``"x0", "x1", ...``. Sparse matrices are refused with a
:class:`~automl.exceptions.DataError`: the pipeline works on DataFrames, and
densifying silently could exhaust memory; call ``X.toarray()`` if it fits.

Handled without error:

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

from .exceptions import DataError
from .schema import _FROM_DATAFRAME, _STRING_DTYPE_NAMES, Schema, infer_schema

__all__ = [
    "Schema",  # re-exported: the schema is inferred from validated data
    "encode_target",
    "encode_with_classes",
    "infer_schema",
    "minority_class",
    "validate_fit_data",
    "validate_predict_data",
]


def _preview(values: Any, n: int = 5) -> str:
    values = list(values)
    more = f", ... ({len(values)} in all)" if len(values) > n else ""
    return ", ".join(repr(v) for v in values[:n]) + more


def _to_frame(X: Any) -> tuple[pd.DataFrame, bool]:
    """Return (a copy of X as a DataFrame with str column names, X was a DataFrame)."""
    if X is None:
        raise DataError("X is None. Pass a DataFrame or a 2-D array of features.")
    if sparse.issparse(X):
        raise DataError(
            f"X is a sparse matrix ({type(X).__name__}), which is not supported. "
            "Hint: densify it with X.toarray() or pass a DataFrame."
        )
    if isinstance(X, pd.Series):
        raise DataError(
            f"X must be 2-D (rows x columns); got a pandas Series of length {len(X)}. "
            "Hint: use X.to_frame() for a single feature."
        )
    from_dataframe = isinstance(X, pd.DataFrame)
    if from_dataframe:
        frame = X.copy()
    else:
        try:
            array = np.asarray(X, dtype=None if isinstance(X, np.ndarray) else object)
        except (ValueError, TypeError) as exc:
            raise DataError(
                f"X cannot be read as a 2-D array ({exc}). Hint: every row must have "
                "the same number of values."
            ) from None
        if array.ndim == 1 and any(isinstance(r, (list, tuple, np.ndarray)) for r in array):
            raise DataError(
                f"X cannot be read as a 2-D array: its rows have different lengths "
                f"({sorted({len(r) for r in array if hasattr(r, '__len__')})}). "
                "Hint: every row must have the same number of values."
            )
        if array.ndim != 2:
            hint = " Hint: use X.reshape(-1, 1) for a single feature." if array.ndim == 1 else ""
            raise DataError(
                f"X must be 2-D (rows x columns); got a {array.ndim}-D input of shape "
                f"{array.shape}.{hint}"
            )
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise DataError(f"X is empty: shape {frame.shape}. At least 1 row and 1 column are needed.")
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise DataError(
            f"X has duplicated column names: {_preview(duplicated)}. Hint: rename them."
        )
    names = [str(c) for c in frame.columns]
    collide = sorted({n for n in names if names.count(n) > 1})
    if collide:
        originals = [c for c in frame.columns if str(c) in collide]
        raise DataError(
            f"Columns {_preview(originals)} have the same name once converted to "
            f"str ({_preview(collide)}). Hint: give them distinct string names."
        )
    frame.columns = names
    return frame, from_dataframe


def _normalise_column(name: str, column: pd.Series) -> pd.Series:
    """Give an object column its natural dtype, or make it uniformly strings."""
    dtype = column.dtype
    inferred = ptypes.infer_dtype(column, skipna=True) if ptypes.is_object_dtype(dtype) else ""
    if dtype.kind == "c" or inferred == "complex":
        raise DataError(
            f"Column {name!r} holds complex numbers, which are not supported. "
            "Hint: split them into real and imaginary parts."
        )
    if dtype.kind == "m" or isinstance(dtype, (pd.PeriodDtype, pd.IntervalDtype, pd.SparseDtype)):
        raise DataError(
            f"Column {name!r} has dtype {dtype}, which is not supported. Hint: convert "
            "it to numbers (e.g. .dt.total_seconds() for durations), strings or datetime64."
        )
    if inferred in ("", "string", "boolean", "empty", "datetime", "datetime64", "date"):
        return column.infer_objects() if inferred else column
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        numbers = pd.to_numeric(column)
        return numbers.astype(float) if ptypes.is_object_dtype(numbers.dtype) else numbers
    present = column.dropna()
    odd = [v for v in present if isinstance(v, (list, tuple, dict, set, np.ndarray))]
    if odd or inferred in ("timedelta", "period", "interval"):
        example = odd[0] if odd else present.iloc[0]
        raise DataError(
            f"Column {name!r} holds values of type {type(example).__name__} "
            f"(e.g. {example!r}); only numbers, strings, booleans and dates are "
            "supported. Hint: flatten or convert that column."
        )
    return column.where(column.isna(), column.astype(str)).astype(object)


def _check_finite(frame: pd.DataFrame, columns: list[str]) -> None:
    bad = []
    for name in columns:
        column = frame[name]
        if ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype):
            values = column.to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(values).any():
                bad.append(name)
    if bad:
        raise DataError(
            f"X holds infinite values in columns {_preview(bad)}. Hint: replace them, "
            "e.g. X.replace([np.inf, -np.inf], np.nan), and missing values are imputed."
        )


def _as_labels(y: Any) -> np.ndarray:
    """Return y as a 1-D numpy array of labels, or raise DataError."""
    if y is None:
        raise DataError("y is None. Pass the target labels, one per row of X.")
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
    frame, from_dataframe = _to_frame(X)
    frame.attrs[_FROM_DATAFRAME] = from_dataframe
    for name in frame.columns:
        frame[name] = _normalise_column(name, frame[name])
    _check_finite(frame, list(frame.columns))
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
            "rows): this is a classifier. Hint: bin the target into classes, or use a "
            "regression tool."
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
        parts = [f"missing columns {_preview(missing)}"] if missing else []
        parts += [f"extra columns {_preview(extra)}"] if extra else []
        raise DataError(
            f"X does not have the columns seen in fit: {'; '.join(parts)}. Hint: pass "
            "exactly the fit columns (their order does not matter, X is reordered "
            "by name), or a numpy array with the columns in fit order."
        )
    if not from_dataframe:
        if frame.shape[1] != len(expected):
            raise DataError(
                f"X has {frame.shape[1]} columns but {len(expected)} were seen in fit "
                f"(expected {_preview(expected)})."
            )
        frame.columns = expected
    return frame[expected]


def _coerce_numeric(name: str, column: pd.Series) -> pd.Series:
    if ptypes.is_bool_dtype(column.dtype):
        return column.astype(float)
    if ptypes.is_numeric_dtype(column.dtype):
        return column
    values = pd.to_numeric(column.astype(object), errors="coerce")
    bad = column[column.notna() & values.isna()]
    if len(bad):
        raise DataError(
            f"Column {name!r} was numeric at fit but now holds {len(bad)} non-numeric "
            f"values, e.g. {_preview(bad.unique(), 3)}. Hint: clean that column or "
            "use NaN for missing values."
        )
    return values


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
    frame, from_dataframe = _to_frame(X)
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
        column = _normalise_column(name, frame[name])
        if name in numeric:
            column = _coerce_numeric(name, column)
        elif name in strings and ptypes.is_numeric_dtype(column.dtype):
            column = column.astype(object).where(column.isna(), column.astype(str))
        frame[name] = column
    _check_finite(frame, [c for c in frame.columns if c in numeric])
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
            f"y holds labels not seen in fit: {_preview(unseen)}. Classes seen in fit: "
            f"{_preview(classes.tolist(), 10)}."
        )
    return np.fromiter((index[v] for v in labels.tolist()), dtype=np.int64, count=len(labels))
