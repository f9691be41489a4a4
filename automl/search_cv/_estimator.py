"""SearchCV: tune one estimator's parameters with the AutoML search engine."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin

from ..estimator_api import check_estimator_api, check_space
from ..exceptions import NotFittedError
from ..progress import SearchProgress
from ..runlog import RunLog
from ..search.budget import Budget
from ..search.events import quiet_workers
from ..search.session import run_search
from ..warm_store import warm_store
from ._checks import (
    MULTI_FIDELITY,
    as_input_frame,
    check_params,
    check_resource,
    grid_space,
    kind_of,
    make_folds,
    per_row_params,
    target,
)
from ._engine import make_run, open_log, refit_best, refit_seconds, register_family, score_best
from ._results import search_attributes
from ._scoring import Scoring, resolve_metrics


class SearchCV(MetaEstimatorMixin, BaseEstimator):
    """Tune one estimator's parameters by cross-validation, with the AutoML search engine.

    The same trial runner as :class:`~automl.AutoMLClassifier`: a hard time budget,
    trials in worker processes (a failing or hanging configuration is logged and the
    search goes on), parallel trials, pruning of trials that cannot win, a trial log
    to resume from, and Bayesian, random, grid or (where available) multi-fidelity
    strategies. The estimator receives ``X`` as given (no preprocessing).

    Parameters
    ----------
    estimator : estimator
        An unfitted scikit-learn classifier or regressor (a pipeline too).
    space : dict
        ``{parameter: Real | Integer | Categorical | list of choices}``, parameters
        named as ``estimator.set_params`` takes them.
    search : {"bayes", "random", "grid", "hyperband", "bohb"}, default="bayes"
        The strategy. ``"grid"`` needs a grid size on every range
        (``Real(0.01, 0.3, n_points=5)``); integer ranges of at most 10 values are
        searched value by value. ``"hyperband"`` and ``"bohb"`` need ``resource``.
    time_budget : float or None, default=60
        Seconds for the whole fit, refit included. A net of :mod:`automl.nets` whose
        ``max_time`` is None trains for at most its trial's time limit per fold, and
        in the refit for what is left, instead of being stopped with its worker.
    max_trials : int or None, default=None
        Most configurations to try.
    scoring : str, scorer, CustomMetric, None, list of str or dict, default=None
        A metric of automl (``"roc_auc"``, ``"log_loss"``, ``"rmse"``, ...), a
        scikit-learn scorer name (``"neg_log_loss"``) or object, or a
        :class:`~automl.CustomMetric`. None: accuracy for a classifier, R² for a
        regressor (the estimator's ``score``). Scores keep the metric's own sign:
        lower is better for losses such as ``log_loss`` and ``rmse``. Several metrics
        (a list of automl's names, or a dict ``{key: metric}`` where the optimised
        one may be a scorer) fill ``cv_results_`` per key, as in scikit-learn, at no
        extra cost (trials score them all); ``refit`` names the one optimised.
    cv : int, CV splitter or iterable, default=5
        As in scikit-learn: an int is stratified K-fold for a classifier, K-fold for
        a regressor (not shuffled); a splitter receives ``groups``.
    n_jobs : int, default=-1
        Trials at once (-1: one per CPU).
    random_state : int or None, default=None
        Seed of the strategy.
    log_dir : str or None, default=None
        Directory of the trial log.
    resume : bool, default=False
        Continue the trial log in ``log_dir`` without re-running finished trials.
    resource : str or None, default=None
        The estimator parameter a multi-fidelity search grows (``"max_epochs"``,
        ``"n_estimators"``): at fidelity ``f`` it is ``round(max_resources * f)``
        clipped to ``[min_resources, max_resources]``; other strategies use
        ``max_resources``. A promoted configuration of a Torch estimator with
        ``resource="max_epochs"`` continues each fold's net of the lower rung
        (:mod:`automl.warm_store`) instead of training from epoch 0.
    min_resources, max_resources : int or None, default=None
        The resource's range; None: the estimator's own value as the maximum and a
        ninth of it as the minimum.
    refit : bool or str, default=True
        Fit the best configuration on all rows as ``best_estimator_`` (a fresh fit,
        also when promotions continued their folds' models). With several metrics:
        the key of the one to optimise and refit, or False (the first is optimised,
        ``best_*`` describe it, nothing is refitted).
    verbose : int, default=0
        0 silent, 1 a progress bar.

    Attributes
    ----------
    best_params_ : dict
        The best configuration (the resource's value included).
    best_score_ : float
        Its mean cross-validated score.
    best_index_ : int
        Its row in ``cv_results_``.
    best_estimator_ : estimator
        The estimator with ``best_params_`` fitted on all rows (``refit=True``).
    cv_results_ : dict of ndarray
        scikit-learn's shape, plus ``status`` and ``fidelity``.
    trials_ : pandas.DataFrame
        One row per trial: status, fidelity, score, times, error, parameters.
    n_trials_ : int
        Trials run (resumed ones included).
    n_splits_ : int
        Cross-validation folds.
    scorer_ : str or dict
        The name of the metric optimised; with several, ``{key: metric name}``.
    multimetric_ : bool
        Whether ``scoring`` named several metrics.
    refit_time_ : float
        Seconds the refit took.

    Examples
    --------
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> from automl import SearchCV, Real, Integer
    >>> search = SearchCV(HistGradientBoostingClassifier(),
    ...                   {"learning_rate": Real(0.01, 0.3, log=True),
    ...                    "max_leaf_nodes": Integer(8, 128, log=True)},
    ...                   time_budget=30, scoring="roc_auc")  # doctest: +SKIP
    >>> search.fit(X, y).best_params_  # doctest: +SKIP
    """

    def __init__(
        self,
        estimator: Any,
        space: dict[str, Any],
        *,
        search: str = "bayes",
        time_budget: float | None = 60,
        max_trials: int | None = None,
        scoring: Any = None,
        cv: Any = 5,
        n_jobs: int = -1,
        random_state: int | None = None,
        log_dir: str | None = None,
        resume: bool = False,
        resource: str | None = None,
        min_resources: int | None = None,
        max_resources: int | None = None,
        refit: bool | str = True,
        verbose: int = 0,
    ) -> None:
        self.estimator = estimator
        self.space = space
        self.search = search
        self.time_budget = time_budget
        self.max_trials = max_trials
        self.scoring = scoring
        self.cv = cv
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.log_dir = log_dir
        self.resume = resume
        self.resource = resource
        self.min_resources = min_resources
        self.max_resources = max_resources
        self.refit = refit
        self.verbose = verbose

    def __sklearn_tags__(self) -> Any:  # noqa: D105
        tags = super().__sklearn_tags__()
        try:
            from sklearn.utils import get_tags

            inner = get_tags(self.estimator)
            tags.estimator_type = inner.estimator_type
            tags.input_tags = inner.input_tags
        except Exception:
            pass
        tags.non_deterministic = True
        return tags

    # --- fit -------------------------------------------------------------------
    def fit(self, X: Any, y: Any, groups: Any = None, **fit_params: Any) -> SearchCV:
        """Search the space by cross-validation on ``X, y``; refit the best on all rows.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Handed to the estimator as given (an array stays an array).
        y : array-like of shape (n_samples,)
            Labels or values.
        groups : array-like of shape (n_samples,) or None, default=None
            Group labels for a group-aware ``cv`` splitter.
        **fit_params : dict
            Arguments of the estimator's ``fit``; arrays of one value per row
            (``sample_weight``) are cut to each fold's training rows.

        Returns
        -------
        SearchCV
            This estimator, fitted.
        """
        start = time.monotonic()
        for stale in ("best_estimator_", "_classes"):
            self.__dict__.pop(stale, None)
        params = self.get_params(deep=False)
        check_params(params)
        check_estimator_api("SearchCV", self.estimator)
        space = check_space("SearchCV", self.estimator, self.space)
        if self.search == "grid":
            space = grid_space(space)
        resource = check_resource(params, self.estimator, space)
        kind = kind_of(self.estimator)
        X_df, from_dataframe = as_input_frame(X)
        y_fit, task, n_classes, self._classes = target(y, kind, len(X_df))
        scoring = resolve_metrics(self.scoring, self.refit, kind, task, self._classes)
        metric, custom, self._metric = scoring.metric, scoring.custom, scoring.metric
        self.scorer_ = dict(scoring.metrics) if scoring.multimetric else metric
        folds = make_folds(self.cv, X, y, groups, kind)
        seed = (
            self.random_state
            if self.random_state is not None
            else int(np.random.default_rng().integers(2**31 - 1))
        )
        with warm_store(self.estimator, resource, self.search in MULTI_FIDELITY) as warm:
            graph = register_family(
                self.estimator,
                space,
                kind,
                self.search,
                resource,
                per_row_params(fit_params, len(X_df)),
                warm,
            )
            settings = {
                "estimator": repr(self.estimator),
                "space": repr(space),
                "search": self.search,
                "metric": metric,  # the optimised one; several also name the others
                **({"scoring": repr(scoring.metrics)} if scoring.multimetric else {}),
                "cv": repr(self.cv),
                "resource": repr(resource),
            }
            log = open_log(self.log_dir, self.resume, (X_df, y_fit, groups), settings, seed)
            seed = int(log.header.get("seed", seed))
            run = make_run(
                graph,
                X_df,
                from_dataframe,
                folds,
                task,
                n_classes,
                self.n_jobs,
                seed,
                metric,
                custom,
                self.search,
                resource,
            )
            budget = Budget(self.time_budget, self.max_trials, start=start)
            progress = SearchProgress(
                self.time_budget or self.max_trials,
                by_time=self.time_budget is not None,
                metric=metric,
                enabled=self.verbose >= 1,
            )
            with quiet_workers(self.verbose):
                run_search(run, X_df, y_fit, budget, log, progress)
        best = self._keep(log, scoring, len(folds), resource)
        max_time = refit_seconds(budget, best, len(folds))
        self._refit(X, y, fit_params, run.parallelism.threads, max_time)
        return self

    def _keep(self, log: RunLog, scoring: Scoring, n_splits: int, resource: Any) -> dict[str, Any]:
        records = sorted(log.records, key=lambda r: r["trial"])
        attributes, best = search_attributes(records, scoring, n_splits, resource)
        self.__dict__.update(attributes)  # n_trials_, cv_results_, best_index_, ...
        return best

    def _refit(
        self, X: Any, y: Any, fit_params: dict[str, Any], threads: int, max_time: float | None
    ) -> None:
        self.refit_time_ = 0.0
        if self.refit:
            t0 = time.monotonic()
            self.best_estimator_ = refit_best(
                self.estimator, self.best_params_, X, y, fit_params, threads, max_time
            )
            self.refit_time_ = time.monotonic() - t0

    # --- delegated to best_estimator_ -----------------------------------------------
    def _best(self) -> Any:
        if not hasattr(self, "best_params_"):
            raise NotFittedError(
                "This SearchCV instance is not fitted yet. Call 'fit' with appropriate "
                "arguments before using this estimator."
            )
        if not hasattr(self, "best_estimator_"):
            raise NotFittedError(
                "SearchCV(refit=False) keeps no fitted estimator, so it cannot predict. Fit "
                "one yourself with estimator.set_params(**search.best_params_), or search "
                "with refit=True."
            )
        return self.best_estimator_

    @property
    def classes_(self) -> np.ndarray:
        """The classes, in the estimator's order (classification)."""
        if hasattr(self, "best_estimator_") and hasattr(self.best_estimator_, "classes_"):
            return np.asarray(self.best_estimator_.classes_)
        if getattr(self, "_classes", None) is not None:
            return np.asarray(self._classes)
        raise AttributeError("classes_ is set by fit, for a classifier.")

    @property
    def n_features_in_(self) -> int:
        """Columns of X at fit."""
        return int(self._best().n_features_in_)

    def predict(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows, as in fit.

        Returns
        -------
        ndarray of shape (n_samples,)
            Predicted labels or values.
        """
        return self._best().predict(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows, as in fit.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Class probabilities, in ``classes_`` order.
        """
        return self._best().predict_proba(X)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``best_estimator_.predict_log_proba``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows, as in fit.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Log class probabilities.
        """
        return self._best().predict_log_proba(X)

    def decision_function(self, X: Any) -> np.ndarray:
        """``best_estimator_.decision_function``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows, as in fit.

        Returns
        -------
        ndarray
            Decision scores.
        """
        return self._best().decision_function(X)

    def score(self, X: Any, y: Any) -> float:
        """The search's metric of ``best_estimator_`` on ``X, y`` (as ``best_score_`` reads).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Held-out rows.
        y : array-like of shape (n_samples,)
            Their labels or values.

        Returns
        -------
        float
            The optimised metric (``best_score_``'s), with its own sign.
        """
        return score_best(self._best(), self._metric, kind_of(self.estimator), X, y)
