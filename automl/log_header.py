"""The header of a fit's trial log: what a resume must match."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .graph import PipelineGraph


def log_header(
    est: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    graph: PipelineGraph,
    groups: np.ndarray | None,
    weights: np.ndarray | None = None,
) -> dict[str, Any]:
    """The trial log's header: the fit's settings and a fingerprint of its data.

    A resumed fit must find the same header: the same data, groups and weights (a
    fit without groups or weights keeps the fingerprint it always had).

    Parameters
    ----------
    est : AutoMLClassifier or AutoMLRegressor
        The estimator being fitted (its metric is resolved).
    X, y : DataFrame, ndarray
        The validated training data.
    graph : PipelineGraph
        The searched graph.
    groups, weights : ndarray or None
        The fit's groups and sample weights.

    Returns
    -------
    dict
        ``{"fingerprint": ..., "settings": {...}}``.
    """
    import joblib

    settings = {
        "metric": est.metric_,
        "pipeline": graph.name,
        "families": list(graph.families),
        "cv": str(est.cv),
        "search": est.search,
        "random_state": est.random_state,
    }
    pos_label = getattr(est, "pos_label", None)
    if est._task_kind == "classification":
        settings["pos_label"] = None if pos_label is None else str(pos_label)
    else:
        settings["task"] = est._task_kind
    # a resume must use the same groups and weights (a fit without either keeps the
    # fingerprint it always had)
    data: tuple[Any, ...] = (X, y) if groups is None else (X, y, groups)
    if weights is not None:
        data = (*data, "sample_weight", weights)
    return {"fingerprint": joblib.hash(data), "settings": settings}
