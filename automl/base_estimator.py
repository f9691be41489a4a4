"""What the AutoML classifier and regressor share: the fit flow and its fitted state.

``fit`` validates the data, chooses the pipeline graph, decides the run context
once, searches, and builds the final model. What differs between the tasks (the
target, the graph, the folds, the threshold, the prior model) is asked of the
subclass through a few small hooks; nothing else here knows which task it runs.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
import pandas as pd
from joblib import parallel_config
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from . import metrics as M
from .custom_metrics import as_metric
from .exceptions import NotFittedError
from .family import register_families
from .final_model import FinalModel, build_final_model
from .fold_models import decide_final_model, fold_model_store
from .graph import PipelineGraph
from .graph.compile import describe_steps
from .group_folds import validate_groups
from .large_data import resolve_search
from .leaderboard import build_leaderboard
from .log_header import open_fit_log
from .models import ModelContext
from .params import validate_params
from .progress import SearchProgress
from .run_context import Folds, Parallelism, RunContext, ThresholdPolicy, reported_metrics
from .sample_weight import (
    check_weighted_classes,
    graph_for_weights,
    unweighted_metric_note,
    validate_sample_weight,
)
from .schema import Schema, infer_schema
from .search.budget import Budget
from .search.events import quiet_workers
from .search.executor import resolve_memory_limit
from .search.session import run_search

logger = logging.getLogger("automl")


class AutoMLBase(BaseEstimator):
    """The fit flow shared by the AutoML classifier and regressor.

    Subclasses store their parameters in ``__init__`` (scikit-learn reads them from
    its signature) and implement the hooks ``_validate``, ``_profile``,
    ``_choose_graph``, ``_model_context``, ``_folds``, ``_threshold_policy`` and
    ``_prior``.
    """

    #: "classification" or "regression"; set by each subclass.
    _task_kind: str = "classification"
    # Parameters that every subclass stores in ``__init__``, typed for the checker.
    metric: str
    random_state: int | None
    models: Any
    final_model: str
    #: The names of ``models`` (a :class:`~automl.Family` by its name), set when fit starts.
    _model_names: list[str] | None = None

    def __sklearn_tags__(self) -> Any:  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.non_deterministic = self.time_budget is not None
        return tags

    # --- hooks -------------------------------------------------------------------
    def _validate(self, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        raise NotImplementedError

    def _profile(self, X: pd.DataFrame, y: np.ndarray, schema: Schema) -> dict[str, Any]:
        raise NotImplementedError

    def _choose_graph(self, y: np.ndarray) -> tuple[PipelineGraph, list[str]]:
        raise NotImplementedError

    def _model_context(
        self, y: np.ndarray, schema: Schema, threads: int, seed: int
    ) -> ModelContext:
        raise NotImplementedError

    def _folds(
        self, X: pd.DataFrame, y: np.ndarray, seed: int, groups: np.ndarray | None
    ) -> tuple[Folds, list[str]]:
        raise NotImplementedError

    def _threshold_policy(self, graph: PipelineGraph) -> ThresholdPolicy:
        return ThresholdPolicy()

    def _prior(self, y: np.ndarray, schema: Schema, weights: np.ndarray | None) -> FinalModel:
        raise NotImplementedError

    # --- fit ---------------------------------------------------------------------
    def _fit(self, X: Any, y: Any, groups: Any = None, sample_weight: Any = None) -> None:
        """Validate, search and build the final model; the fitted state lands on ``self``."""
        t_start = time.monotonic()
        name = type(self).__name__
        validate_params(self.get_params(deep=False), name, self._task_kind)
        custom = not isinstance(self.metric, str)
        self.metric_ = "" if custom else M.ALIASES.get(self.metric, self.metric)
        X_df, y_fit = self._validate(X, y)
        self.custom_metric_ = None
        if custom:
            self.custom_metric_ = as_metric(
                self.metric, self._task(), getattr(self, "classes_", None)
            )
            M.register_metric(self.custom_metric_)
            self.metric_ = self.custom_metric_.name
        group_labels = None if groups is None else validate_groups(groups, len(X_df))
        weights = validate_sample_weight(sample_weight, len(X_df))
        if weights is not None and self._task_kind == "classification":
            check_weighted_classes(y_fit, weights, self.classes_)
        schema = infer_schema(X_df)
        self.n_features_in_ = schema.n_features_in
        if schema.from_dataframe:
            self.feature_names_in_ = np.asarray(schema.columns, dtype=object)
        self.schema_ = schema
        self.profile_ = self._profile(X_df, y_fit, schema)
        self._model_names = register_families(self.models, self._task_kind)
        graph, notes = self._choose_graph(y_fit)
        if weights is not None:
            graph, weight_notes = graph_for_weights(graph)
            notes += weight_notes + unweighted_metric_note(self.custom_metric_)
        self.notes_ = list(schema.notes) + notes
        for note in notes:
            self._say(note)
        if len(schema.dropped) == schema.n_features_in:
            final = self._prior(y_fit, schema, weights)
            self._say(final.notes[0])
            self._keep(final, [], y_fit, t_start, time.monotonic())
            return
        log = open_fit_log(self, X_df, y_fit, graph, group_labels, weights)
        seed = int(log.header["seed"])  # a resumed run keeps its first seed
        run = self._run_context(graph, schema, X_df, y_fit, seed, group_labels)
        self.graph_ = graph
        self.graph_description_ = graph.describe(run.model)
        budget = Budget(self.time_budget, self.max_trials, start=t_start)
        progress = SearchProgress(
            self.time_budget or self.max_trials,
            by_time=self.time_budget is not None,
            metric=self.metric_,
            enabled=self.verbose >= 1,
        )
        with fold_model_store(run, log.dir) as run:  # removed when the final model is built
            with quiet_workers(self.verbose) as events:
                run_search(run, X_df, y_fit, budget, log, progress, sample_weight=weights)
            self.notes_.extend(events.notes())
            search_end = time.monotonic()
            time_left = budget.left() - 0.5 if budget.time_budget else None
            with parallel_config(backend="sequential"):  # the refit runs here, not on a cluster
                final = build_final_model(
                    run, log, X_df, y_fit, time_left=time_left, sample_weight=weights
                )
        self._keep(final, log.records, y_fit, t_start, search_end)

    def _task(self) -> str:
        """``"regression"``, or ``"binary"``/``"multiclass"`` once the classes are known."""
        if self._task_kind == "regression":
            return "regression"
        return "binary" if len(getattr(self, "classes_", ())) == 2 else "multiclass"

    def _reported(self) -> tuple[str, ...]:
        """The metrics ``evaluate`` and the leaderboard report (the user's own metric too)."""
        return reported_metrics(self._task(), self.metric_)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Unpickle; a user's metric becomes known again by its name in this process."""
        self.__dict__.update(state)
        custom = state.get("custom_metric_")
        if custom is not None:
            M.register_metric(custom)

    def _say(self, note: str) -> None:
        logger.info(note)
        if self.verbose >= 2:
            print(f"[automl] {note}")

    def _run_context(
        self,
        graph: PipelineGraph,
        schema: Schema,
        X: pd.DataFrame,
        y: np.ndarray,
        seed: int,
        groups: np.ndarray | None,
    ) -> RunContext:
        """Decide, once, everything the search and the final model share."""
        folds, fold_notes = self._folds(X, y, seed, groups)
        final_model, final_notes = decide_final_model(
            self.final_model, folds, len(y), schema.n_features_in
        )
        self.notes_.extend(fold_notes + final_notes)
        self.search_ = resolve_search(self.search, len(y), X.shape[1], len(folds), self.time_budget)
        parallelism = Parallelism.decide(self.n_jobs, len(y), schema.n_features_in)
        return RunContext(
            graph=graph,
            schema=schema,
            folds=folds,
            model=self._model_context(y, schema, parallelism.threads, seed),
            metric=self.metric_,
            pos_index=getattr(self, "pos_index_", 1),
            threshold=self._threshold_policy(graph),
            parallelism=parallelism,
            strategy=self.search_,
            seed=seed,
            ensemble=bool(self.ensemble),
            memory_limit_mb=resolve_memory_limit(self.memory_limit, parallelism.trials),
            custom_metric=self.custom_metric_,
            final_model=final_model,
        )

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
        self.final_model_kind_ = final.kind
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
        self.explanation_ = None  # feature_importance measures it, on held-out rows

    # --- shared outputs ---------------------------------------------------------------
    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "final_model_")
        except Exception:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            ) from None

    def report(self, path: str) -> str:
        """Write the run report (``.html`` or ``.md``) and return its path.

        Parameters
        ----------
        path : str
            Where to write; the suffix picks the format.

        Returns
        -------
        str
            The path written.
        """
        self._check_fitted()
        from .report.run_report import write_run_report

        return str(write_run_report(self, path))

    def feature_importance(
        self,
        X: Any,
        y: Any,
        *,
        n_repeats: int = 5,
        scoring: str | None = None,
        random_state: int | None = None,
        method: str = "permutation",
    ) -> pd.DataFrame:
        """Importance of each input column of the final model, measured on held-out rows.

        Permutation importance: the drop in the metric when one column's values
        are shuffled, for the whole final model (preprocessing and ensemble) and
        the raw columns given to ``fit``. Pass rows the model did not train on
        (a test set): on training rows it measures what the model memorised. The
        result and the partial dependence of the top columns are stored as
        ``explanation_`` (kept by ``save``) for :meth:`report`.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Held-out rows with the fit columns.
        y : array-like of shape (n_samples,)
            Their true labels or values.
        n_repeats : int, default=5
            Shuffles per column.
        scoring : str or None, default=None
            A metric name; None: the fit's metric (your own included).
        random_state : int or None, default=None
            Seed of the shuffles.
        method : {"permutation", "shap"}, default="permutation"
            ``"shap"``: mean absolute SHAP value per column, from the best tree
            member of the final model (needs ``pip install automl-tabular[shap]``).

        Returns
        -------
        pandas.DataFrame
            Indexed by input column, most important first: ``importance`` (mean
            drop; a loss's rise), ``stddev`` and ``p_value`` over repeats, ``n``.
        """
        from .explain import feature_importance

        return feature_importance(
            self,
            X,
            y,
            n_repeats=n_repeats,
            scoring=scoring,
            random_state=random_state,
            method=method,
        )

    def save(self, path: str) -> str:
        """Save the fitted estimator atomically; see :func:`automl.load`.

        Parameters
        ----------
        path : str
            The model file to write.

        Returns
        -------
        str
            The path written.
        """
        from .persistence import save

        self._check_fitted()
        return save(self, path)

    def export_onnx(self, path: str, *, numeric_dtype: str = "float64") -> str:
        """Write the whole final model (preprocessing and every member) as one ONNX graph.

        Inputs are named as the fit's columns, one ``(N, 1)`` tensor each:
        ``tensor(string)`` for text columns (the empty string is missing), int64
        nanoseconds for date columns and ``tensor(double)`` for the others (NaN is
        missing). Outputs are ``label`` and ``probabilities`` (in ``classes_``
        order; ``label`` applies ``threshold_``) for a classifier, ``variable`` for
        a regressor. ``automl.export.onnx_inputs`` builds onnxruntime's inputs.

        Parameters
        ----------
        path : str
            The ``.onnx`` file to write.
        numeric_dtype : {"float64", "float32"}, default="float64"
            The type of the numeric inputs and of the outputs. "float32"
            (``tensor(float)``) suits runtimes that want float inputs, but a tree
            splitting between values closer than float32 resolution can then
            predict differently from ``predict_proba``.

        Returns
        -------
        str
            The path written.

        Raises
        ------
        ExportError
            When a part of the model cannot be exported (named in the message) or
            ``path`` cannot be written.
        ConfigError
            For a ``numeric_dtype`` other than "float64" or "float32".
        """
        self._check_fitted()
        from .export import export_onnx

        return export_onnx(self, path, numeric_dtype=numeric_dtype)
