"""Transforms of a regression target, fitted inside each training fold.

A transform wraps the model in scikit-learn's ``TransformedTargetRegressor``: the
transform is fitted on the training fold's target only, the model learns the
transformed target, and predictions are mapped back, so scores are always on the
target's own scale.

Every choice ends on a unit scale: ``"none"`` only standardises the target (an
affine map, so the model's shape of the target is unchanged), because models have
absolute tolerances (boosting's early-stopping ``tol``, split gains, penalties)
that a target of magnitude 1e9 or 1e-6 would otherwise swamp or starve.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    PowerTransformer,
    QuantileTransformer,
    StandardScaler,
)

#: Target transforms a regression graph may search; "none" only standardises it.
TARGET_TRANSFORMS = ("none", "log1p", "yeo_johnson", "quantile")


def with_target_transform(model: Any, transform: str, n_rows: int) -> Any:
    """``model`` learning a transformed (and standardised) target.

    Parameters
    ----------
    model : regressor
        The unfitted model.
    transform : {"none", "log1p", "yeo_johnson", "quantile"}
        ``none`` standardises the target; ``log1p`` (then standardises) needs a
        target above -1 (the graph offers it only for non-negative targets);
        ``yeo_johnson`` is a power transform that handles any sign; ``quantile``
        maps the target to a normal distribution.
    n_rows : int
        Training rows, which bound the quantiles of ``quantile``.

    Returns
    -------
    regressor
    """
    if transform == "none":
        return TransformedTargetRegressor(
            regressor=model, transformer=StandardScaler(), check_inverse=False
        )
    if transform == "log1p":
        log = FunctionTransformer(np.log1p, np.expm1, check_inverse=False)
        return TransformedTargetRegressor(
            regressor=model, transformer=make_pipeline(log, StandardScaler()), check_inverse=False
        )
    if transform == "yeo_johnson":
        return TransformedTargetRegressor(
            regressor=model, transformer=PowerTransformer(method="yeo-johnson"), check_inverse=False
        )
    if transform == "quantile":
        quantiles = max(10, min(1000, n_rows // 2))
        transformer = QuantileTransformer(n_quantiles=quantiles, output_distribution="normal")
        return TransformedTargetRegressor(
            regressor=model, transformer=transformer, check_inverse=False
        )
    raise ValueError(f"Unknown target transform {transform!r}; valid: {list(TARGET_TRANSFORMS)}.")
