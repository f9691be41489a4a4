"""SHAP importance of the input columns, from one tree member of the final model.

Modest on purpose: ``shap.TreeExplainer`` explains the tree model (random forest,
extra trees, histogram boosting, XGBoost) of the member with the largest ensemble
weight among those it can read, not the whole blend; of a bagged member (the
average of its fold models, :class:`~automl.bagging.BaggedPipeline`) the first fold
model is explained, which stands for the bag (same configuration, trained on
``(K-1)/K`` of the rows; averaging K explainers would cost K times as much). Its
SHAP values are for the encoded columns that model sees; the values of the encoded
columns that come from one input column (its one-hot columns, missing indicator,
date parts) are summed back to that column, which SHAP's additivity allows. Which
encoded columns come from which input is found by shuffling each input column and
seeing which encoded columns change. A regression member with a target transform is explained on the
transformed target's scale. ``shap`` is an optional extra, imported only here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, MissingDependencyError

#: Rows explained (a seeded sample of the rows given).
SHAP_ROWS = 1000


def _shap() -> Any:
    try:
        import shap
    except ImportError:
        raise MissingDependencyError(
            "method='shap' needs the shap package, which is not installed. "
            "Hint: pip install automl-tabular[shap], or use method='permutation'."
        ) from None
    return shap


def _unwrap(model: Any) -> Any:
    """The tree model inside the adapters our families wrap it in."""
    model = getattr(model, "regressor_", model)  # TransformedTargetRegressor
    return getattr(model, "booster_", model)  # XGBoostClassifier's fitted xgboost model


def _linear_base_values(model: Any, encoded: np.ndarray) -> np.ndarray | float:
    """SHAP values of the ridge under a booster boosted from it (exact for a line:
    weight times the input's distance from its mean on the rows explained); 0 for
    any other model, whose tree :func:`tree_member` explains whole."""
    from ..models.linear_base import LinearBaseRegressor

    model = getattr(model, "regressor_", model)
    if not isinstance(model, LinearBaseRegressor):
        return 0.0
    inputs = model.line_inputs(encoded)
    return (inputs - inputs.mean(axis=0)) * model.coef_


def tree_member(final_model: Any) -> tuple[Any, Any, Any]:
    """``(pipeline, tree model, explainer)`` of the heaviest member SHAP can explain.

    Raises
    ------
    ConfigError
        When no member is a tree model ``shap.TreeExplainer`` reads.
    """
    shap = _shap()
    members = sorted(final_model.members, key=lambda m: -m[1])
    for pipe, _ in members:
        model = _unwrap(pipe.steps[-1][1])
        try:
            return pipe, model, shap.TreeExplainer(model)
        except Exception:  # not a tree model, or one shap cannot read: try the next member
            continue
    kinds = ", ".join(type(_unwrap(p.steps[-1][1])).__name__ for p, _ in members)
    raise ConfigError(
        "method='shap' explains a tree model (random_forest, extra_trees, hist_gb, xgboost), "
        f"but the final model has none that SHAP can read (its members: {kinds}). "
        "Hint: use method='permutation', which works for any model."
    )


def column_owner(pre: Any, X: pd.DataFrame) -> np.ndarray:
    """For each encoded column, the position in ``X.columns`` of the input it comes from.

    ``-1`` for an encoded column no input changes (constant on these rows).
    """
    base = np.asarray(pre.transform(X), dtype=float)
    owner = np.full(base.shape[1], -1)
    order = np.random.default_rng(0).permutation(len(X))
    for j, name in enumerate(X.columns):
        shuffled = X.copy()
        shuffled[name] = X[name].iloc[order].set_axis(X.index)
        moved = np.asarray(pre.transform(shuffled), dtype=float)
        changed = ~np.isclose(moved, base, equal_nan=True).all(axis=0)
        owner[changed & (owner == -1)] = j
    return owner


def shap_table(estimator: Any, X: pd.DataFrame) -> pd.DataFrame:
    """Mean absolute SHAP value of each input column on (a sample of) validated ``X``.

    Returns
    -------
    DataFrame
        Indexed by input column (``feature``), best first: ``importance`` (mean
        over rows of the absolute SHAP value of the column, averaged over classes),
        ``stddev`` (over rows), ``p_value`` (NaN: no test), ``n`` (rows explained).
    """
    pipe, _, explainer = tree_member(estimator.final_model_)
    rows = np.sort(np.random.default_rng(0).permutation(len(X))[:SHAP_ROWS])
    sample = X.iloc[rows]
    pre = pipe[:-1]  # preprocessing (samplers are skipped outside fit)
    encoded = np.asarray(pre.transform(sample), dtype=float)
    values = explainer.shap_values(encoded, check_additivity=False)
    values = np.stack(values, axis=-1) if isinstance(values, list) else np.asarray(values)
    if values.ndim == 2:
        values = values[:, :, None]  # (rows, encoded columns, outputs)
    values[:, :, 0] += _linear_base_values(pipe.steps[-1][1], encoded)
    owner = column_owner(pre, sample)
    per_input = np.zeros((len(sample), X.shape[1], values.shape[2]))
    for k in range(values.shape[1]):
        if owner[k] >= 0:
            per_input[:, owner[k], :] += values[:, k, :]
    magnitude = np.abs(per_input).mean(axis=2)  # rows x input columns
    table = pd.DataFrame(
        {
            "importance": magnitude.mean(axis=0),
            "stddev": magnitude.std(axis=0, ddof=1) if len(sample) > 1 else 0.0,
            "p_value": np.nan,
            "n": len(sample),
        },
        index=pd.Index([str(c) for c in X.columns], name="feature"),
    )
    return table.sort_values("importance", ascending=False, kind="stable")
