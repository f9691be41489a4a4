"""The one preprocessing step every baseline shares: a frame made model-ready.

Baselines (``xgb``, ``hgb``, ``lr``, ``skopt_xgb``, ``flaml``) get the same view of
the data: numeric and boolean columns as float (NaN kept), string / object /
category columns as categoricals whose categories are learned on the training
rows (a value unseen in training becomes missing). Each baseline then picks the
form it needs: pandas ``category`` columns (``hgb``, ``flaml``) or integer codes
as floats with NaN for missing (``xgb``, ``lr``, ``ridge``). The helpers below
finish the view for HistGradientBoosting (:func:`hgb_features`) and for the
linear models (:func:`linear_preprocessor`), for classification and regression alike.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

CategoricalForm = Literal["category", "codes"]


def _is_categorical(series: pd.Series) -> bool:
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return False
    return not pd.api.types.is_datetime64_any_dtype(dtype)


def _as_text(series: pd.Series) -> pd.Series:
    return (
        series.astype(object)
        .where(series.notna(), None)
        .map(lambda v: None if v is None else str(v))
    )


class FrameEncoder:
    """Learn column kinds and categories on training features; encode any frame alike.

    Attributes
    ----------
    columns_ : list of str
        The training columns, in order.
    categorical_ : list of str
        Columns treated as categorical (strings, objects, pandas categories).
    categories_ : dict of str to pandas.Index
        Sorted training categories per categorical column.
    """

    def fit(self, X: pd.DataFrame) -> FrameEncoder:
        """Learn the column kinds and categories of ``X``."""
        self.columns_ = [str(c) for c in X.columns]
        self.categorical_ = [str(c) for c in X.columns if _is_categorical(X[c])]
        self.categories_ = {
            str(c): pd.Index(sorted(_as_text(X[c]).dropna().unique()))
            for c in X.columns
            if str(c) in self.categorical_
        }
        return self

    def transform(self, X: pd.DataFrame, form: CategoricalForm = "codes") -> pd.DataFrame:
        """Encode ``X`` (same columns as in ``fit``).

        Parameters
        ----------
        X : DataFrame
        form : {"codes", "category"}
            ``"codes"``: every column float, categories as their index (NaN when
            missing or unseen). ``"category"``: categorical columns keep the pandas
            ``category`` dtype with the training categories.

        Returns
        -------
        DataFrame
            A new frame; ``X`` is not changed.
        """
        X = X.copy()
        X.columns = [str(c) for c in X.columns]
        out: dict[str, pd.Series] = {}
        for col in self.columns_:
            series = X[col]
            if col in self.categorical_:
                known = self.categories_[col]
                text = _as_text(series)
                cat = pd.Categorical(text.where(text.isin(known)), categories=known)
                if form == "category":
                    out[col] = pd.Series(cat, index=X.index)
                else:
                    codes = cat.codes.astype(np.float64)
                    codes[codes < 0] = np.nan
                    out[col] = pd.Series(codes, index=X.index)
            elif pd.api.types.is_datetime64_any_dtype(series.dtype):
                out[col] = pd.Series(
                    series.astype("int64").astype(np.float64), index=X.index
                ).where(series.notna())
            else:
                out[col] = pd.to_numeric(series, errors="coerce").astype(np.float64)
        return pd.DataFrame(out, index=X.index)

    def categorical_mask(self) -> np.ndarray:
        """Boolean mask over ``columns_`` marking the categorical columns."""
        return np.array([c in self.categorical_ for c in self.columns_], dtype=bool)


def sklearn_version() -> str:
    """The version string of the scikit-learn baselines."""
    import sklearn

    return f"scikit-learn-{sklearn.__version__}"


def hgb_features(encoder: FrameEncoder, X: pd.DataFrame) -> pd.DataFrame:
    """Features for HistGradientBoosting: native categoricals, ordinal codes past 255 categories.

    Parameters
    ----------
    encoder : FrameEncoder
        Fitted on the training rows.
    X : DataFrame

    Returns
    -------
    DataFrame
        ``category`` columns, but a column with more training categories than
        HGB's bins (255) as float codes (NaN for missing).
    """
    encoded = encoder.transform(X, "category")
    wide = [c for c, values in encoder.categories_.items() if len(values) > 255]
    for col in wide:
        codes = encoded[col].cat.codes.astype(np.float64)
        encoded[col] = codes.where(codes >= 0)
    return encoded


def linear_preprocessor(categorical: np.ndarray) -> Any:
    """Median imputation and scaling for numbers, mode imputation and one-hot for categories.

    Parameters
    ----------
    categorical : bool array
        Which columns of the ``"codes"`` features are categorical.

    Returns
    -------
    sklearn.compose.ColumnTransformer
        Unfitted; unknown categories at predict time become all-zero.
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                ~categorical,
            ),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                categorical,
            ),
        ]
    )
