"""AutoMLClassifier: the public face. It orchestrates; the parts compute."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin

from . import metrics as M
from .base_estimator import AutoMLBase
from .data import encode_target, encode_with_classes, validate_fit_data, validate_predict_data
from .exceptions import ConfigError, DataError
from .final_model import FinalModel
from .folds import make_folds
from .graph import PipelineGraph
from .graph.choice import choose_graph
from .group_folds import group_folds
from .models import ModelContext
from .prior import prior_final_model
from .profile import profile_data
from .run_context import Folds, ThresholdPolicy, positive_index
from .sample_weight import validate_sample_weight
from .schema import Schema


class AutoMLClassifier(ClassifierMixin, AutoMLBase):
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
    models : list of str and Family, or None, default=None
        Model families to search (``logreg``, ``random_forest``, ``extra_trees``,
        ``hist_gb``, ``xgboost``, ``lightgbm``, ``catboost``, ``mlp``) and your own
        :class:`~automl.Family` objects; None: all in the pipeline preset.
    cv : int, "auto" or CV splitter, default="auto"
        Folds for stratified K-fold; "auto" uses 5 up to 10,000 rows and 3 above.
    pipeline : str, PipelineGraph or "auto", default="auto"
        A preset name (``default``, ``fast``, ``imbalanced``), a path to a
        ``.toml`` preset, or a graph. "auto" uses ``imbalanced`` when the rarest
        class is under a quarter of the most common one (for two classes: under
        20 % of rows), else ``default``.
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
    threshold : "auto", float or None, default="auto"
        Binary decision threshold for ``predict``. "auto" tunes it on
        out-of-fold predictions: for ``metric`` when it is a threshold metric
        (f1, balanced_accuracy, mcc, accuracy, a cost matrix, or a label metric of
        your own, scored at candidate thresholds); for the positive class's F1 when
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
        The best trial's pipeline refitted on all the data (a
        :class:`~automl.bagging.BaggedPipeline` of its fold pipelines when bagged).
    best_config_ : dict
        Its configuration.
    ensemble_ : list of dict
        ``{"trial", "weight"}`` of the members of the final model.
    threshold_ : float or None
        Binary decision threshold used by ``predict``.
    cv_score_ : float
        Out-of-fold estimate of ``metric`` for the final model.
    final_model_kind_ : {"bagged", "refit", "mixed"}
        Whether the members are bagged fold models, refits on all rows, or both.
    search_ : str
        The search strategy that ran (``search`` with "auto" resolved).
    trials_ : list of dict
        The trial log.
    explanation_ : Explanation or None
        What the last ``feature_importance`` call measured (importances, partial
        dependence), shown by ``report``; None until it is called.

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
        search: str = "auto",
        ensemble: bool = True,
        final_model: str = "refit",
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
        self.final_model = final_model
        self.threshold = threshold
        self.pos_label = pos_label
        self.n_jobs = n_jobs
        self.device = device
        self.memory_limit = memory_limit
        self.log_dir = log_dir
        self.resume = resume
        self.random_state = random_state
        self.verbose = verbose

    # --- the task's hooks (see AutoMLBase) ----------------------------------------
    def _validate(self, X: Any, y: Any) -> tuple[pd.DataFrame, np.ndarray]:
        X_df, y_raw = validate_fit_data(X, y)
        y_enc, classes = encode_target(y_raw)
        self.classes_ = classes
        self.pos_index_ = positive_index(classes, y_enc, self.pos_label)
        return X_df, y_enc

    def _profile(self, X: pd.DataFrame, y: np.ndarray, schema: Schema) -> dict[str, Any]:
        return profile_data(X, y, self.classes_, schema)

    def _choose_graph(self, y: np.ndarray) -> tuple[PipelineGraph, list[str]]:
        graph, notes = choose_graph(self.pipeline, self._model_names, y)
        if graph.task != "classification":
            raise ConfigError(
                f"Pipeline {graph.name!r} is a {graph.task} graph; AutoMLClassifier needs a "
                "classification one (e.g. 'default', 'fast', 'imbalanced')."
            )
        return graph, notes

    def _model_context(
        self, y: np.ndarray, schema: Schema, threads: int, seed: int
    ) -> ModelContext:
        n_classes = len(self.classes_)
        return ModelContext(
            task="binary" if n_classes == 2 else "multiclass",
            n_classes=n_classes,
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
            return group_folds(self.cv, X, y, groups, random_state=seed, stratify=True)
        return make_folds(
            self.cv, X, y, random_state=seed, classes=self.classes_, time_budget=self.time_budget
        )

    def _threshold_policy(self, graph: PipelineGraph) -> ThresholdPolicy:
        return ThresholdPolicy.decide(self.threshold, self.metric_, len(self.classes_), graph.name)

    def _prior(self, y: np.ndarray, schema: Schema, weights: np.ndarray | None) -> FinalModel:
        return prior_final_model(
            y, len(self.classes_), self.metric_, self.pos_index_, schema, weights
        )

    # --- fit ------------------------------------------------------------------
    def fit(
        self, X: Any, y: Any, groups: Any = None, sample_weight: Any = None
    ) -> AutoMLClassifier:
        """Search pipelines on ``X, y`` and fit the final model.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Numeric, categorical, boolean and date-time columns; NaN allowed.
        y : array-like of shape (n_samples,)
            Class labels of any type; no missing values.
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
        AutoMLClassifier
            The fitted estimator.
        """
        self._fit(X, y, groups, sample_weight)
        return self

    # --- predict --------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities of the final model.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Columns as in fit (by name for a DataFrame).

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            One column per class, in ``classes_`` order.
        """
        self._check_fitted()
        X_df = validate_predict_data(X, self.schema_)
        return self.final_model_.predict_proba(X_df)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted labels; binary: the positive class at probability >= ``threshold_``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Columns as in fit.

        Returns
        -------
        ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        proba = self.predict_proba(X)
        labels = M.predict_labels(proba, pos_index=self.pos_index_, threshold=self.threshold_)
        return self.classes_[labels]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy of ``predict`` (scikit-learn's convention); ``evaluate`` gives the rest.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Held-out rows.
        y : array-like of shape (n_samples,)
            Their true labels.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights of the accuracy.

        Returns
        -------
        float
            The share of rows predicted right.
        """
        return float(super().score(X, y, sample_weight=sample_weight))

    def evaluate(self, X: Any, y: Any, sample_weight: Any = None) -> dict[str, float]:
        """Every reported metric on held-out data, using ``threshold_``.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Held-out rows.
        y : array-like of shape (n_samples,)
            Their true labels; a label not seen in fit raises a
            :class:`~automl.exceptions.DataError`.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Row weights of every metric (checked as in ``fit``).

        Returns
        -------
        dict of str to float
            ROC AUC, average precision, log loss, F1, balanced accuracy, accuracy,
            MCC, precision and recall, and the metric fitted for when it is your own.
        """
        proba = self.predict_proba(X)
        y_enc = encode_with_classes(y, self.classes_)
        if len(y_enc) != len(proba):
            raise DataError(
                f"X has {len(proba)} rows but y has {len(y_enc)} labels; they must "
                "have the same length."
            )
        return M.score_all(
            y_enc,
            proba,
            pos_index=self.pos_index_,
            threshold=self.threshold_,
            names=self._reported(),
            sample_weight=validate_sample_weight(sample_weight, len(y_enc)),
        )


__all__ = ["AutoMLClassifier", "Schema"]
