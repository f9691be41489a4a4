"""Histogram gradient boosting (scikit-learn): fast, strong default for tabular data."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from ..space import Categorical, Integer, Real, Space
from .base import BOTH_TASKS, ModelContext, ModelFamily
from .linear_base import LinearBaseRegressor

#: Cells (rows x columns) from which the early-stopping rows are split off before
#: scikit-learn converts the data to float64 (the large-data float32 threshold).
OWN_SPLIT_MIN_CELLS = 5_000_000


def _fit_large(fit: Any, model: Any, X: Any, y: Any, sample_weight: Any, classify: bool) -> bool:
    """Fit ``model`` (``fit``: its scikit-learn ``fit``) with its early-stopping rows split
    off here; False, having fitted nothing, when this does not apply.

    scikit-learn converts all of ``X`` to float64 and then copies both parts of its
    validation split; splitting the float32 rows first and converting each part once
    saves one float64 copy of the data (one fold of 600,000 x 50 rows: the fit's peak
    fell from 585 to 350 MB above its input, traced). Only for a plain float array of at
    least :data:`OWN_SPLIT_MIN_CELLS` cells with early stopping on: smaller data keeps
    scikit-learn's own split, rows and all.
    """
    from ..boosters.common import inner_split

    params = model.get_params()
    if not (
        params["early_stopping"] is True
        and params["validation_fraction"]
        and isinstance(X, np.ndarray)
        and X.ndim == 2
        and X.dtype.kind == "f"
        and X.size >= OWN_SPLIT_MIN_CELLS
    ):
        return False
    y = np.asarray(y)
    seed = params["random_state"] if isinstance(params["random_state"], int) else 0
    split = inner_split(len(y), params["validation_fraction"], seed, y if classify else None)
    if split is None:
        return False
    train, val = split
    w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    w_val = None if w is None else w[val]
    if classify and params.get("class_weight") is not None:
        # scikit-learn weighs its own validation rows by class; given ones it does not
        from sklearn.utils.class_weight import compute_sample_weight

        by_class = compute_sample_weight(params["class_weight"], y)[val]
        w_val = by_class if w_val is None else w_val * by_class
    fit(
        X[train].astype(np.float64),
        y[train],
        None if w is None else w[train],
        X_val=X[val].astype(np.float64),
        y_val=y[val],
        sample_weight_val=w_val,
    )
    return True


class StoppingHGBClassifier(HistGradientBoostingClassifier):
    """scikit-learn's histogram boosting, whose early stopping survives a class of one row.

    Early stopping holds out a stratified validation split, which scikit-learn
    cannot draw when a class has a single training row; such a fit then trains
    without early stopping (its ``max_iter`` rounds) instead of failing.

    Attributes
    ----------
    n_rounds_ : int
        Boosting rounds kept (``n_iter_``), which a refit on all rows reuses.
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> StoppingHGBClassifier:
        """Fit; see :meth:`sklearn.ensemble.HistGradientBoostingClassifier.fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights.

        Returns
        -------
        StoppingHGBClassifier
            The fitted model.
        """
        _, counts = np.unique(np.asarray(y), return_counts=True)
        stopping = self.get_params()["early_stopping"]
        if stopping is True and counts.min() < 2:
            self.early_stopping = False
            try:
                super().fit(X, y, sample_weight=sample_weight)
            finally:
                self.early_stopping = True
        elif not _fit_large(super().fit, self, X, y, sample_weight, True):
            super().fit(X, y, sample_weight=sample_weight)
        self.n_rounds_ = int(self.n_iter_)
        return self


class StoppingHGBRegressor(HistGradientBoostingRegressor):
    """scikit-learn's histogram boosting regressor that reports the rounds it kept.

    Attributes
    ----------
    n_rounds_ : int
        Boosting rounds kept (``n_iter_``), which a refit on all rows reuses.
    """

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> StoppingHGBRegressor:
        """Fit; see :meth:`sklearn.ensemble.HistGradientBoostingRegressor.fit`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights.

        Returns
        -------
        StoppingHGBRegressor
            The fitted model.
        """
        if not _fit_large(super().fit, self, X, y, sample_weight, False):
            super().fit(X, y, sample_weight=sample_weight)
        self.n_rounds_ = int(self.n_iter_)
        return self


def _build(params: dict[str, Any], ctx: ModelContext) -> Any:
    cats = list(ctx.categorical_features) or None
    if ctx.is_regression:
        booster = StoppingHGBRegressor(**_shared(params, cats, ctx))
        if params.get("base") == "linear":
            return LinearBaseRegressor(booster, categorical_features=ctx.categorical_features)
        return booster
    weight = "balanced" if params.get("class_weight") == "balanced" else None
    return StoppingHGBClassifier(**_shared(params, cats, ctx), class_weight=weight)


def _shared(params: dict[str, Any], cats: list[int] | None, ctx: ModelContext) -> dict[str, Any]:
    """The parameters the classifier and the regressor share.

    ``refit_rounds`` (set by the final refit, see :mod:`automl.rounds`) fixes the
    rounds found by early stopping in the folds, and turns early stopping off.
    """
    max_iter = int(params.get("max_iter", 300))
    fixed = params.get("refit_rounds")
    return dict(
        learning_rate=float(params.get("learning_rate", 0.1)),
        max_iter=max_iter if fixed is None else max(1, min(int(fixed), max_iter)),
        max_leaf_nodes=int(params.get("max_leaf_nodes", 31)),
        min_samples_leaf=int(params.get("min_samples_leaf", 20)),
        l2_regularization=float(params.get("l2_regularization", 0.0)),
        max_features=float(params.get("max_features", 1.0)),
        categorical_features=cats,
        early_stopping=fixed is None,
        validation_fraction=0.1,
        n_iter_no_change=20,
        random_state=ctx.random_state,
    )


def _space(ctx: ModelContext) -> Space:
    space: Space = {
        "learning_rate": Real(0.01, 0.3, log=True),
        "max_iter": Integer(50, 1000, log=True),
        "max_leaf_nodes": Integer(4, 128, log=True),
        "min_samples_leaf": Integer(2, 100, log=True),
        "l2_regularization": Real(1e-6, 10.0, log=True),
        "max_features": Real(0.3, 1.0),
    }
    if ctx.is_regression:
        # boost from a constant, or from a ridge fit that extrapolates the trend
        # beyond the training targets (automl.models.linear_base)
        space["base"] = Categorical(["none", "linear"])
    return space


def _default(ctx: ModelContext) -> dict[str, Any]:
    default: dict[str, Any] = {
        "learning_rate": 0.1,
        "max_iter": 300,
        "max_leaf_nodes": 31,
        "min_samples_leaf": 20,
        "l2_regularization": 1e-6,
        "max_features": 1.0,
    }
    if ctx.is_regression:
        default["base"] = "none"
    return default


def _portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    # Beside the default: (regression) the default boosted from a ridge fit, for
    # targets that grow with their features beyond the training range; small trees
    # learning slowly with feature subsampling; large trees with small leaves for
    # data with many interactions.
    linear = [{"base": "linear"}] if ctx.is_regression else []
    return linear + [
        {
            "learning_rate": 0.05,
            "max_iter": 500,
            "max_leaf_nodes": 15,
            "min_samples_leaf": 10,
            "l2_regularization": 1.0,
            "max_features": 0.7,
        },
        {"max_leaf_nodes": 63, "min_samples_leaf": 5, "max_features": 0.5},
    ]


FAMILY = ModelFamily(
    name="hist_gb",
    build=_build,
    space=_space,
    default=_default,
    portfolio=_portfolio,
    handles_missing=True,
    categorical_encoding="ordinal",
    supports_sample_weight=True,
    cost=2.0,
    tasks=BOTH_TASKS,
    description="Histogram gradient boosting (scikit-learn), native categorical splits.",
)
