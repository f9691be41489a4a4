"""AutoMLRegressor: the same engine as the classifier, for numeric targets."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import RegressorMixin

from . import metrics as M
from .base_estimator import AutoMLBase
from .data import validate_features, validate_predict_data
from .exceptions import ConfigError, DataError
from .final_model import FinalModel
from .graph import PipelineGraph
from .group_folds import group_folds
from .models import ModelContext
from .prior import prior_regression_model
from .profile import profile_regression
from .regression_target import regression_folds, validate_regression_target
from .run_context import Folds
from .sample_weight import validate_sample_weight
from .schema import Schema

#: The preset ``pipeline="auto"`` uses for regression.
REGRESSION_PRESET = "regression"


class AutoMLRegressor(RegressorMixin, AutoMLBase):
    """Automated machine learning for tabular regression.

    Searches a pipeline graph (imputation, encoding, scaling, a transform of the
    target, model family and hyperparameters) with shuffled K-fold cross-validation
    under a time budget, then refits the best configurations on all the data as a
    weighted ensemble chosen to minimise ``metric`` on out-of-fold predictions.

    Parameters
    ----------
    time_budget : float or None, default=60
        Seconds for the whole ``fit``, final refit included. None: no time limit
        (then ``max_trials`` should be set).
    max_trials : int or None, default=None
        Most trials to run.
    metric : str, default="rmse"
        What the search optimises: ``rmse``, ``mae``, ``r2``, ``mape``, ``rmsle``
        (every target must be above -1) or ``median_ae``.
    models : list of str and Family, or None, default=None
        Model families to search (``linear``, ``random_forest``, ``extra_trees``,
        ``hist_gb``, ``xgboost``, ``lightgbm``, ``catboost``, ``mlp``) and your own
        :class:`~automl.Family` objects; None: all in the pipeline preset.
    cv : int, "auto", "stratified" or CV splitter, default="auto"
        Shuffled K-fold; "auto" uses 5 folds up to 10,000 rows and 3 above;
        "stratified" balances 5 folds on deciles of the target.
    pipeline : str, PipelineGraph or "auto", default="auto"
        A regression preset name, a path to a ``.toml`` preset, or a graph; "auto"
        uses ``regression``. Its target transforms (``log1p``, ``yeo_johnson``,
        ``quantile``) are fitted inside each training fold and inverted at
        predict; ``log1p`` is left out when the target has negative values.
    search : {"auto", "bayes", "random", "grid", "hyperband", "bohb"}, default="auto"
        Search strategy. "auto" is ``"bohb"`` on large data (from 50,000 rows, when
        a default trial on all rows is predicted to take over 5 s; see
        :mod:`automl.large_data`) and ``"bayes"`` otherwise; ``search_`` says which ran.
        ``"hyperband"`` and ``"bohb"`` are multi-fidelity: many
        configurations first train on a stratified subsample of each training fold
        (scored on the whole scoring fold), and the best ``1/3`` move on to three
        times the rows, up to full fidelity; ``"bohb"`` proposes new configurations
        from a surrogate model. The final model and the ensemble use full-fidelity
        trials only. On data under about 1,500 rows both search at full fidelity.
    ensemble : bool, default=True
        Blend the best trials by greedy ensemble selection on out-of-fold
        predictions; False refits the single best trial.
    final_model : {"refit", "bag", "auto"}, default="refit"
        How the members of the final model are made. "refit": each is refitted on
        all rows. "bag": each is the average of the fold models its cross-validation
        already trained (no refit time, so the search keeps none in reserve; the
        out-of-fold predictions that chose and weighed the members, and tuned the
        threshold, are exactly these models'); a member whose fold models were not
        kept (data over 1,000,000 cells, a Dask cluster, beyond the best 20 trials)
        is refitted, with a note. "auto": "bag" with at least 3 k-fold folds, else
        "refit". K fold models cost K times the memory and prediction time. The
        default stays "refit": at 60 s on 13 regression and 10 classification
        tables the bag was not better (``benchmarks/experiment_bagging.py``).
    n_jobs : int, default=-1
        Trials evaluated in parallel (-1: one per CPU).
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where nets train; "auto" uses CUDA when available.
    memory_limit : "auto", float or None, default="auto"
        Megabytes of resident memory one trial's worker process may hold.
    log_dir : str or None, default=None
        Directory for the trial log; needed to resume a killed run.
    resume : bool, default=False
        Continue the trial log in ``log_dir`` without re-running finished trials.
    random_state : int or None, default=None
        Seed for folds, search and models.
    verbose : int, default=0
        0 silent, 1 a progress bar, 2 also log messages.

    Attributes
    ----------
    leaderboard_ : pandas.DataFrame
        One row per trial, best first, with the CV mean and std of every
        regression metric.
    best_pipeline_ : imblearn.pipeline.Pipeline
        The best trial's pipeline refitted on all the data (a
        :class:`~automl.bagging.BaggedPipeline` of its fold pipelines when bagged).
    best_config_ : dict
        Its configuration.
    ensemble_ : list of dict
        ``{"trial", "weight"}`` of the members of the final model.
    cv_score_ : float
        Out-of-fold estimate of ``metric`` for the final model.
    final_model_kind_ : {"bagged", "refit", "mixed"}
        Whether the members are bagged fold models, refits on all rows, or both.
    search_ : str
        The search strategy that ran (``search`` with "auto" resolved).
    oof_proba_ : ndarray of shape (n_samples, 1)
        Out-of-fold predictions of the final blend (named as the classifier's).
    trials_ : list of dict
        The trial log.
    explanation_ : Explanation or None
        What the last ``feature_importance`` call measured (importances, partial
        dependence), shown by ``report``; None until it is called.

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from automl import AutoMLRegressor
    >>> X, y = load_diabetes(return_X_y=True, as_frame=True)
    >>> reg = AutoMLRegressor(time_budget=30, random_state=0).fit(X, y)  # doctest: +SKIP
    >>> reg.leaderboard_.head()  # doctest: +SKIP
    """

    _task_kind = "regression"

    def __init__(
        self,
        *,
        time_budget: float | None = 60,
        max_trials: int | None = None,
        metric: str = "rmse",
        models: list[str] | None = None,
        cv: Any = "auto",
        pipeline: Any = "auto",
        search: str = "auto",
        ensemble: bool = True,
        final_model: str = "refit",
        n_jobs: int = -1,
        device: str = "auto",
        memory_limit: Any = "auto",
        log_dir: str | None = None,
        resume: bool = False,
        random_state: int | None = None,
        verbose: int = 0,
    ) -> None:
        self.time_budget = time_budget
        self.max_trials = max_trials
        self.metric = metric
        self.models = models
        self.cv = cv
        self.pipeline = pipeline
        self.search = search
        self.ensemble = ensemble
        self.final_model = final_model
        self.n_jobs = n_jobs
        self.device = device
        self.memory_limit = memory_limit
        self.log_dir = log_dir
        self.resume = resume
        self.random_state = random_state
        self.verbose = verbose

    # --- the task's hooks (see AutoMLBase) ----------------------------------------
    def _validate(self, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        X_df = validate_features(X)
        target = validate_regression_target(y, len(X_df))
        if self.metric_ == "rmsle" and target.min() <= -1:
            raise DataError(
                f"metric='rmsle' needs every target above -1; the smallest is {target.min()!r}. "
                "Hint: use 'rmse' or 'mae', or shift the target."
            )
        return X_df, target

    def _profile(self, X: pd.DataFrame, y: np.ndarray, schema: Schema) -> dict[str, Any]:
        return profile_regression(X, y, schema)

    def _choose_graph(self, y: np.ndarray) -> tuple[PipelineGraph, list[str]]:
        pipeline = self.pipeline
        if isinstance(pipeline, str) and pipeline == "auto":
            pipeline = REGRESSION_PRESET
        if isinstance(pipeline, PipelineGraph):
            graph = pipeline
        elif isinstance(pipeline, (str, os.PathLike)):
            graph = PipelineGraph.from_preset(str(pipeline))
        else:
            raise ConfigError(
                "The 'pipeline' parameter of AutoMLRegressor must be 'auto', a preset name, a "
                f".toml path or a PipelineGraph. Got {self.pipeline!r} instead."
            )
        if graph.task != "regression":
            raise ConfigError(
                f"Pipeline {graph.name!r} is a {graph.task} graph; AutoMLRegressor needs a "
                f"regression one (e.g. {REGRESSION_PRESET!r})."
            )
        if self._model_names is not None:
            graph = graph.with_families(self._model_names)
        notes = []
        if y.min() < 0 and "log1p" in graph.target:
            graph = graph.without_target_transform("log1p")
            notes.append("The target has negative values: the log1p target transform is left out.")
        return graph, notes

    def _model_context(
        self, y: np.ndarray, schema: Schema, threads: int, seed: int
    ) -> ModelContext:
        return ModelContext(
            task="regression",
            n_classes=1,
            n_rows=len(y),
            n_features=schema.n_features_in,
            n_threads=threads,
            random_state=seed,
            device=self.device,
        )

    def _folds(
        self, X: pd.DataFrame, y: np.ndarray, seed: int, groups: np.ndarray | None
    ) -> tuple[Folds, list[str]]:
        if groups is not None:
            return group_folds(self.cv, X, y, groups, random_state=seed, stratify=False)
        return regression_folds(self.cv, X, y, random_state=seed, time_budget=self.time_budget)

    def _prior(self, y: np.ndarray, schema: Schema, weights: np.ndarray | None) -> FinalModel:
        return prior_regression_model(y, self.metric_, schema, weights)

    # --- fit and predict ----------------------------------------------------------
    def fit(self, X: Any, y: Any, groups: Any = None, sample_weight: Any = None) -> AutoMLRegressor:
        """Search pipelines on ``X, y`` and fit the final model.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numeric, categorical, boolean and date-time columns; NaN allowed.
        y : array-like of shape (n_samples,)
            Numbers; no missing or infinite values, not constant.
        groups : array-like of shape (n_samples,) or None, default=None
            A group label per row (a customer, a patient, a session): the folds keep
            each group together, with ``cv="auto"`` or an int (stratified group
            K-fold for classes, group K-fold for regression) and with any splitter
            given as ``cv`` (it receives ``groups``). The threshold and the
            ensemble are chosen on the same folds.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            A non-negative weight per row (not all zero; NaN, infinite or negative
            weights and another length than X are errors). Each fold's model is
            fitted with its rows' weights, and every score is weighted: the CV fold
            scores, the tuned threshold, the ensemble selection and ``cv_score_``
            (your own metric too, when its function takes ``sample_weight``).
            Class weights (``class_weight="balanced"``) multiply them. Model
            families that cannot take weights (``mlp``) and samplers that make
            synthetic rows (SMOTE family, ADASYN) are left out of the search, with
            a note in ``notes_``; the random over- and under-samplers keep each
            kept or copied row's weight. Preprocessing is fitted unweighted.

        Returns
        -------
        AutoMLRegressor
            This estimator (``self``), fitted.
        """
        self._fit(X, y, groups, sample_weight)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values of the final model (the weighted blend of its members).

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Columns as in fit.

        Returns
        -------
        ndarray of shape (n_samples,)
            The predicted target of each row.
        """
        self._check_fitted()
        X_df = validate_predict_data(X, self.schema_)
        return self.final_model_.predict_matrix(X_df)[:, 0]

    def evaluate(self, X: Any, y: Any, sample_weight: Any = None) -> dict[str, float]:
        """Every regression metric on held-out data.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Held-out rows.
        y : array-like of shape (n_samples,)
            Their true values.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights of every metric (checked as in ``fit``).

        Returns
        -------
        dict of str to float
            ``rmse``, ``mae``, ``r2``, ``mape``, ``rmsle`` (NaN when a target is at
            or below -1) and ``median_ae``, and the metric fitted for when it is your own.
        """
        pred = self.predict(X)
        target = validate_regression_target(y, len(pred), allow_constant=True)
        weights = validate_sample_weight(sample_weight, len(target))
        return M.score_all(
            target, pred.reshape(-1, 1), names=self._reported(), sample_weight=weights
        )
