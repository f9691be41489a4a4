"""Fitting one pipeline on one set of rows, step by step, with optional row weights."""

from __future__ import annotations

import time
from typing import Any

import numpy as np


def fit_pipeline_timed(
    pipeline: Any, X: Any, y: np.ndarray, sample_weight: np.ndarray | None = None
) -> dict[str, float]:
    """Fit an imbalanced-learn pipeline step by step, timing each step.

    Equivalent to ``pipeline.fit(X, y, model__sample_weight=sample_weight)``:
    samplers resample (each kept or copied row carrying its weight, see
    :meth:`~automl.steps.resample.SafeResampler.fit_resample_weighted`),
    transformers transform (unweighted), and the final step is fitted on the result
    with the weights.
    """
    times: dict[str, float] = {}
    Xt, yt, wt = X, y, sample_weight
    for name, step in pipeline.steps[:-1]:
        start = time.perf_counter()
        if hasattr(step, "fit_resample"):
            if wt is None:
                Xt, yt = step.fit_resample(Xt, yt)
            else:
                Xt, yt, wt = step.fit_resample_weighted(Xt, yt, wt)
        else:
            Xt = step.fit_transform(Xt, yt)
        times[name] = time.perf_counter() - start
    name, final = pipeline.steps[-1]
    start = time.perf_counter()
    if wt is None:
        final.fit(Xt, yt)
    else:
        final.fit(Xt, yt, sample_weight=wt)
    times[name] = time.perf_counter() - start
    return times
