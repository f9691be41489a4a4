"""Row weights (``fit(..., sample_weight=)``): checked once, and the graph fitted to them.

How weights flow through a fit: each training fold's model is fitted with its rows'
weights (a family whose estimator cannot take them is left out of the search, with a
note); class weights (``class_weight="balanced"``) multiply them; the random over-
and under-samplers pick rows by count and each kept or copied row carries its weight,
while samplers that make synthetic rows (SMOTE family, ADASYN, cleaning
combinations) are left out of the search. Preprocessing (imputation, encoding,
scaling) is fitted unweighted. Every score (fold scores, the threshold, ensemble
selection, ``cv_score_``) is weighted.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from .exceptions import ConfigError, DataError
from .graph import PipelineGraph
from .metrics import Metric
from .models import get_family
from .steps.resample import WEIGHT_SAFE_SAMPLERS


def validate_sample_weight(sample_weight: Any, n_rows: int) -> np.ndarray | None:
    """``sample_weight`` as a float array, or a :class:`~automl.exceptions.DataError`.

    Parameters
    ----------
    sample_weight : array-like of shape (n_rows,) or None
        One non-negative, finite weight per row; not all zero.
    n_rows : int
        Rows of X.

    Returns
    -------
    ndarray of shape (n_rows,) or None
        None when ``sample_weight`` is None.

    Raises
    ------
    DataError
        For another shape or length than X, values that are not numbers, NaN or
        infinite values, negative values, or weights that are all zero.
    """
    if sample_weight is None:
        return None
    raw = sample_weight.to_numpy() if isinstance(sample_weight, pd.Series) else sample_weight
    try:
        w = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        raise DataError(
            f"sample_weight must hold numbers (one weight per row); got {type(raw).__name__} "
            "whose values cannot be read as numbers."
        ) from None
    if w.ndim != 1:
        raise DataError(f"sample_weight must be 1-D (one weight per row); got shape {w.shape}.")
    if len(w) != n_rows:
        raise DataError(
            f"X has {n_rows} rows but sample_weight has {len(w)} weights; they must match."
        )
    bad = np.flatnonzero(~np.isfinite(w))
    if len(bad):
        raise DataError(
            f"sample_weight has {len(bad)} NaN or infinite values, first at rows "
            f"{bad[:5].tolist()}. Hint: give those rows a finite weight, or 0 to ignore them."
        )
    negative = np.flatnonzero(w < 0)
    if len(negative):
        raise DataError(
            f"sample_weight has {len(negative)} negative values (smallest {w.min()!r}), first "
            f"at rows {negative[:5].tolist()}; weights must be >= 0."
        )
    if not np.any(w > 0):
        raise DataError(
            f"sample_weight is zero for all {n_rows} rows: nothing would be learned. "
            "Hint: give the rows to learn from a positive weight."
        )
    return w


def check_weighted_classes(y: np.ndarray, weights: np.ndarray, classes: np.ndarray) -> None:
    """Refuse weights that leave fewer than two classes with any weight.

    Parameters
    ----------
    y : ndarray
        Encoded labels.
    weights : ndarray
        Validated row weights.
    classes : ndarray
        The class labels, in encoded order (named in the message).

    Raises
    ------
    DataError
        When every row of all classes but one weighs 0.
    """
    per_class = np.bincount(y, weights=weights, minlength=len(classes))
    kept = np.flatnonzero(per_class > 0)
    if len(kept) < 2:
        label = classes[kept[0]]
        label = label.item() if isinstance(label, np.generic) else label
        raise DataError(
            f"sample_weight is zero for every row of all classes but class "
            f"{label!r}: a classifier needs at least 2 classes with weight to "
            "learn from. Hint: give rows of another class a positive weight."
        )


def graph_for_weights(graph: PipelineGraph) -> tuple[PipelineGraph, list[str]]:
    """The graph without what cannot take row weights, and a note on each thing left out.

    Parameters
    ----------
    graph : PipelineGraph
        The graph the fit would search.

    Returns
    -------
    graph : PipelineGraph
        Without the families whose ``supports_sample_weight`` is False and without
        samplers that make synthetic rows.
    notes : list of str

    Raises
    ------
    ConfigError
        When no family of the graph can take weights.
    """
    notes: list[str] = []
    families = [f for f in graph.families if get_family(f).supports_sample_weight]
    dropped = [f for f in graph.families if f not in families]
    if not families:
        raise ConfigError(
            f"No model family of pipeline {graph.name!r} can take sample_weight "
            f"({', '.join(dropped)} cannot). Hint: choose families that can with models=[...], "
            "or fit without sample_weight."
        )
    if dropped:
        notes.append(
            f"Model families {', '.join(dropped)} cannot take sample_weight: left out of "
            "the search."
        )
        graph = graph.with_families(families)
    samplers = tuple(s for s in graph.resample if s in WEIGHT_SAFE_SAMPLERS) or ("none",)
    synthetic = [s for s in graph.resample if s not in WEIGHT_SAFE_SAMPLERS]
    if synthetic:
        notes.append(
            f"Samplers {', '.join(synthetic)} make synthetic rows, which carry no sample "
            "weight: left out of the search (random over/under-sampling keeps each row's "
            "weight)."
        )
        graph = replace(graph, resample=samplers)
    return graph, notes


def unweighted_metric_note(metric: Metric | None) -> list[str]:
    """A note when the user's metric cannot read row weights (its scores are unweighted).

    Parameters
    ----------
    metric : Metric or None
        The user's metric, if any.

    Returns
    -------
    list of str
        Empty when there is no user metric or it reads weights.
    """
    if metric is None or metric.weighted:
        return []
    return [
        f"Your metric {metric.name!r} has no sample_weight parameter: its scores are "
        "unweighted (the model fits and the built-in metrics use the weights)."
    ]
