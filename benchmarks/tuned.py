"""Budgeted peers: ``skopt_xgb`` (BayesSearchCV over XGBoost) and ``flaml`` (FLAML AutoML).

Both spend the time budget searching and optimise the run's metric; both are
imported lazily so neither library is needed until its system runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from automl.metrics import get_metric

from .datasets import positive_index
from .systems import EncodedBaseline, cv_scorer, register_system, xgb_classifier

FLAML_MISSING = "flaml not installed: pip install -e .[bench]"


@register_system
class SkoptXGBSystem(EncodedBaseline):
    """scikit-optimize ``BayesSearchCV`` over XGBoost, 5-fold stratified CV on ``metric``.

    Iterations run until the next one would likely end past the budget (the
    mean iteration time so far is the estimate); the best configuration is then
    refit on all training rows.
    """

    name = "skopt_xgb"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.model_selection import StratifiedKFold
        from skopt import BayesSearchCV
        from skopt.space import Integer, Real

        space = {
            "n_estimators": Integer(50, 500),
            "max_depth": Integer(2, 10),
            "learning_rate": Real(0.01, 0.3, prior="log-uniform"),
            "subsample": Real(0.5, 1.0),
            "colsample_bytree": Real(0.5, 1.0),
            "min_child_weight": Real(1.0, 20.0, prior="log-uniform"),
            "reg_lambda": Real(1e-3, 10.0, prior="log-uniform"),
        }
        search = BayesSearchCV(
            xgb_classifier(seed),
            space,
            n_iter=100_000,
            n_points=1,
            n_jobs=1,
            refit=True,
            cv=StratifiedKFold(5, shuffle=True, random_state=seed),
            scoring=cv_scorer(metric, positive_index(y)),
            random_state=seed,
        )
        start = time.perf_counter()

        def out_of_time(result: Any) -> bool:
            elapsed = time.perf_counter() - start
            per_iter = elapsed / max(len(result.func_vals), 1)
            return elapsed + 1.25 * per_iter > budget  # 0.25: the final refit on all rows

        search.fit(X, y, callback=out_of_time)
        best = float(search.best_score_)
        self.cv_score_ = best if get_metric(metric).greater_is_better else -best
        return search.best_estimator_

    def version(self) -> str:
        import skopt
        import xgboost

        return f"scikit-optimize-{skopt.__version__}+xgboost-{xgboost.__version__}"


#: Our metric names → FLAML's (binary, multiclass); None = pass our metric as a function.
_FLAML_METRICS: dict[str, tuple[str | None, str | None]] = {
    "roc_auc": ("roc_auc", "roc_auc_ovr"),
    "average_precision": ("ap", None),
    "log_loss": ("log_loss", "log_loss"),
    "f1": ("f1", "macro_f1"),
    "accuracy": ("accuracy", "accuracy"),
}


def _flaml_metric(metric: str, binary: bool, pos_index: int) -> str | Callable[..., Any]:
    name = get_metric(metric).name
    builtin = _FLAML_METRICS.get(name, (None, None))[0 if binary else 1]
    if builtin is not None:
        return builtin
    score = cv_scorer(name, pos_index)

    def custom(
        X_val: Any, y_val: Any, estimator: Any, *args: Any, **kwargs: Any
    ) -> tuple[float, dict]:
        value = score(estimator, X_val, y_val)  # greater is better
        return -value, {name: value}

    return custom


def _has_lightgbm() -> bool:
    from importlib.util import find_spec

    return find_spec("lightgbm") is not None


def flaml_estimators() -> list[str] | str:
    """FLAML's default list, less ``lgbm`` when lightgbm is missing (FLAML would crash on it)."""
    if _has_lightgbm():
        return "auto"
    names = ["rf", "xgboost", "extra_tree", "xgb_limitdepth", "sgd"]
    from importlib.util import find_spec

    return [*names, "catboost"] if find_spec("catboost") is not None else names


@register_system
class FlamlSystem(EncodedBaseline):
    """``flaml.AutoML`` with its defaults, optimising the run's metric (FLAML's name for it).

    Without lightgbm installed, FLAML 2.7's default estimator list crashes on
    ``lgbm``; the list is then FLAML's default without it, and the version says so.
    """

    name = "flaml"
    form = "category"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        binary = len(self.classes_) == 2
        flaml_metric = _flaml_metric(metric, binary, positive_index(y))
        model = fit_flaml(X, y, "classification", budget, flaml_metric, seed)
        loss = float(model.best_loss)
        if callable(flaml_metric) or flaml_metric == "log_loss":
            # custom: loss = -score; log_loss: loss = the metric itself
            self.cv_score_ = loss if flaml_metric == "log_loss" else -loss
        else:
            self.cv_score_ = 1.0 - loss  # FLAML's loss for a score metric
        return model

    def version(self) -> str:
        return flaml_version()


def fit_flaml(
    X: pd.DataFrame,
    y: np.ndarray,
    task: str,
    budget: float,
    metric: str | Callable[..., Any],
    seed: int,
) -> Any:
    """A ``flaml.AutoML`` fitted with the harness's settings (one job, quiet, see ``flaml``).

    Parameters
    ----------
    X, y
        Encoded features (``category`` form) and target.
    task : {"classification", "regression"}
    budget : float
        FLAML's ``time_budget`` in seconds.
    metric : str or callable
        FLAML's name of the metric, or a custom FLAML metric function.
    seed : int

    Returns
    -------
    flaml.AutoML
    """
    try:
        from flaml import AutoML
    except ImportError as exc:
        raise ImportError(FLAML_MISSING) from exc
    model = AutoML()
    model.fit(
        X,
        y,
        task=task,
        time_budget=budget,
        metric=metric,
        seed=seed,
        n_jobs=1,
        verbose=0,
        estimator_list=flaml_estimators(),
    )
    return model


def flaml_version() -> str:
    """``flaml-<version>``, with ``-no-lightgbm`` when lightgbm is missing (see ``flaml``)."""
    try:
        import flaml
    except ImportError as exc:
        raise ImportError(FLAML_MISSING) from exc
    return f"flaml-{flaml.__version__}" + ("" if _has_lightgbm() else "-no-lightgbm")
