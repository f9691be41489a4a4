"""AutoMLClassifier: the public face. It orchestrates; the parts compute."""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from . import metrics as M
from .data import (
    encode_target,
    encode_with_classes,
    validate_fit_data,
    validate_predict_data,
)
from .exceptions import DataError, NotFittedError
from .final_model import FinalModel, build_final_model, describe_steps
from .folds import make_folds
from .graph import PipelineGraph
from .graph.choice import choose_graph
from .leaderboard import build_leaderboard
from .models import ModelContext
from .params import validate_params
from .prior import prior_final_model
from .profile import profile_data
from .progress import SearchProgress
from .run_context import Parallelism, RunContext, ThresholdPolicy, positive_index
from .runlog import RunLog
from .schema import Schema, infer_schema
from .search.budget import Budget
from .search.events import quiet_workers
from .search.executor import resolve_memory_limit
from .search.session import run_search

logger = logging.getLogger("automl")


class AutoMLClassifier(ClassifierMixin, BaseEstimator):
    """Automated machine learning for tabular classification.

    Searches a pipeline graph (imputation, encoding, scaling, resampling, model
    family and hyperparameters) with cross-validation under a time budget,
    then refits the best configurations on all the data as a weighted ensemble.

    Parameters
    ----------
    time_budget : float or None, default=60
        Seconds for the whole ``fit``, final refit included. None: no time limit
        (then ``max_trials`` should be set).
    max_trials : int or None, default=None
        Most trials to run.
    metric : str, default="roc_auc"
        What the search optimises: ``roc_auc``, ``f1``, ``average_precision``
        (alias ``pr_auc``), ``log_loss``, ``balanced_accuracy``, ``accuracy``, ``mcc``.
    models : list of str or None, default=None
        Model families to search (``logreg``, ``random_forest``, ``extra_trees``,
        ``hist_gb``, ``xgboost``, ``mlp``); None: all in the pipeline preset.
    cv : int, "auto" or CV splitter, default="auto"
        Folds for stratified K-fold; "auto" uses 5 up to 10,000 rows and 3 above.
    pipeline : str, PipelineGraph or "auto", default="auto"
        A preset name (``default``, ``fast``, ``imbalanced``), a path to a
        ``.toml`` preset, or a graph. "auto" uses ``imbalanced`` when the rarest
        class is under a quarter of the most common one (for two classes: under
        20 % of rows), else ``default``.
    search : {"bayes", "random", "grid"}, default="bayes"
        Search strategy.
    ensemble : bool, default=True
        Blend the best trials by greedy ensemble selection on out-of-fold
        predictions; False refits the single best trial.
    threshold : "auto", float or None, default="auto"
        Binary decision threshold for ``predict``. "auto" tunes it on
        out-of-fold predictions: for ``metric`` when it is a threshold metric
        (f1, balanced_accuracy, mcc, accuracy); for the positive class's F1 when
        the metric ranks (roc_auc, ...) and the ``imbalanced`` pipeline is in
        use; otherwise predicts at 0.5. None always predicts at 0.5.
    pos_label : label or None, default=None
        Positive class for binary threshold metrics; None: the minority class.
    n_jobs : int, default=-1
        Trials evaluated in parallel (-1: one per CPU, each model single-threaded,
        which is the fastest on small and medium data); with ``n_jobs=1`` one
        trial runs at a time and its model uses every CPU as threads.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where nets train; "auto" uses CUDA when available. XGBoost moves to the
        GPU only with "cuda".
    memory_limit : "auto", float or None, default="auto"
        Megabytes of resident memory one trial's worker process may hold; a trial
        past it is stopped and logged as failed for lack of memory, and the search
        goes on. "auto": 80 % of the machine's memory split among the parallel
        trials; None: no limit. Checked on Linux; not applied on a Dask cluster.
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
    classes_ : ndarray
        Class labels.
    leaderboard_ : pandas.DataFrame
        One row per trial, best first.
    best_pipeline_ : imblearn.pipeline.Pipeline
        The best trial's pipeline refitted on all the data.
    best_config_ : dict
        Its configuration.
    ensemble_ : list of dict
        ``{"trial", "weight"}`` of the members of the final model.
    threshold_ : float or None
        Binary decision threshold used by ``predict``.
    cv_score_ : float
        Out-of-fold estimate of ``metric`` for the final model.
    trials_ : list of dict
        The trial log.

    Examples
    --------
    >>> from sklearn.datasets import load_breast_cancer
    >>> from automl import AutoMLClassifier
    >>> X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    >>> clf = AutoMLClassifier(time_budget=30, random_state=0).fit(X, y)  # doctest: +SKIP
    >>> clf.leaderboard_.head()  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        time_budget: float | None = 60,
        max_trials: int | None = None,
        metric: str = "roc_auc",
        models: list[str] | None = None,
        cv: Any = "auto",
        pipeline: Any = "auto",
        search: str = "bayes",
        ensemble: bool = True,
        threshold: Any = "auto",
        pos_label: Any = None,
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
        self.threshold = threshold
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.device = device
        self.memory_limit = memory_limit
        self.log_dir = log_dir
        self.resume = resume
        self.random_state = random_state
        self.verbose = verbose

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = self.time_budget is not None
        return tags

    # --- fit ------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> AutoMLClassifier:
        """Search pipelines on ``X, y`` and fit the final model.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numeric, categorical, boolean and date-time columns; NaN allowed.
        y : array-like of shape (n_samples,)
            Class labels of any type; no missing values.

        Returns
        -------
        self : AutoMLClassifier
            The fitted estimator.
        """
        t_start = time.monotonic()
        validate_params(self.get_params(deep=False))
        X_df, y_raw = validate_fit_data(X, y)
        schema = infer_schema(X_df)
        y_enc, classes = encode_target(y_raw)
        self.classes_ = classes
        self.n_features_in_ = schema.n_features_in
        if schema.from_dataframe:
            self.feature_names_in_ = np.asarray(schema.columns, dtype=object)
        self.schema_ = schema
        self.metric_ = M.ALIASES.get(self.metric, self.metric)
        self.pos_index_ = positive_index(classes, y_enc, self.pos_label)
        self.profile_ = profile_data(X_df, y_enc, classes, schema)
        graph, notes = choose_graph(self.pipeline, self.models, y_enc)
        self.notes_ = list(schema.notes) + notes
        for note in notes:
            self._say(note)
        if len(schema.dropped) == schema.n_features_in:
            final = prior_final_model(y_enc, len(classes), self.metric_, self.pos_index_, schema)
            self._say(final.notes[0])
            self._keep(final, [], y_enc, t_start, time.monotonic())
            return self
        seed = (
            self.random_state
            if self.random_state is not None
            else int(np.random.default_rng().integers(2**31 - 1))
        )
        log = RunLog(
            self.log_dir,
            header={**self._log_header(X_df, y_enc, graph), "seed": seed},
            resume=self.resume,
        )
        seed = int(log.header.get("seed", seed))  # a resumed run keeps its first seed
        run = self._run_context(graph, schema, X_df, y_enc, seed)
        self.graph_ = graph
        self.graph_description_ = graph.describe(run.model)
        budget = Budget(self.time_budget, self.max_trials, start=t_start)
        progress = SearchProgress(
            self.time_budget or self.max_trials,
            by_time=self.time_budget is not None,
            metric=self.metric_,
            enabled=self.verbose >= 1,
        )
        with quiet_workers(self.verbose) as events:
            run_search(run, X_df, y_enc, budget, log, progress)
        self.notes_.extend(events.notes())
        search_end = time.monotonic()
        with parallel_config(backend="sequential"):  # the refit runs here, not on a cluster
            final = build_final_model(
                run, log, X_df, y_enc, time_left=budget.left() - 0.5 if budget.time_budget else None
            )
        self._keep(final, log.records, y_enc, t_start, search_end)
        return self

    def _say(self, note: str) -> None:
        logger.info(note)
        if self.verbose >= 2:
            print(f"[automl] {note}")

    def _run_context(
        self, graph: PipelineGraph, schema: Schema, X: pd.DataFrame, y: np.ndarray, seed: int
    ) -> RunContext:
        """Decide, once, everything the search and the final model share."""
        folds, fold_notes = make_folds(self.cv, X, y, random_state=seed, classes=self.classes_)
        self.notes_.extend(fold_notes)
        parallelism = Parallelism.decide(self.n_jobs, len(y), schema.n_features_in)
        n_classes = len(self.classes_)
        return RunContext(
            graph=graph,
            schema=schema,
            folds=folds,
            model=ModelContext(
                task="binary" if n_classes == 2 else "multiclass",
                n_classes=n_classes,
                n_rows=len(y),
                n_features=schema.n_features_in,
                n_threads=parallelism.threads,
                random_state=seed,
                device=self.device,
            ),
            metric=self.metric_,
            pos_index=self.pos_index_,
            threshold=ThresholdPolicy.decide(self.threshold, self.metric_, n_classes, graph.name),
            parallelism=parallelism,
            strategy=self.search,
            seed=seed,
            ensemble=bool(self.ensemble),
            memory_limit_mb=resolve_memory_limit(self.memory_limit, parallelism.trials),
        )

    def _log_header(self, X: pd.DataFrame, y: np.ndarray, graph: PipelineGraph) -> dict:
        import joblib

        settings = {
            "metric": self.metric,
            "pipeline": graph.name,
            "families": list(graph.families),
            "cv": str(self.cv),
            "search": self.search,
            "random_state": self.random_state,
            "pos_label": None if self.pos_label is None else str(self.pos_label),
        }
        return {"fingerprint": joblib.hash((X, y)), "settings": settings}

    def _keep(
        self,
        final: FinalModel,
        records: list[dict[str, Any]],
        y: np.ndarray,
        t_start: float,
        search_end: float,
    ) -> None:
        """Store the final model and what the run measured as fitted attributes."""
        self.trials_ = records
        self.leaderboard_ = build_leaderboard(records, self.metric_)
        self.final_model_ = final.model
        self.best_pipeline_ = final.best_pipeline
        self.best_config_ = final.best_record["config"]
        self.best_trial_ = final.best_record
        self.ensemble_ = [{"trial": t, "weight": w} for t, w in final.weights.items()]
        self.threshold_ = final.threshold
        self.threshold_std_ = final.threshold_std
        self.oof_proba_ = final.oof
        self.oof_y_ = y
        self.cv_score_ = final.cv_score
        self.refit_step_times_ = final.step_times
        self.best_pipeline_steps_ = describe_steps(final.best_pipeline)
        end = time.monotonic()
        self.timings_ = {
            "budget": self.time_budget,
            "search": search_end - t_start,
            "refit": end - search_end,
            "total": end - t_start,
            "predicted_refit": final.predicted_refit,
        }
        self.notes_.extend(final.notes)

    # --- predict --------------------------------------------------------------
    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "final_model_")
        except Exception:
            raise NotFittedError(
                "This AutoMLClassifier instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            ) from None

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, one column per class in ``classes_`` order."""
        self._check_fitted()
        X_df = validate_predict_data(X, self.schema_)
        return self.final_model_.predict_proba(X_df)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels; binary: the positive class at probability >= ``threshold_``."""
        proba = self.predict_proba(X)
        labels = M.predict_labels(proba, pos_index=self.pos_index_, threshold=self.threshold_)
        return self.classes_[labels]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict`` (scikit-learn's convention); ``evaluate`` gives the rest."""
        return super().score(X, y, sample_weight=sample_weight)

    def evaluate(self, X: Any, y: Any) -> dict[str, float]:
        """Every reported metric on held-out data, using ``threshold_``.

        Labels in ``y`` that were not seen in fit raise a :class:`~automl.exceptions.DataError`.
        """
        proba = self.predict_proba(X)
        y_enc = encode_with_classes(y, self.classes_)
        if len(y_enc) != len(proba):
            raise DataError(
                f"X has {len(proba)} rows but y has {len(y_enc)} labels; they must "
                "have the same length."
            )
        return M.score_all(y_enc, proba, pos_index=self.pos_index_, threshold=self.threshold_)

    # --- outputs ---------------------------------------------------------------
    def report(self, path: str) -> str:
        """Write the run report (``.html`` or ``.md``) and return its path."""
        self._check_fitted()
        from .report.run_report import write_run_report

        return str(write_run_report(self, path))

    def save(self, path: str) -> str:
        """Save the fitted estimator atomically; see :func:`automl.load`."""
        from .persistence import save

        self._check_fitted()
        return save(self, path)


__all__ = ["AutoMLClassifier", "Schema"]
