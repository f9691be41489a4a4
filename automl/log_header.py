"""A fit's trial log: its header (what a resume must match), and opening it."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from .graph import PipelineGraph
from .oof_retention import trials_worth_keeping
from .runlog import RunLog


def open_fit_log(
    est: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    graph: PipelineGraph,
    groups: np.ndarray | None,
    weights: np.ndarray | None,
) -> RunLog:
    """The fit's trial log, new or resumed (``est.log_dir``, ``est.resume``).

    Its header holds the run's seed: ``est.random_state``, or a fresh one drawn here
    when that is None; a resumed log keeps the seed it was started with. Only the out-
    of-fold predictions the final model may read stay in memory
    (:mod:`automl.oof_retention`).
    """
    seed = est.random_state
    if seed is None:
        seed = int(np.random.default_rng().integers(2**31 - 1))
    return RunLog(
        est.log_dir,
        header={**log_header(est, X, y, graph, groups, weights), "seed": seed},
        resume=est.resume,
        retain=partial(trials_worth_keeping, metric=est.metric_),
    )


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
