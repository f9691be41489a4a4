"""Calendar features from date-like columns.

:class:`DatetimeFeatures` turns each date column (``datetime64`` dtype, tz-aware or
not, or strings that parse as dates) into float features: year, month, day, day of
week, hour (only for columns that hold times other than midnight at fit) and days
elapsed since the earliest date seen in fit.

Dates are recognised and parsed by :mod:`automl.dates`, shared with the schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import validate_data

from ..dates import infer_date_format, parse_dates
from ..exceptions import ConfigError, DataError, NotFittedError

#: Every feature the step can produce, in output order.
ALL_FEATURES: tuple[str, ...] = ("year", "month", "day", "day_of_week", "hour", "elapsed_days")

_EPOCH = pd.Timestamp("1970-01-01")
_ONE_DAY = pd.Timedelta(days=1)


def _as_frame(X: Any) -> pd.DataFrame:
    """Return X as a DataFrame (no copy for DataFrames), or raise DataError."""
    if sparse.issparse(X):
        raise DataError(
            "DatetimeFeatures does not accept sparse input: dates are not sparse. "
            "Pass a DataFrame or a dense 2-D array."
        )
    if isinstance(X, pd.DataFrame):
        frame = X
    else:
        try:
            array = np.asarray(X)
        except (ValueError, TypeError) as exc:
            raise DataError(f"X cannot be read as a 2-D array: {exc}.") from None
        if array.ndim != 2:
            raise DataError(
                f"Expected a 2-D array of date columns, got a {array.ndim}-D array of "
                f"shape {array.shape}. Reshape your data with X.reshape(-1, 1) for a "
                "single column."
            )
        frame = pd.DataFrame(array)
    complex_columns = [str(c) for c, d in frame.dtypes.items() if d.kind == "c"]
    if complex_columns:
        raise DataError(
            f"Complex data not supported: columns {complex_columns} hold complex numbers."
        )
    return frame


def _infer_objects(column: pd.Series) -> pd.Series:
    return column.infer_objects() if pd.api.types.is_object_dtype(column.dtype) else column


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Extract calendar features from date columns.

    Each input column yields, in this order: ``year``, ``month``, ``day``,
    ``day_of_week`` (Monday=0), ``hour`` (only if the column held a time other than
    midnight at fit) and ``elapsed_days`` (fractional days since the earliest date
    of that column in fit; negative for earlier dates). Calendar features of
    tz-aware dates are in their own time zone; elapsed days are computed in UTC,
    naive dates being read as UTC. Missing or unparseable dates give NaN, to be
    handled by a downstream imputer.

    Parameters
    ----------
    features : sequence of str or None, default=None
        Subset of ``ALL_FEATURES`` to produce; ``None`` means all of them.

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns.
    feature_names_in_ : ndarray of str
        Input column names, set only when X is a DataFrame with string names.
    features_ : tuple of str
        The features produced (before the per-column ``hour`` rule).
    date_formats_ : tuple of (str or None)
        Format used to parse each string column; ``None`` for ``datetime64`` and
        numeric columns.
    has_time_ : ndarray of bool
        Whether each column held a time other than midnight at fit.
    origin_days_ : ndarray of float
        Earliest date of each column at fit, in days since 1970-01-01 UTC (NaN if
        the column held no date).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"when": ["2021-03-01", "2021-03-15"]})
    >>> step = DatetimeFeatures().fit(X)
    >>> step.get_feature_names_out().tolist()
    ['when_year', 'when_month', 'when_day', 'when_day_of_week', 'when_elapsed_days']
    >>> step.transform(X)[:, -1].tolist()
    [0.0, 14.0]
    """

    def __init__(self, *, features: Sequence[str] | None = None) -> None:
        self.features = features

    def _check_features(self) -> tuple[str, ...]:
        if self.features is None:
            return ALL_FEATURES
        if isinstance(self.features, str):
            raise ConfigError(
                "The 'features' parameter of DatetimeFeatures must be a sequence of "
                f"names from {list(ALL_FEATURES)} or None. Got the string "
                f"{self.features!r}; wrap it in a list."
            )
        unknown = [f for f in self.features if f not in ALL_FEATURES]
        if unknown or len(self.features) == 0:
            raise ConfigError(
                "The 'features' parameter of DatetimeFeatures must be a non-empty "
                f"sequence of names from {list(ALL_FEATURES)} or None. Got "
                f"{list(self.features)!r}."
            )
        return tuple(f for f in ALL_FEATURES if f in self.features)

    def fit(self, X: Any, y: Any = None) -> DatetimeFeatures:
        """Learn each column's date format, whether it holds times, and its origin.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_columns)
            Date columns: ``datetime64`` (tz-aware or not) or date strings.
        y : ignored

        Returns
        -------
        self : DatetimeFeatures

        Raises
        ------
        DataError
            If X is empty, not 2-D, sparse, complex, or a column holds values of
            which none parses as a date.
        """
        features = self._check_features()
        frame = _as_frame(X)
        for axis, what in ((0, "sample(s)"), (1, "feature(s)")):
            if frame.shape[axis] == 0:
                raise DataError(
                    f"Found array with 0 {what} (shape={frame.shape}) while a minimum "
                    "of 1 is required by DatetimeFeatures."
                )
        validate_data(self, X, skip_check_array=True, reset=True)
        formats: list[str | None] = []
        has_time, origins = [], []
        for j in range(frame.shape[1]):
            column = _infer_objects(frame.iloc[:, j])
            date_format = None
            if isinstance(column.dtype, pd.StringDtype) or pd.api.types.infer_dtype(
                column, skipna=True
            ) in ("string", "mixed", "mixed-integer"):
                date_format = infer_date_format(column) or "mixed"
            dates = parse_dates(column, date_format)
            if column.notna().any() and dates.isna().all():
                raise DataError(
                    f"Column {frame.columns[j]!r} holds no value that parses as a date "
                    f"(first values: {column.dropna().head(3).tolist()}). Pass only "
                    "date columns to DatetimeFeatures."
                )
            formats.append(date_format)
            present = dates.dropna()
            has_time.append(bool((present.dt.normalize() != present).any()))
            elapsed = self._days_since_epoch(dates)
            origins.append(float(np.nanmin(elapsed)) if np.isfinite(elapsed).any() else np.nan)
        self.features_ = features
        self.date_formats_ = tuple(formats)
        self.has_time_ = np.asarray(has_time, dtype=bool)
        self.origin_days_ = np.asarray(origins, dtype=float)
        return self

    @staticmethod
    def _days_since_epoch(dates: pd.Series) -> np.ndarray:
        if dates.dt.tz is not None:
            dates = dates.dt.tz_convert(None)
        return ((dates - _EPOCH) / _ONE_DAY).to_numpy(dtype=float, na_value=np.nan)

    def _column_features(self, has_time: bool) -> list[str]:
        return [f for f in self.features_ if f != "hour" or has_time]

    def _check_fitted(self) -> None:
        if not hasattr(self, "origin_days_"):
            raise NotFittedError(
                "This DatetimeFeatures instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )

    def transform(self, X: Any) -> np.ndarray:
        """Compute the features.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features_in_)
            The same columns as in fit.

        Returns
        -------
        ndarray of shape (n_samples, n_features_out)
            Float features, NaN where a date is missing or does not parse.
        """
        self._check_fitted()
        frame = _as_frame(X)
        validate_data(self, X, skip_check_array=True, reset=False)
        blocks: list[np.ndarray] = []
        for j in range(frame.shape[1]):
            column = _infer_objects(frame.iloc[:, j])
            dates = parse_dates(column, self.date_formats_[j])
            for feature in self._column_features(bool(self.has_time_[j])):
                blocks.append(self._feature(dates, feature, self.origin_days_[j]))
        if not blocks:
            return np.empty((frame.shape[0], 0), dtype=float)
        return np.column_stack(blocks).astype(float, copy=False)

    def _feature(self, dates: pd.Series, feature: str, origin: float) -> np.ndarray:
        if feature == "elapsed_days":
            return self._days_since_epoch(dates) - origin
        return getattr(dates.dt, feature).to_numpy(dtype=float, na_value=np.nan)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output features, ``"<column>_<feature>"``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input column names; defaults to ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        ndarray of object
        """
        self._check_fitted()
        fitted_names = getattr(self, "feature_names_in_", None)
        if input_features is None:
            names = (
                list(fitted_names)
                if fitted_names is not None
                else [f"x{i}" for i in range(self.n_features_in_)]
            )
        else:
            names = [str(n) for n in input_features]
            if len(names) != self.n_features_in_:
                raise ValueError(
                    "input_features should have length equal to number of features "
                    f"({self.n_features_in_}), got {len(names)}."
                )
            if fitted_names is not None and names != list(fitted_names):
                raise ValueError(
                    f"input_features is not equal to feature_names_in_: got {names}, "
                    f"expected {list(fitted_names)}."
                )
        out = [
            f"{name}_{feature}"
            for name, has_time in zip(names, self.has_time_, strict=True)
            for feature in self._column_features(bool(has_time))
        ]
        return np.asarray(out, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        return tags
