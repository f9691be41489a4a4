"""The one preprocessing step every baseline shares: a frame made model-ready.

Baselines (``xgb``, ``hgb``, ``lr``, ``skopt_xgb``, ``flaml``) get the same view of
the data: numeric and boolean columns as float (NaN kept), string / object /
category columns as categoricals whose categories are learned on the training
rows (a value unseen in training becomes missing). Each baseline then picks the
form it needs: pandas ``category`` columns (``hgb``, ``flaml``) or integer codes
as floats with NaN for missing (``xgb``, ``lr``).
"""

from __future__ import annotations

from typing import Literal

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
