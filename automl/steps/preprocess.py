"""Column-wise preprocessing: impute and encode each kind of column on its own branch.

The output is always a dense float matrix whose first columns are the
categorical columns when they are ordinal-encoded, so a model can be told their
positions before it is fitted.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, TargetEncoder

from ..schema import Schema
from .impute import NumericImputer

Encoding = Literal["onehot", "ordinal"]

#: One-hot columns kept per categorical column; rarer categories are grouped.
MAX_ONEHOT_CATEGORIES = 20
#: Ordinal codes kept per column (histogram models take at most 255 bins).
MAX_ORDINAL_CATEGORIES = 200


def _to_float(X):
    """Numbers as a float matrix: float32 when the columns are (the large-data trials'
    data, see :mod:`automl.worker_data`), so no float64 copy is made; else float64."""
    try:
        dtype = np.result_type(*getattr(X, "dtypes", [np.asarray(X).dtype]))
    except (TypeError, ValueError):  # extension dtypes, no columns: float64 below
        dtype = np.dtype(float)
    return np.asarray(X, dtype=np.float32 if dtype == np.float32 else float)


def _to_object(X):
    """Categorical values as strings; missing stays NaN for the imputer."""
    frame = pd.DataFrame(X)
    missing = frame.isna().to_numpy()
    out = np.array(frame.astype(str).to_numpy(dtype=object), dtype=object)
    out[missing] = np.nan
    return out


def n_leading_categorical(schema: Schema, encoding: Encoding) -> int:
    """How many leading output columns are ordinal category codes."""
    return len(schema.categorical) if encoding == "ordinal" else 0


def build_preprocessor(
    schema: Schema,
    *,
    encoding: Encoding = "onehot",
    numeric_impute: str = "median",
    random_state: int | None = None,
) -> ColumnTransformer:
    """The column transformer for a schema.

    Parameters
    ----------
    schema : Schema
        Column kinds inferred at fit.
    encoding : {"onehot", "ordinal"}
        How moderate-cardinality categorical columns are encoded. Ordinal codes
        come first in the output; unknown and missing categories become -1.
    numeric_impute : {"median", "mean"}
        Imputation of numeric, boolean and date-derived columns; a missing
        indicator is added for columns that had missing values in the fold.
    random_state : int or None
        Seed of the target encoder's internal cross-fitting.

    Returns
    -------
    ColumnTransformer
        Unfitted; produces a dense float matrix.
    """
    from .datetime_features import DatetimeFeatures

    branches = []
    if schema.categorical:
        to_str = FunctionTransformer(_to_object, feature_names_out="one-to-one")
        if encoding == "ordinal":
            encoder = OrdinalEncoder(
                handle_unknown="use_encoded_value",
                unknown_value=-1,
                encoded_missing_value=-1,
                max_categories=MAX_ORDINAL_CATEGORIES,
            )
            branches.append(
                ("categorical", make_pipeline(to_str, encoder), list(schema.categorical))
            )
        else:
            encoder = OneHotEncoder(
                handle_unknown="infrequent_if_exist",
                sparse_output=False,
                max_categories=MAX_ONEHOT_CATEGORIES,
                dtype=np.float64,
            )
            imputer = SimpleImputer(strategy="constant", fill_value="__missing__")
            branches.append(
                ("categorical", make_pipeline(to_str, imputer, encoder), list(schema.categorical))
            )
    numeric = [*schema.numeric, *schema.boolean]
    if numeric:
        branches.append(
            (
                "numeric",
                make_pipeline(
                    FunctionTransformer(_to_float, feature_names_out="one-to-one"),
                    NumericImputer(
                        strategy=numeric_impute, add_indicator=True, keep_empty_features=True
                    ),
                ),
                numeric,
            )
        )
    if schema.datetime:
        branches.append(
            (
                "datetime",
                make_pipeline(
                    DatetimeFeatures(), NumericImputer(strategy="median", keep_empty_features=True)
                ),
                list(schema.datetime),
            )
        )
    if schema.high_cardinality:
        branches.append(
            (
                "high_cardinality",
                make_pipeline(
                    FunctionTransformer(_to_object, feature_names_out="one-to-one"),
                    SimpleImputer(strategy="constant", fill_value="__missing__"),
                    TargetEncoder(cv=KFold(5, shuffle=True, random_state=random_state)),
                ),
                list(schema.high_cardinality),
            )
        )
    if not branches:
        branches.append(("constant", "passthrough", []))
    return ColumnTransformer(
        branches, remainder="drop", sparse_threshold=0.0, verbose_feature_names_out=False
    )
