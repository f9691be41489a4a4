"""SearchCV's run on the engine: its one-family graph, its run context, its trial log."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from .. import metrics as M
from ..data import encode_with_classes
from ..family import Family
from ..graph import PipelineGraph
from ..models import ModelContext, register
from ..nets.time_cap import cap_training_time
from ..resource import Resource
from ..run_context import Folds, Parallelism, RunContext
from ..runlog import RunLog
from ..schema import infer_schema
from ..search.budget import Budget, record_refit_seconds
from ..search.executor import resolve_memory_limit
from ..space import Space
from ..steps.raw import RawInput
from ..warm_store import WarmStore
from ._checks import MULTI_FIDELITY


def register_family(
    estimator: Any,
    space: Space,
    kind: str,
    search: str,
    resource: Resource | None,
    fit_params: dict[str, Any],
    warm: WarmStore | None = None,
) -> PipelineGraph:
    """Register the estimator as a raw family and return the graph that holds it alone.

    Under grid search the first trial is a grid point too, so the grid is all that runs.
    With ``warm``, promoted trials continue their folds' models (:mod:`automl.warm_store`).
    """
    name = f"searchcv_{type(estimator).__name__.lower()}"
    default = {k: d.grid()[0] for k, d in space.items()} if search == "grid" else None
    family = Family(name, estimator, space, default, raw=True, tasks=[kind])
    register(
        family.to_model_family(
            kind, resource=resource, fit_params=fit_params, space=space, warm_store=warm
        ),
        replace=True,
    )
    return PipelineGraph(
        name="searchcv",
        families=(name,),
        portfolio=False,
        task="regression" if kind == "regression" else "classification",
    )


def open_log(
    log_dir: Any, resume: bool, data: tuple[Any, ...], settings: dict[str, Any], seed: int
) -> RunLog:
    """The trial log; a resumed one must hold the same data and settings."""
    import joblib

    header = {"fingerprint": joblib.hash(data), "settings": settings, "seed": seed}
    # the search reads scores, never out-of-fold predictions: its trials send none
    return RunLog(log_dir, header=header, resume=resume, predictions=False)


#: Configurations a Bayesian SearchCV draws at random (the estimator's own first)
#: before its surrogate proposes: scikit-optimize's ``BayesSearchCV`` default.
BAYES_INITIAL_POINTS = 10


def make_run(
    graph: PipelineGraph,
    X: pd.DataFrame,
    from_dataframe: bool,
    folds: Folds,
    task: str,
    n_classes: int,
    n_jobs: int,
    seed: int,
    metric: str,
    custom: M.Metric | None,
    search: str,
    resource: Resource | None,
) -> RunContext:
    """The run context the engine shares with every trial: no ensemble, no threshold."""
    parallelism = Parallelism.decide(n_jobs, len(X), X.shape[1])
    options: tuple[tuple[str, Any], ...] = ()
    if resource is not None and search in MULTI_FIDELITY:
        options = (("min_fidelity", resource.min_fidelity),)
    elif search == "bayes":
        # one user space, no portfolio behind it: explore before the surrogate leads,
        # as BayesSearchCV does (with 4 points the search stayed near the default);
        # a Gaussian process where the space is a few numeric ranges (trees stalled:
        # at 120 s, 4 of 8 searches never beat their 30 s best)
        options = (("n_initial_points", BAYES_INITIAL_POINTS), ("surrogate", "auto"))
    return RunContext(
        graph=graph,
        schema=infer_schema(X, from_dataframe=from_dataframe),
        folds=folds,
        model=ModelContext(
            task=task,  # type: ignore[arg-type]
            n_classes=n_classes,
            n_rows=len(X),
            n_features=X.shape[1],
            n_threads=parallelism.threads,
            random_state=seed,
        ),
        metric=metric,
        pos_index=1,
        parallelism=parallelism,
        strategy=search,
        seed=seed,
        ensemble=False,
        keep_oof=False,
        memory_limit_mb=resolve_memory_limit("auto", parallelism.trials),
        custom_metric=custom,
        strategy_options=options,
    )


def refit_seconds(budget: Budget, best: dict[str, Any], n_folds: int) -> float | None:
    """Training seconds a net in the refit may use: what the budget has left, and never
    less than the refit its best trial predicts (None without a time budget)."""
    if budget.time_budget is None:
        return None
    return max(budget.left() - budget.margin, record_refit_seconds(best, n_folds), 1.0)


def refit_best(
    estimator: Any,
    params: dict[str, Any],
    X: Any,
    y: Any,
    fit_params: dict[str, Any],
    threads: int,
    max_time: float | None = None,
) -> Any:
    """A clone of ``estimator`` with ``params`` fitted on all rows, on the threads a trial had.

    Always a fresh fit, also after a multi-fidelity search whose promotions continued
    their folds' models: no fold model saw all rows. A project net whose ``max_time``
    the user left at None trains for at most ``max_time`` seconds.
    """
    from threadpoolctl import threadpool_limits

    best = cap_training_time(clone(estimator).set_params(**params), max_time)
    with threadpool_limits(limits=max(1, threads)), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter; the CV already judged it
        best.fit(X, y, **fit_params)
    return best


def score_best(best: Any, metric: str, kind: str, X: Any, y: Any) -> float:
    """``metric`` of the fitted ``best`` on ``X, y``, computed as the trials computed it."""
    if kind == "regression":
        pred = np.asarray(best.predict(X), dtype=float).reshape(-1, 1)
        return M.score(metric, np.asarray(y, dtype=float), pred)
    fitted = RawInput(best)
    fitted.estimator_ = best
    classes = np.asarray(best.classes_)
    return M.score(metric, encode_with_classes(y, classes), fitted.predict_proba(X), pos_index=1)
