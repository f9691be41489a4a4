"""What a model family declares: how to build it, what to search, what it costs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from sklearn.base import BaseEstimator

from ..space import Space

Task = Literal["binary", "multiclass", "regression"]
TaskKind = Literal["classification", "regression"]


#: The ``tasks`` of a family that builds both classifiers and regressors.
BOTH_TASKS: frozenset[TaskKind] = frozenset({"classification", "regression"})


@dataclass(frozen=True)
class ModelContext:
    """Facts about the data and the run that a family may use to build its estimator.

    Attributes
    ----------
    task : {"binary", "multiclass", "regression"}
    n_classes : int
        Number of classes; the target reaching a classifier is encoded
        ``0..n_classes-1``. 1 for regression.
    n_rows : int
        Rows of the training data (of the whole fit, not of one fold).
    n_features : int
        Columns reaching the model after preprocessing is unknown in advance; this is
        the number of input columns of X.
    n_threads : int
        Threads the estimator may use.
    random_state : int or None
        Seed for the estimator.
    categorical_features : tuple of int
        Indices, in the model's input, of ordinal-coded categorical columns
        (only filled for families whose ``categorical_encoding`` is ``"ordinal"``).
    time_limit : float or None
        Seconds one fit may take; families that can stop early honour it.
    device : str
        ``"auto"``, ``"cpu"`` or ``"cuda"``; used by families that can run on a GPU.
    """

    task: Task = "binary"
    n_classes: int = 2
    n_rows: int = 1000
    n_features: int = 10
    n_threads: int = 1
    random_state: int | None = None
    categorical_features: tuple[int, ...] = ()
    time_limit: float | None = None
    device: str = "auto"

    @property
    def is_regression(self) -> bool:
        """Whether the target is a number to predict rather than a class."""
        return self.task == "regression"

    @property
    def n_outputs(self) -> int:
        """Columns of a prediction matrix: one per class, or one for regression."""
        return 1 if self.is_regression else self.n_classes


Builder = Callable[[dict[str, Any], ModelContext], BaseEstimator]
SpaceFactory = Callable[[ModelContext], Space]
DefaultFactory = Callable[[ModelContext], dict[str, Any]]
PortfolioFactory = Callable[[ModelContext], list[dict[str, Any]]]


def no_portfolio(ctx: ModelContext) -> list[dict[str, Any]]:
    """The portfolio of a family that has none beyond its default."""
    return []


@dataclass(frozen=True)
class ModelFamily:
    """A model family: one estimator type, its search space and its cost hints.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"xgboost"``.
    build : callable
        ``build(params, context)`` returns an unfitted scikit-learn classifier.
        ``params`` holds the family's own hyperparameters plus ``class_weight``
        (``"none"`` or ``"balanced"``) when ``supports_class_weight``.
    space : callable
        ``space(context)`` returns a fresh :data:`~automl.space.Space`.
    default : callable
        ``default(context)`` returns a known-good configuration, tried first.
    portfolio : callable
        ``portfolio(context)`` returns further known-good configurations, each a
        partial dict of hyperparameters over the default, unlike each other and
        unlike the default (say, a deep and a shallow booster). Every family's
        default runs first, then the portfolios, one entry per family in turn,
        before the optimizer proposes points: a varied set of strong models
        early on, for the search to start from and the ensemble to blend.
    scale_sensitive : bool
        Whether feature scaling changes the model (trees: no). The graph drops the
        scaling choice for families where it does not matter.
    handles_missing : bool
        Whether the estimator accepts NaN (imputation is still applied by default).
    categorical_encoding : {"onehot", "ordinal"}
        How categorical columns should reach the model.
    supports_class_weight : bool
        Whether ``params["class_weight"] = "balanced"`` weights the classes.
    supports_sample_weight : bool
        Whether the estimator's ``fit`` takes ``sample_weight`` (row weights; with
        class weights they multiply). A family without it is left out of a fit
        given ``sample_weight``, with a note.
    cost : float
        Relative cost of one fit (1.0 ≈ a logistic regression); guides scheduling
        before measured times exist.
    description : str
        One line for reports.
    tasks : frozenset of {"classification", "regression"}
        The tasks ``build`` can make an estimator for (it reads ``context.task``).
    raw_input : bool
        Whether the estimator takes the input columns as given, with no
        preprocessing, scaling, resampling or target transform in front (a user's
        :class:`~automl.Family` with ``raw=True``).
    fit_params : tuple of (str, object)
        Keyword arguments for the estimator's ``fit`` (raw families only); a value
        wrapped in :class:`~automl.steps.raw.PerRow` is cut to each fold's rows.
    reads_fidelity : bool
        Whether ``build`` reads ``params["fidelity"]`` (in (0, 1]) when a
        multi-fidelity strategy sets it.
    warm_store : WarmStore or None
        Where a raw family's fold models of lower rungs are kept so that promotions
        continue training (:mod:`automl.warm_store`; set by SearchCV).
    libraries : tuple of str
        Modules the family imports only when it fits (``"catboost"``): imported once
        before parallel refit threads start, since a module imported on two threads
        at once can be seen half-initialised by the other.
    """

    name: str
    build: Builder
    space: SpaceFactory
    default: DefaultFactory
    portfolio: PortfolioFactory = no_portfolio
    scale_sensitive: bool = False
    handles_missing: bool = False
    categorical_encoding: Literal["onehot", "ordinal"] = "onehot"
    supports_class_weight: bool = True
    supports_sample_weight: bool = True
    cost: float = 1.0
    description: str = ""
    tags: frozenset[str] = field(default_factory=frozenset)
    tasks: frozenset[TaskKind] = frozenset({"classification"})
    raw_input: bool = False
    fit_params: tuple[tuple[str, Any], ...] = ()
    reads_fidelity: bool = False
    warm_store: Any = None
    libraries: tuple[str, ...] = ()

    def supports(self, task: str) -> bool:
        """Whether the family can build an estimator for ``task``.

        Parameters
        ----------
        task : str
            A context task (``"binary"``, ``"multiclass"``, ``"regression"``) or a kind.

        Returns
        -------
        bool
        """
        kind = "regression" if task == "regression" else "classification"
        return kind in self.tasks
