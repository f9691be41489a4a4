"""The run context: every fact about one ``fit`` that the search and the final model share.

``fit`` decides each of these once (parallelism, the threshold policy, the seed, the
folds, ...) and hands the same immutable :class:`RunContext` to the search, to every
trial's worker and to the final-model builder, so no value is re-packed or re-derived
along the way.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from . import metrics as M
from .data import minority_class
from .exceptions import ConfigError
from .fidelity import scored_folds
from .graph import PipelineGraph
from .models import ModelContext
from .schema import Schema

#: Rows x columns under which each model runs single-threaded. OpenMP and torch
#: threads on tiny matrices slow down badly when cores are shared (measured 10-30x).
THREADED_MIN_CELLS = 200_000

Folds = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Parallelism:
    """How the machine's CPUs are shared, decided once per fit.

    Attributes
    ----------
    trials : int
        Trials evaluated at once (worker processes).
    threads : int
        Threads each model may use.
    refit_workers : int
        Members refitted at once after the search (threads of this process).
    """

    trials: int
    threads: int
    refit_workers: int

    @classmethod
    def decide(cls, n_jobs: int, n_rows: int, n_features: int) -> Parallelism:
        """Split the CPUs between parallel trials and threads per model.

        Parameters
        ----------
        n_jobs : int
            The estimator's ``n_jobs``: trials at once, -1 for one per CPU.
        n_rows, n_features : int
            Size of the training data; small data runs each model single-threaded.

        Returns
        -------
        Parallelism
        """
        cpus = os.cpu_count() or 1
        trials = cpus if n_jobs == -1 else max(1, int(n_jobs))
        threads = max(1, cpus // trials)
        if n_rows * n_features < THREADED_MIN_CELLS:
            threads = 1  # small data: thread start-up and spinning cost more than they save
        return cls(trials=trials, threads=threads, refit_workers=max(1, cpus // threads))


def positive_index(classes: np.ndarray, y: np.ndarray, pos_label: Any) -> int:
    """The encoded positive class of binary threshold metrics.

    Parameters
    ----------
    classes : ndarray
        The class labels, in encoded order.
    y : ndarray
        Encoded labels.
    pos_label : label or None
        The user's positive class; None: the minority class.

    Returns
    -------
    int
        1 for more than two classes (unused there).

    Raises
    ------
    ConfigError
        When ``pos_label`` is not one of the classes.
    """
    if len(classes) != 2:
        return 1
    if pos_label is None:
        return minority_class(y)
    matches = np.flatnonzero(classes.astype(object) == pos_label)
    if len(matches) == 0:
        raise ConfigError(f"pos_label={pos_label!r} is not one of the classes {classes.tolist()}.")
    return int(matches[0])


@dataclass(frozen=True)
class ThresholdPolicy:
    """How ``predict`` turns binary probabilities into labels.

    Attributes
    ----------
    tune_for : str or None
        The metric the threshold is tuned for out of fold; None: not tuned.
    fixed : float or None
        A threshold the user fixed (used when ``tune_for`` is None); None: 0.5.
    """

    tune_for: str | None = None
    fixed: float | None = None

    @classmethod
    def decide(cls, threshold: Any, metric: str, n_classes: int, pipeline: str) -> ThresholdPolicy:
        """The policy for the estimator's ``threshold`` parameter.

        Parameters
        ----------
        threshold : "auto", float or None
            The estimator's parameter.
        metric : str
            The optimised metric (canonical name).
        n_classes : int
            Number of classes; only binary problems have a threshold.
        pipeline : str
            Name of the pipeline graph in use.

        Returns
        -------
        ThresholdPolicy
            ``"auto"`` tunes for ``metric`` when it reads labels (a built-in threshold
            metric, a cost matrix, or a user's label metric, which is scored at
            candidate thresholds), and for F1 when a ranking metric is optimised with
            the ``imbalanced`` pipeline.
        """
        fixed = (
            float(threshold)
            if isinstance(threshold, Real) and not isinstance(threshold, bool)
            else None
        )
        if threshold != "auto" or n_classes != 2:
            return cls(None, fixed)
        chosen = M.get_metric(metric)
        if chosen.tunes_threshold or (chosen.needs == "labels" and chosen.optimizable):
            return cls(metric, None)  # never F1 in place of the user's own label metric
        if pipeline == "imbalanced":
            return cls("f1", None)  # ranking metric on imbalanced data: the minority's F1
        return cls(None, None)


@dataclass(frozen=True)
class RunContext:
    """What one fit's search, trials and final model share.

    Attributes
    ----------
    graph : PipelineGraph
        The pipeline graph searched.
    schema : Schema
        The input columns and what each became.
    folds : list of (train, test) index arrays
        The cross-validation folds every trial uses.
    model : ModelContext
        Facts handed to the model families.
    metric : str
        The optimised metric (canonical name).
    pos_index : int
        Encoded positive class of binary problems.
    threshold : ThresholdPolicy
        How labels are predicted from probabilities.
    parallelism : Parallelism
        Trials at once, threads per model, refits at once.
    strategy : str
        The search strategy's name.
    seed : int
        The run's seed (kept by a resumed run).
    ensemble : bool
        Whether the final model blends several trials.
    memory_limit_mb : float or None
        Resident memory one trial's worker may hold.
    custom_metric : Metric or None
        The user's metric (``metric`` is its name), registered in each worker.
    strategy_options : tuple of (str, object)
        Keyword arguments of the search strategy (a multi-fidelity one's
        ``min_fidelity``, say).
    final_model : {"refit", "bag"}
        How the members are made: refitted on all rows, or (``"bag"``) their fold
        models averaged where kept (see :mod:`automl.fold_models`).
    fold_models : str or None
        The folder where workers keep the fold models of full-fidelity trials; None:
        they keep none.
    keep_oof : bool
        Whether trials send their out-of-fold predictions back. The final model's
        ensemble, stacking, threshold and stand-in need them; ``SearchCV`` reads only
        scores, so its trials send none (12 MB a trial at 750,000 binary rows).
    """

    graph: PipelineGraph
    schema: Schema
    folds: Folds
    model: ModelContext
    metric: str = "roc_auc"
    pos_index: int = 1
    threshold: ThresholdPolicy = ThresholdPolicy()
    parallelism: Parallelism = Parallelism(trials=1, threads=1, refit_workers=1)
    strategy: str = "bayes"
    seed: int = 0
    ensemble: bool = True
    memory_limit_mb: float | None = None
    custom_metric: M.Metric | None = None
    strategy_options: tuple[tuple[str, Any], ...] = ()
    final_model: str = "refit"
    fold_models: str | None = None
    keep_oof: bool = True

    @property
    def n_classes(self) -> int:
        """Number of classes (1 for regression)."""
        return self.model.n_classes

    @property
    def n_outputs(self) -> int:
        """Columns of a prediction matrix: one per class, or one for regression."""
        return self.model.n_outputs

    @property
    def is_regression(self) -> bool:
        """Whether the target is a number."""
        return self.model.is_regression

    @property
    def reported(self) -> tuple[str, ...]:
        """The metrics every trial reports (the user's own metric too)."""
        return reported_metrics(self.model.task, self.metric)

    def folds_scored_at(self, y: np.ndarray, fidelity: float) -> Folds:
        """The folds as a trial at ``fidelity`` scores them (see
        :func:`~automl.fidelity.scored_folds`): the trials and the final model read
        the same rows."""
        return scored_folds(self.folds, y, fidelity, self.seed, stratify=not self.is_regression)


def reported_metrics(task: str, metric: str) -> tuple[str, ...]:
    """The task's reported metrics, and ``metric`` when it is none of them (a user's own).

    Parameters
    ----------
    task : str
        ``"binary"``, ``"multiclass"`` or ``"regression"``.
    metric : str
        The optimised metric's name.

    Returns
    -------
    tuple of str
    """
    names = M.reported(task)
    return names if metric in names else (*names, metric)
