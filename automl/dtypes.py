"""Column conversion at validation: every pandas dtype a user meets, made plain once.

The pipeline's steps (imputers, encoders, date features) work on numpy-backed
columns with ``NaN`` for missing values. Users hand in much more: nullable
``Int8``...``UInt64``/``Float32``/``Float64``/``boolean`` columns holding
``pd.NA``, ``string`` columns (python or pyarrow storage, or pandas 3's default
``str``), categoricals with unused levels, Arrow-backed frames
(``dtype_backend="pyarrow"``: ``int64[pyarrow]``, ``timestamp[us, tz=UTC][pyarrow]``,
``date32[day][pyarrow]``, dictionary columns, ...), time-zone-aware datetimes and
polars DataFrames. :func:`normalise_column` turns each column into what the plain
numpy/pandas equivalent of the data would be:

=============================================  ==========================================
given                                          becomes
=============================================  ==========================================
nullable or Arrow integers                     ``int64`` (``float64`` when values are missing)
nullable or Arrow floats, decimals             ``float64`` (``float32`` stays)
``boolean``, ``bool[pyarrow]``                 ``bool`` (object ``True``/``False``/``NaN`` when
                                               values are missing)
``string`` (any storage), Arrow strings        the plain string dtype of this pandas
                                               (``str`` in pandas 3, ``object`` before)
``category``                                   ``category`` without its unused levels
Arrow timestamps, ``date32``/``date64``        ``datetime64`` (time zone kept)
Arrow dictionary columns                       their values, then as an object column
object columns                                 their natural dtype (numbers, booleans,
                                               dates) or strings; ``None``/``pd.NA`` → ``NaN``
=============================================  ==========================================

Durations, periods, intervals, sparse columns, complex numbers and nested values
(lists, dicts) are refused with a :class:`~automl.exceptions.DataError` that names
the column.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from scipy import sparse

from .exceptions import DataError

__all__ = [
    "as_frame",
    "check_finite",
    "coerce_numeric",
    "from_polars",
    "normalise_column",
    "plain_dtype",
    "preview",
]


def preview(values: Any, n: int = 5) -> str:
    """The first ``n`` values, repr'd and comma-separated, with the count if more.

    Examples
    --------
    >>> preview(["a", "b", "c"], 2)
    "'a', 'b', ... (3 in all)"
    """
    values = list(values)
    more = f", ... ({len(values)} in all)" if len(values) > n else ""
    return ", ".join(repr(v) for v in values[:n]) + more


def from_polars(X: Any) -> Any:
    """A polars DataFrame (or LazyFrame) as a pandas one; anything else unchanged.

    polars is never imported here: the object is recognised by its module, so
    polars stays an optional dependency.

    Raises
    ------
    DataError
        If the conversion fails (polars needs pyarrow for ``to_pandas``).
    """
    if not type(X).__module__.startswith("polars"):
        return X
    if hasattr(X, "collect") and not hasattr(X, "to_pandas"):
        X = X.collect()  # a LazyFrame
    if not hasattr(X, "to_pandas"):
        return X
    try:
        return X.to_pandas()
    except Exception as exc:  # ImportError for pyarrow, or a polars type pandas lacks
        raise DataError(
            f"The polars {type(X).__name__} could not be converted to pandas "
            f"({type(exc).__name__}: {exc}). Hint: install pyarrow, or pass "
            "X.to_pandas() yourself."
        ) from None


def copy_on_write() -> bool:
    """Whether pandas copies on write (always from pandas 3, an option before)."""
    if int(pd.__version__.split(".")[0]) >= 3:
        return True
    return pd.options.mode.copy_on_write is True


def as_frame(X: Any) -> tuple[pd.DataFrame, bool]:
    """A copy of X as a DataFrame with str column names, and whether X was a DataFrame.

    Parameters
    ----------
    X : DataFrame, polars DataFrame, 2-D array or list of rows
        Never modified.

    Returns
    -------
    frame : DataFrame
        Columns ``"x0", "x1", ...`` for arrays and lists; names as str otherwise.
    from_dataframe : bool
        Whether X was a (pandas or polars) DataFrame.

    Raises
    ------
    DataError
        None, sparse, a Series, not 2-D, empty, or duplicated column names (also
        once converted to str).
    """
    if X is None:
        raise DataError("X is None. Pass a DataFrame or a 2-D array of features.")
    X = from_polars(X)
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
        # under copy-on-write a shallow copy is as safe as a deep one (a change to
        # either frame copies what it changes) and costs no memory: 286 MB spared at
        # 750,000 x 50 floats
        frame = X.copy(deep=not copy_on_write())
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
        raise DataError(f"X has duplicated column names: {preview(duplicated)}. Hint: rename them.")
    names = [str(c) for c in frame.columns]
    collide = sorted({n for n in names if names.count(n) > 1})
    if collide:
        originals = [c for c in frame.columns if str(c) in collide]
        raise DataError(
            f"Columns {preview(originals)} have the same name once converted to "
            f"str ({preview(collide)}). Hint: give them distinct string names."
        )
    frame.columns = names
    return frame, from_dataframe


def _plain_string_dtype() -> Any:
    """What this pandas makes of a plain list of strings (``str`` in 3.x, object before)."""
    return pd.Series(["a", None]).dtype


def _as_floats_or_ints(column: pd.Series, integer: bool, float_dtype: Any = float) -> pd.Series:
    if integer and not column.isna().any():
        return pd.Series(column.to_numpy(dtype=np.int64), index=column.index, name=column.name)
    values = column.to_numpy(dtype=float_dtype, na_value=np.nan)
    return pd.Series(values, index=column.index, name=column.name)


def _as_booleans(column: pd.Series) -> pd.Series:
    if not column.isna().any():
        return pd.Series(column.to_numpy(dtype=bool), index=column.index, name=column.name)
    values = column.to_numpy(dtype=object, na_value=np.nan)
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def _as_strings(column: pd.Series) -> pd.Series:
    values = column.to_numpy(dtype=object, na_value=np.nan)
    return pd.Series(values, index=column.index, name=column.name, dtype=_plain_string_dtype())


def _from_arrow(name: str, column: pd.Series) -> pd.Series:
    """An Arrow-backed column (``ArrowDtype``) as its numpy-backed equivalent."""
    import pyarrow as pa  # present whenever an ArrowDtype column exists

    dtype = column.dtype
    assert isinstance(dtype, pd.ArrowDtype)
    kind = dtype.pyarrow_dtype
    if pa.types.is_boolean(kind):
        return _as_booleans(column)
    if pa.types.is_integer(kind):
        return _as_floats_or_ints(column, integer=True)
    if pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return _as_floats_or_ints(column, integer=False)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind) or _is_string_view(pa, kind):
        return _as_strings(column)
    if pa.types.is_timestamp(kind):
        naive: Any = f"datetime64[{kind.unit}]"
        return column.astype(pd.DatetimeTZDtype(kind.unit, kind.tz) if kind.tz else naive)
    if pa.types.is_date(kind):
        return column.astype("datetime64[s]" if pa.types.is_date32(kind) else "datetime64[ms]")
    if pa.types.is_duration(kind):
        raise DataError(
            f"Column {name!r} has dtype {column.dtype} (durations), which is not supported. "
            "Hint: convert it to numbers, e.g. .dt.total_seconds()."
        )
    if pa.types.is_null(kind):
        return pd.Series(np.nan, index=column.index, name=column.name, dtype=object)
    # dictionary (categorical), time of day, binary, nested: as Python objects, then
    # the object-column rules below (strings, or refused for lists and structs)
    values = column.to_numpy(dtype=object, na_value=np.nan)
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def _is_string_view(pa: Any, kind: Any) -> bool:
    is_view = getattr(pa.types, "is_string_view", None)
    return bool(is_view and is_view(kind))


def plain_dtype(name: str, column: pd.Series) -> pd.Series:
    """``column`` with an extension dtype (nullable, string, Arrow) made numpy-backed.

    Numpy-backed, ``str``/object, category and ``datetime64`` (tz-aware too) columns
    are returned as they are, apart from unused categories, which are removed.
    """
    dtype = column.dtype
    if isinstance(dtype, pd.ArrowDtype):
        return _from_arrow(name, column)
    if isinstance(dtype, pd.CategoricalDtype):
        return column.cat.remove_unused_categories()
    if isinstance(dtype, pd.StringDtype):
        return column if dtype == _plain_string_dtype() else _as_strings(column)
    if isinstance(dtype, pd.BooleanDtype):
        return _as_booleans(column)
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and ptypes.is_numeric_dtype(dtype):
        numpy_dtype = getattr(dtype, "numpy_dtype", np.dtype(float))
        if ptypes.is_integer_dtype(dtype):
            return _as_floats_or_ints(column, integer=True)
        float_dtype = numpy_dtype if numpy_dtype.kind == "f" else float
        return _as_floats_or_ints(column, integer=False, float_dtype=float_dtype)
    return column


def _refuse_unsupported(name: str, column: pd.Series, inferred: str) -> None:
    dtype = column.dtype
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


def normalise_column(name: str, column: pd.Series) -> pd.Series:
    """Give a column a plain dtype: its natural one for objects, strings if mixed.

    Parameters
    ----------
    name : str
        Column name, for error messages.
    column : Series
        Any dtype; see the module docstring for what each becomes.

    Returns
    -------
    Series
        Numpy-backed (or the plain string dtype), ``NaN``/``NaT`` for missing values.

    Raises
    ------
    DataError
        Complex numbers, durations, periods, intervals, sparse columns and nested
        values (lists, dicts, sets, arrays).
    """
    if not isinstance(column.dtype, pd.SparseDtype):
        column = plain_dtype(name, column)
    dtype = column.dtype
    inferred = ptypes.infer_dtype(column, skipna=True) if ptypes.is_object_dtype(dtype) else ""
    _refuse_unsupported(name, column, inferred)
    if not inferred:
        return column
    if column.isna().any():  # None and pd.NA become NaN: numpy conversions choke on them
        column = column.where(column.notna(), np.nan)
    if inferred in ("string", "boolean", "empty", "datetime", "datetime64", "date"):
        return column.infer_objects()
    if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
        numbers = pd.to_numeric(column)
        if ptypes.is_object_dtype(numbers.dtype):
            return numbers.astype(float)
        return plain_dtype(name, numbers)  # to_numeric may hand back a nullable dtype
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


def check_finite(frame: pd.DataFrame, columns: list[str]) -> None:
    """Raise a :class:`~automl.exceptions.DataError` naming the columns holding ±inf."""
    bad = []
    for name in columns:
        column = frame[name]
        if ptypes.is_numeric_dtype(column.dtype) and not ptypes.is_bool_dtype(column.dtype):
            values = column.to_numpy(dtype=float, na_value=np.nan)
            if np.isinf(values).any():
                bad.append(name)
    if bad:
        raise DataError(
            f"X holds infinite values in columns {preview(bad)}. Hint: replace them, "
            "e.g. X.replace([np.inf, -np.inf], np.nan), and missing values are imputed."
        )


def coerce_numeric(name: str, column: pd.Series) -> pd.Series:
    """A column that was numeric at fit as numbers again (``"3.5"`` → 3.5), at predict.

    Raises
    ------
    DataError
        If it holds values that are not numbers.
    """
    if ptypes.is_bool_dtype(column.dtype):
        return column.astype(float)
    if ptypes.is_numeric_dtype(column.dtype):
        return column
    values = pd.to_numeric(column.astype(object), errors="coerce")
    bad = column[column.notna() & values.isna()]
    if len(bad):
        raise DataError(
            f"Column {name!r} was numeric at fit but now holds {len(bad)} non-numeric "
            f"values, e.g. {preview(bad.unique(), 3)}. Hint: clean that column or "
            "use NaN for missing values."
        )
    return plain_dtype(name, values)
