"""Input checks of the Torch estimators: numeric columns only, finite values within float32.

The estimators take what a preprocessing pipeline hands on: numbers. Text columns and
NaN are errors that say which columns and what to put in front of the net.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import DataError

_FLOAT32_MAX = float(np.finfo(np.float32).max)


def finite_float32(X: np.ndarray, owner: str) -> np.ndarray:
    """``X`` as float32; a DataError naming the columns with NaN, inf or values beyond float32."""
    bad = ~np.isfinite(X) | (np.abs(X) > _FLOAT32_MAX)
    if bad.any():
        columns = np.flatnonzero(bad.any(axis=0))
        shown = ", ".join(str(c) for c in columns[:10]) + (", ..." if len(columns) > 10 else "")
        raise DataError(
            f"X holds NaN, inf or values beyond the float32 range in column(s) {shown}; "
            f"{owner} takes finite numbers only. Impute missing values first, e.g. "
            f"make_pipeline(SimpleImputer(), StandardScaler(), {owner}(...))."
        )
    return np.ascontiguousarray(X, dtype=np.float32)


def check_numeric_columns(X: Any, owner: str) -> None:
    """Raise DataError naming the columns of a DataFrame ``X`` that do not hold numbers."""
    dtypes = getattr(X, "dtypes", None)
    if dtypes is None or not hasattr(dtypes, "items"):
        return
    from pandas.api.types import is_numeric_dtype

    bad = [str(name) for name, dtype in dtypes.items() if not is_numeric_dtype(dtype)]
    if bad:
        shown = ", ".join(repr(b) for b in bad[:10]) + (", ..." if len(bad) > 10 else "")
        raise DataError(
            f"X has non-numeric column(s) {shown}; {owner} takes numbers only. Encode them "
            "in a pipeline in front of the net, e.g. make_column_transformer("
            f"(OneHotEncoder(), [{shown}]), remainder=StandardScaler())."
        )
