"""A JSON-ready profile of the training data, for reports.

The profile states facts (sizes, column kinds, class balance, missing values,
dropped columns); it never refits or transforms anything.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .schema import Schema

_KINDS = ("numeric", "categorical", "high_cardinality", "boolean", "datetime", "dropped")


def _plain(value: Any) -> Any:
    """Turn a numpy/pandas scalar (a class label) into a plain Python value."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _dropped_reasons(schema: Schema) -> list[dict[str, str]]:
    reasons = []
    for name in schema.dropped:
        prefix = f"column {name!r} dropped: "
        reason = next((n[len(prefix) :] for n in schema.notes if n.startswith(prefix)), "")
        reasons.append({"column": name, "reason": reason})
    return reasons


def profile_data(
    X: pd.DataFrame, y_encoded: np.ndarray, classes: np.ndarray, schema: Schema
) -> dict[str, Any]:
    """Describe the training data.

    Parameters
    ----------
    X : DataFrame
        Training features, as returned by :func:`automl.data.validate_fit_data`.
    y_encoded : ndarray of int
        Labels encoded ``0..k-1`` (:func:`automl.data.encode_target`).
    classes : ndarray
        The original label of each code.
    schema : Schema
        Schema inferred from X.

    Returns
    -------
    dict
        Plain Python types only (``json.dumps`` works), with keys:

        - ``n_rows``, ``n_columns``;
        - ``columns``: ``{kind: {"count": int, "names": [str, ...]}}`` for the kinds
          numeric, categorical, high_cardinality, boolean, datetime, dropped;
        - ``class_balance``: ``[{"label", "count", "share"}, ...]`` in class order;
        - ``minority_share``: share of the rarest class;
        - ``imbalance_ratio``: count of the largest class over the smallest;
        - ``missing``: ``{"total_cells", "share", "per_column": {name: count}}``,
          ``per_column`` listing only columns with missing values;
        - ``dropped``: ``[{"column", "reason"}, ...]``;
        - ``notes``: the schema notes.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from automl.schema import infer_schema
    >>> X = pd.DataFrame({"a": [1.0, None, 3.0, 4.0]})
    >>> p = profile_data(X, np.array([0, 0, 0, 1]), np.array(["no", "yes"]), infer_schema(X))
    >>> p["imbalance_ratio"], p["missing"]["per_column"]
    (3.0, {'a': 1})
    """
    y_encoded = np.asarray(y_encoded, dtype=np.int64).ravel()
    counts = np.bincount(y_encoded, minlength=len(classes))
    total = int(counts.sum())
    balance = [
        {
            "label": _plain(label),
            "count": int(count),
            "share": float(count / total) if total else 0.0,
        }
        for label, count in zip(classes, counts, strict=True)
    ]
    present = counts[counts > 0]
    return {
        **_features(X, schema),
        "class_balance": balance,
        "minority_share": float(present.min() / total) if total else 0.0,
        "imbalance_ratio": float(present.max() / present.min()) if len(present) else 0.0,
    }


def profile_regression(X: pd.DataFrame, y: np.ndarray, schema: Schema) -> dict[str, Any]:
    """Describe the training data of a regression.

    Parameters
    ----------
    X : DataFrame
        Training features.
    y : ndarray of float
        The target.
    schema : Schema
        Schema inferred from X.

    Returns
    -------
    dict
        The keys of :func:`profile_data` about the features, and ``target``:
        ``{"min", "max", "mean", "std", "median", "skew", "quantiles"}`` (the 0, 10,
        ..., 100th percentiles).
    """
    y = np.asarray(y, dtype=float).ravel()
    std = float(np.std(y))
    skew = float(np.mean(((y - y.mean()) / std) ** 3)) if std > 0 else 0.0
    return {
        **_features(X, schema),
        "target": {
            "min": float(y.min()),
            "max": float(y.max()),
            "mean": float(y.mean()),
            "std": std,
            "median": float(np.median(y)),
            "skew": skew,
            "quantiles": [float(q) for q in np.quantile(y, np.linspace(0, 1, 11))],
        },
    }


def _features(X: pd.DataFrame, schema: Schema) -> dict[str, Any]:
    """Sizes, column kinds, missing values, dropped columns and notes of X."""
    n_rows, n_columns = int(X.shape[0]), int(X.shape[1])
    missing_per_column = X.isna().sum()
    missing_total = int(missing_per_column.sum())
    cells = n_rows * n_columns
    return {
        "n_rows": n_rows,
        "n_columns": n_columns,
        "columns": {
            kind: {"count": len(getattr(schema, kind)), "names": list(getattr(schema, kind))}
            for kind in _KINDS
        },
        "missing": {
            "total_cells": missing_total,
            "share": float(missing_total / cells) if cells else 0.0,
            "per_column": {
                str(name): int(count) for name, count in missing_per_column.items() if count
            },
        },
        "dropped": _dropped_reasons(schema),
        "notes": list(schema.notes),
    }
