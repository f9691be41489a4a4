"""The schema of the training data: which kind each column is, inferred once at fit.

Kinds: numeric, categorical (moderate cardinality), high-cardinality strings
(identifiers, free text: never one-hot encoded), boolean, date-time (datetime
dtypes, and text that parses as dates), and dropped columns (all missing, or a
single value with nothing missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

from .dates import infer_date_format
from .exceptions import DataError

#: A string column is high-cardinality above this many distinct values ...
HIGH_CARDINALITY_MIN_UNIQUE = 50
#: ... when they are also more than this share of its non-missing values.
HIGH_CARDINALITY_MIN_SHARE = 0.05
#: A string column whose values are (almost) all distinct is an identifier.
ID_MIN_UNIQUE = 20
ID_MIN_SHARE = 0.9
#: A string column whose median value has this many words is free text.
TEXT_MIN_WORDS = 5
#: Date detection: distinct values tried and share that must parse.
DATE_SAMPLE_SIZE = 500
DATE_MIN_SUCCESS = 0.95

_STRING_DTYPE_NAMES = ("object", "str", "string")
_FROM_DATAFRAME = "automl_from_dataframe"
_SOURCE_DTYPES = "automl_source_dtypes"
#: The schema fields that hold a kind of column, in the order columns are sorted into them.
KINDS = ("numeric", "categorical", "high_cardinality", "boolean", "datetime", "dropped")


@dataclass(frozen=True)
class Schema:
    """What fit learned about the columns of X.

    Attributes
    ----------
    columns : tuple of str
        Column names as seen in fit (``"x0", "x1", ...`` for arrays).
    dtypes : dict of str to str
        ``str(dtype)`` of each column at fit, once validation made it plain
        (``Int64`` with missing values is ``float64`` here).
    numeric, categorical, high_cardinality, boolean, datetime : tuple of str
        Columns of each kind; see :func:`infer_schema`. Dropped columns are in none.
    dropped : tuple of str
        All-missing and constant columns; the reason is in ``notes``.
    from_dataframe : bool
        Whether X was a DataFrame at fit.
    notes : tuple of str
        Human-readable remarks, e.g. ``"column 'id' dropped: constant (value 1)"``.
    source_dtypes : dict of str to str
        ``str(dtype)`` of each column as the user passed it (``Int64``,
        ``string[pyarrow]``, ...); empty for schemas inferred without
        :func:`~automl.data.validate_fit_data`.
    """

    columns: tuple[str, ...]
    dtypes: dict[str, str]
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    high_cardinality: tuple[str, ...]
    boolean: tuple[str, ...]
    datetime: tuple[str, ...]
    dropped: tuple[str, ...]
    from_dataframe: bool
    notes: tuple[str, ...]
    source_dtypes: dict[str, str] = field(default_factory=dict)

    def kind_of(self, column: str) -> str:
        """The kind of ``column``: a name from :data:`KINDS`.

        Parameters
        ----------
        column : str
            A column name as seen in fit.

        Returns
        -------
        str
            ``"numeric"``, ``"categorical"``, ... or ``"dropped"``.

        Raises
        ------
        KeyError
            If ``column`` was not seen in fit.
        """
        for kind in KINDS:
            if column in getattr(self, kind):
                return kind
        raise KeyError(column)

    @property
    def conversions(self) -> dict[str, str]:
        """What each column became at fit, e.g. ``{"age": "Int64 -> float64 (numeric)"}``."""
        source = getattr(self, "source_dtypes", None) or {}  # absent in older saved models
        return {
            c: f"{source.get(c, self.dtypes[c])} -> {self.dtypes[c]} ({self.kind_of(c)})"
            for c in self.columns
        }

    @property
    def n_features_in(self) -> int:
        """Number of columns of X at fit, dropped ones included."""
        return len(self.columns)


def _string_kind(name: str, column: pd.Series, n_unique: int) -> tuple[str, str | None]:
    present = column.dropna()
    if ptypes.is_object_dtype(column.dtype) or isinstance(column.dtype, pd.StringDtype):
        date_format = infer_date_format(
            present, min_success=DATE_MIN_SUCCESS, sample_size=DATE_SAMPLE_SIZE
        )
        if date_format is not None:
            return "datetime", None
    n = len(present)
    reason = None
    if n_unique > HIGH_CARDINALITY_MIN_UNIQUE and n_unique > HIGH_CARDINALITY_MIN_SHARE * n:
        reason = "many distinct values"
    if n_unique >= ID_MIN_UNIQUE and n_unique >= ID_MIN_SHARE * n:
        reason = "looks like an identifier"
    sample = present.sample(n=min(n, 1000), random_state=0).astype(str)
    words = sample.map(lambda text: len(text.split()))
    if n_unique > 10 and words.median() >= TEXT_MIN_WORDS:
        reason = "looks like free text"
    if reason is None:
        return "categorical", None
    note = (
        f"column {name!r} is high-cardinality ({reason}: {n_unique} distinct values in "
        f"{n} rows); it is not one-hot encoded"
    )
    return "high_cardinality", note


def _constant(name: str, column: pd.Series) -> tuple[str, str]:
    """The kind and note of a column holding one value and no missing ones."""
    value = column.iloc[0]
    value = value.item() if isinstance(value, np.generic) else value
    return "dropped", f"column {name!r} dropped: constant (value {value!r})"


def _numeric_kind(name: str, column: pd.Series, n_missing: int) -> tuple[str, str | None]:
    """Return (kind, note) for a numeric column that is not entirely missing.

    Constancy is read from the smallest and largest values, not from counting
    distinct values (which hashes every row: seconds at 10^6 rows x 50 columns);
    distinct values are counted for integer columns only, to spot identifiers.
    """
    if n_missing == 0 and column.min(skipna=False) == column.max(skipna=False):
        return _constant(name, column)
    note = None
    if (
        ptypes.is_integer_dtype(column.dtype)
        and len(column) >= ID_MIN_UNIQUE
        and int(column.nunique(dropna=True)) == len(column)
    ):
        note = (
            f"column {name!r} holds distinct integers and may be an identifier; "
            "it is used as a numeric feature"
        )
    return "numeric", note


def _column_kind(name: str, column: pd.Series) -> tuple[str, str | None]:
    """Return (kind, note) for one column; kind is a Schema field name."""
    dtype = column.dtype
    n_missing = int(column.isna().sum())
    if n_missing == len(column):
        return "dropped", f"column {name!r} dropped: all values missing"
    if ptypes.is_numeric_dtype(dtype) and not ptypes.is_bool_dtype(dtype):
        return _numeric_kind(name, column, n_missing)
    try:
        n_unique = int(column.nunique(dropna=True))
    except TypeError:  # unhashable values; validate_fit_data would have refused them
        raise DataError(
            f"Column {name!r} holds unhashable values such as lists. Hint: pass X "
            "through validate_fit_data first, or flatten that column."
        ) from None
    if n_unique == 1 and n_missing == 0:
        return _constant(name, column)
    if ptypes.is_bool_dtype(dtype):
        return "boolean", None
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime", None
    if ptypes.is_object_dtype(dtype):
        inferred = ptypes.infer_dtype(column, skipna=True)
        if inferred == "boolean":
            return "boolean", None
        if inferred in ("datetime", "datetime64", "date"):
            return "datetime", None
        if inferred in ("integer", "floating", "mixed-integer-float", "decimal"):
            return "numeric", None
    return _string_kind(name, column, n_unique)


def infer_schema(X: pd.DataFrame, *, from_dataframe: bool | None = None) -> Schema:
    """Sort the columns of X by kind.

    Rules, in order: all-missing or constant (one value, none missing) → dropped;
    bool / ``boolean`` dtype or object True/False → boolean; ``datetime64`` →
    datetime; int / float (nullable too) → numeric; object / string columns whose
    values parse as dates (on a sample of distinct values, at least 95 % parse and
    pure numbers never count) → datetime; string or category columns with more than
    50 distinct values that are over 5 % of the rows, identifiers (at least 20
    values, 90 % distinct) or free text (median of 5 words or more) →
    high_cardinality; other string and category columns → categorical.

    Parameters
    ----------
    X : DataFrame
        As returned by :func:`validate_fit_data`.
    from_dataframe : bool or None, default=None
        Whether the user passed a DataFrame; ``None`` reads the flag that
        :func:`validate_fit_data` leaves in ``X.attrs`` (True if absent).

    Returns
    -------
    Schema
    """
    kinds: dict[str, list[str]] = {
        k: [] for k in ("numeric", "categorical", "high_cardinality", "boolean", "datetime")
    }
    dropped: list[str] = []
    notes: list[str] = []
    for name in X.columns:
        kind, note = _column_kind(str(name), X[name])
        (dropped if kind == "dropped" else kinds[kind]).append(str(name))
        if note:
            notes.append(note)
    return Schema(
        columns=tuple(str(c) for c in X.columns),
        dtypes={str(c): str(d) for c, d in X.dtypes.items()},
        numeric=tuple(kinds["numeric"]),
        categorical=tuple(kinds["categorical"]),
        high_cardinality=tuple(kinds["high_cardinality"]),
        boolean=tuple(kinds["boolean"]),
        datetime=tuple(kinds["datetime"]),
        dropped=tuple(dropped),
        from_dataframe=bool(X.attrs.get(_FROM_DATAFRAME, True))
        if from_dataframe is None
        else from_dataframe,
        notes=tuple(notes),
        source_dtypes={str(c): str(d) for c, d in X.attrs.get(_SOURCE_DTYPES, {}).items()},
    )
