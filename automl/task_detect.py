"""Which task a target column asks for: ``automl fit`` picks one when ``--task`` is not given."""

from __future__ import annotations

from typing import Any

#: :func:`detect_task`: an integer-valued target is continuous above this many distinct values
MIN_DISTINCT = 20
#: ... and when more than this share of the rows have distinct values.
MIN_DISTINCT_SHARE = 0.05


def detect_task(y: Any) -> tuple[str, str | None]:
    """The task ``automl fit`` picks for a target column when ``--task`` is not given.

    Regression for a numeric (not boolean) target that looks continuous: floats
    not all whole, or whole numbers (integers, or floats such as ``3.0`` from an
    integer column with gaps) with more than :data:`MIN_DISTINCT` distinct
    values that are also more than :data:`MIN_DISTINCT_SHARE` of the non-missing
    rows. Else classification: text, booleans, few codes such as 0/1 or 1..5.

    Parameters
    ----------
    y : pandas.Series
        The target column as read from the CSV.

    Returns
    -------
    task : {"classification", "regression"}
    note : str or None
        For regression, the sentence ``automl fit`` prints on stderr; None otherwise.
    """
    import numpy as np
    import pandas as pd

    values = pd.Series(y).dropna()
    numeric = pd.api.types.is_numeric_dtype(values.dtype)
    if not len(values) or not numeric or pd.api.types.is_bool_dtype(values.dtype):
        return "classification", None
    distinct = int(values.nunique())
    numbers = values.to_numpy(dtype=np.float64)
    whole = bool(np.all(np.isfinite(numbers) & (numbers == np.round(numbers))))
    many = distinct > MIN_DISTINCT and distinct > MIN_DISTINCT_SHARE * len(values)
    if whole and not many:
        return "classification", None
    return "regression", (
        f"target {values.name!r} is numeric with {distinct} distinct values: "
        "fitting a regressor (use --task classification to override)"
    )
