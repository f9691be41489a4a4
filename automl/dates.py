"""Recognising and parsing dates in text columns.

Shared by :mod:`automl.schema` (which detects date columns) and
:class:`automl.steps.datetime_features.DatetimeFeatures` (which parses them), so a
column is detected and parsed the same way.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _is_number_string(value: str) -> bool:
    return _NUMBER.fullmatch(value.strip()) is not None


def _to_datetime(values: pd.Series, date_format: str) -> pd.Series:
    """``pd.to_datetime`` with failures as NaT, quiet, and mixed time zones as UTC."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(values, format=date_format, errors="coerce")
            if parsed.isna().sum() == values.isna().sum():
                return parsed
            # some failed: mixed time zones are coerced to NaT unless utc=True
            in_utc = pd.to_datetime(values, format=date_format, errors="coerce", utc=True)
            return in_utc if in_utc.isna().sum() < parsed.isna().sum() else parsed
        except (ValueError, TypeError, OverflowError):
            pass
        try:  # mixed offsets or tz-aware next to naive values
            return pd.to_datetime(values, format=date_format, errors="coerce", utc=True)
        except (ValueError, TypeError, OverflowError):
            pass
        stamps = [pd.to_datetime(v, errors="coerce", utc=True) for v in values]
        return pd.Series(pd.DatetimeIndex(stamps), index=values.index)


def infer_date_format(
    values: pd.Series, *, min_success: float = 0.95, sample_size: int = 500
) -> str | None:
    """Find a format with which the strings in ``values`` parse as dates.

    Candidate formats are guessed (month-first and day-first) from the first
    non-numeric values and must contain a year; ``"ISO8601"`` comes first when the
    values look ISO, ``"mixed"`` (element-wise parsing) last. The candidate that
    parses the most values of a sample of distinct values wins if it parses at least
    ``min_success`` of them. Values that are pure numbers (``"20200101"``, ``"1.5"``)
    never count as dates.

    Parameters
    ----------
    values : pandas.Series
        Strings (object or string dtype); missing values are ignored.
    min_success : float, default=0.95
        Share of the sampled values that must parse.
    sample_size : int, default=500
        Number of distinct values tried.

    Returns
    -------
    str or None
        A format for :func:`pandas.to_datetime` (``"mixed"`` included), or ``None``
        when the values are not dates.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_date_format(pd.Series(["2021-03-01", "2021-03-02"]))
    'ISO8601'
    >>> infer_date_format(pd.Series(["20210301", "20210302"])) is None
    True
    """
    present = values.dropna()
    if len(present) == 0:
        return None
    strings = [str(v).strip() for v in pd.unique(present.astype(object))[:sample_size]]
    sample = pd.Series(strings, dtype=object)
    numeric = np.array([_is_number_string(v) for v in strings], dtype=bool)
    if numeric.mean() > 1 - min_success:
        return None
    candidates: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for value in sample[~numeric].iloc[:5]:
            for dayfirst in (False, True):
                fmt = guess_datetime_format(value, dayfirst=dayfirst)
                if fmt and ("%Y" in fmt or "%y" in fmt) and fmt not in candidates:
                    candidates.append(fmt)
    if not candidates:
        return None
    if candidates[0].startswith("%Y-%m-%d"):  # ISO 8601 also reads dates with or without times
        candidates.insert(0, "ISO8601")
    best_format, best_share = None, -1.0
    for fmt in [*candidates, "mixed"]:
        parsed = _to_datetime(sample, fmt).notna().to_numpy()
        share = float((parsed & ~numeric).mean())
        if share > best_share:
            best_format, best_share = fmt, share
    return best_format if best_share >= min_success else None


def parse_dates(values: pd.Series, date_format: str | None = None) -> pd.Series:
    """Convert one column to ``datetime64``; values that do not parse become NaT.

    Parameters
    ----------
    values : pandas.Series
        A ``datetime64`` column (returned unchanged, time zone kept), a numeric
        column (read as nanoseconds since the Unix epoch, the pandas convention) or
        a column of strings / ``datetime`` objects.
    date_format : str or None, default=None
        Format for strings, e.g. from :func:`infer_date_format`; ``None`` parses
        element-wise (``"mixed"``).

    Returns
    -------
    pandas.Series
        Same index as ``values``, ``datetime64`` dtype (tz-aware if the input was,
        or UTC if time zones were mixed).
    """
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        floats = values.to_numpy(dtype=float, na_value=np.nan)
        floats = np.where(np.isfinite(floats), floats, np.nan)
        return _to_datetime(pd.Series(floats, index=values.index), "mixed")
    values = values.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("datetime", "datetime64", "date"):
        date_format = None  # datetime objects, e.g. with mixed time zones
    return _to_datetime(values, date_format or "mixed")
