"""Your own estimator as one more model family of the search.

A :class:`Family` is an unfitted scikit-learn estimator and a space over its
parameters (nested names, as ``set_params`` takes them). At ``fit`` it is checked,
turned into a :class:`~automl.models.ModelFamily` and registered, so the pipeline
graph, the strategies, the worker processes, the ensemble, the leaderboard and the
reports treat it as a built-in family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real as RealNumber
from typing import Any

from sklearn.base import clone

from .estimator_api import check_estimator_api, check_space, estimator_tasks
from .exceptions import ConfigError
from .models import ModelContext, ModelFamily, is_builtin, register
from .models.base import TaskKind
from .nets.time_cap import cap_training_time
from .resource import Resource, resource_value
from .space import Categorical, Dimension, Space, describe_dimension

_TASKS = ("classification", "regression")


@dataclass(frozen=True)
class EstimatorBuild:
    """A family's ``build``: a clone of the user's estimator with a configuration set.

    ``params`` may hold ``class_weight`` (ignored: the user's estimator has its own
    settings) and ``fidelity`` (mapped onto the resource parameter). A project net in
    the estimator whose ``max_time`` is None stops itself at the trial's per-fold time
    limit (``ctx.time_limit``) rather than being killed with its worker.
    """

    estimator: Any
    resource: Resource | None = None

    def __call__(self, params: dict[str, Any], ctx: ModelContext) -> Any:
        params = dict(params)
        params.pop("class_weight", None)
        fidelity = params.pop("fidelity", None)
        if self.resource is not None:
            r = self.resource
            params[r.name] = resource_value(fidelity, r.min_resources, r.max_resources)
        return cap_training_time(clone(self.estimator).set_params(**params), ctx.time_limit)


@dataclass(frozen=True)
class _Fixed:
    """A space or default factory that returns a fresh copy of fixed data."""

    data: Mapping[str, Any] = field(default_factory=dict)

    def __call__(self, ctx: ModelContext) -> dict[str, Any]:
        return dict(self.data)


class Family:
    """A model family of your own: an estimator and the space of its parameters.

    Parameters
    ----------
    name : str
        The family's name in the leaderboard and reports; not a built-in family's.
    estimator : estimator
        An unfitted scikit-learn estimator (a pipeline too); each trial fits a clone
        with ``set_params(**configuration)``.
    space : dict
        ``{parameter: Real | Integer | Categorical | list of choices}``, parameters
        named as ``estimator.set_params`` takes them (``"svc__C"`` inside a pipeline).
    default : dict or None, default=None
        The configuration tried first (parameters it leaves out: the middle of
        their range); None: the estimator's own values where the space holds them.
    raw : bool, default=False
        True: the estimator takes the input columns as given (it does its own
        preprocessing). False: imputation and encoding (and scaling, when the preset
        searches it) are searched in front of it as for the built-in families,
        categorical columns one-hot encoded.
    tasks : list of {"classification", "regression"} or None, default=None
        What the estimator can do; None: read from scikit-learn's
        ``is_classifier``/``is_regressor`` (either when it says neither).
    cost : float or None, default=None
        Relative cost of one fit (1.0 is about a logistic regression), used before
        its first trial is timed; None: 1.0.

    Notes
    -----
    Trials run in worker processes, which receive the family pickled by value when
    its class is defined in a script's ``__main__`` or a notebook. A saved model
    holds the fitted estimator: loading it in another process needs the
    estimator's class importable under the same name, so define it in a module
    rather than in ``__main__`` when the model is to be loaded elsewhere.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from automl import AutoMLClassifier, Family, Integer, Categorical
    >>> knn = Family("knn", KNeighborsClassifier(),
    ...              {"n_neighbors": Integer(1, 100, log=True),
    ...               "weights": Categorical(["uniform", "distance"])})
    >>> clf = AutoMLClassifier(models=["logreg", knn], time_budget=30)  # doctest: +SKIP
    """

    def __init__(
        self,
        name: str,
        estimator: Any,
        space: dict[str, Any],
        default: dict[str, Any] | None = None,
        *,
        raw: bool = False,
        tasks: Any = None,
        cost: float | None = None,
    ) -> None:
        self.name = name
        self.estimator = estimator
        self.space = space
        self.default = default
        self.raw = raw
        self.tasks = tasks
        self.cost = cost

    def __repr__(self) -> str:
        return f"Family({self.name!r}, {type(self.estimator).__name__}(...))"

    def _tasks(self) -> frozenset[TaskKind]:
        if self.tasks is None:
            return estimator_tasks(self.estimator)
        tasks = [self.tasks] if isinstance(self.tasks, str) else list(self.tasks)
        if not tasks or any(t not in _TASKS for t in tasks):
            raise ConfigError(
                f"The 'tasks' of family {self.name!r} must be a non-empty list of "
                f"{list(_TASKS)}; got {self.tasks!r}."
            )
        return frozenset(t for t in ("classification", "regression") if t in tasks)

    def _default(self, space: Space) -> dict[str, Any]:
        if self.default is None:
            own = self.estimator.get_params(deep=True)
            return {k: own[k] if dim.contains(own[k]) else middle(dim) for k, dim in space.items()}
        if not isinstance(self.default, Mapping):
            raise ConfigError(
                f"The default of family {self.name!r} must be a dict or None; got {self.default!r}."
            )
        out = {}
        for key, value in self.default.items():
            dim = space.get(key)
            if dim is None:
                raise ConfigError(
                    f"The default of family {self.name!r} sets {key!r}, which is not in its "
                    f"space ({sorted(space)})."
                )
            if not dim.contains(value):
                raise ConfigError(
                    f"The default of family {self.name!r} sets {key!r}={value!r}, outside its "
                    f"dimension {describe_dimension(dim)}."
                )
            out[key] = value
        return {**{k: middle(d) for k, d in space.items() if k not in out}, **out}

    def to_model_family(
        self,
        task: str | None = None,
        *,
        resource: Resource | None = None,
        fit_params: dict[str, Any] | None = None,
        space: Space | None = None,
        warm_store: Any = None,
    ) -> ModelFamily:
        """Check the family and return it as a :class:`~automl.models.ModelFamily`.

        Parameters
        ----------
        task : {"classification", "regression"} or None
            The task of the fit that uses it; a family that cannot do it is an error.
        resource : Resource or None
            The parameter a multi-fidelity search grows (set by :class:`~automl.SearchCV`).
        fit_params : dict or None
            Arguments for the estimator's ``fit`` (raw families).
        space : Space or None
            An already checked space to use instead of ``self.space``.
        warm_store : WarmStore or None
            Where promotions find the fold models of lower rungs (set by SearchCV;
            see :mod:`automl.warm_store`).

        Returns
        -------
        ModelFamily
            The family as the engine reads it.

        Raises
        ------
        ConfigError
            A name taken by a built-in family, an estimator without the scikit-learn
            API, a space key that is not a parameter, a value that is not a dimension,
            or a family that cannot do ``task``.
        """
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError(f"A Family's name must be a non-empty str; got {self.name!r}.")
        if is_builtin(self.name):
            raise ConfigError(
                f"Family name {self.name!r} is taken by a built-in model family; give yours "
                "another name."
            )
        check_estimator_api(f"Family {self.name!r}", self.estimator)
        space = space if space is not None else check_space(self.name, self.estimator, self.space)
        tasks = self._tasks()
        if task is not None and task not in tasks:
            kind = "classifier" if "classification" in tasks else "regressor"
            wanted = "regressor" if task == "regression" else "classifier"
            raise ConfigError(
                f"Family {self.name!r} wraps a {kind} ({type(self.estimator).__name__}), which "
                f"cannot do {task}. Hint: give AutoML{wanted.capitalize()} a {wanted}."
            )
        cost = 1.0 if self.cost is None else self.cost
        if not isinstance(cost, RealNumber) or isinstance(cost, bool) or not cost > 0:
            raise ConfigError(
                f"The cost of family {self.name!r} must be a positive number; got {cost!r}."
            )
        if not isinstance(self.raw, bool):
            raise ConfigError(
                f"The 'raw' of family {self.name!r} must be a bool; got {self.raw!r}."
            )
        return ModelFamily(
            name=self.name,
            build=EstimatorBuild(self.estimator, resource),
            space=_Fixed(space),
            default=_Fixed(self._default(space)),
            scale_sensitive=not self.raw,
            handles_missing=self.raw,
            categorical_encoding="onehot",
            supports_class_weight=False,
            cost=float(cost),
            description=f"Your own {type(self.estimator).__name__} ({self.name!r}).",
            tags=frozenset({"user"}),
            tasks=tasks,
            raw_input=self.raw,
            fit_params=tuple((fit_params or {}).items()),
            reads_fidelity=resource is not None,
            warm_store=warm_store,
        )


def middle(dim: Dimension) -> Any:
    """A dimension's middle value (geometric on a log scale; the first choice of a set)."""
    if isinstance(dim, Categorical):
        return dim.choices[0]
    values = dim.grid(3)
    return values[len(values) // 2]


def register_families(models: Any, task: str) -> list[str] | None:
    """Check and register the :class:`Family` objects of ``models``; return every name.

    Parameters
    ----------
    models : list of str and Family, or None
        The estimator's ``models`` parameter.
    task : {"classification", "regression"}
        The fit's task.

    Returns
    -------
    list of str or None
        The family names, in order; None when ``models`` is None.

    Raises
    ------
    ConfigError
        For a family that fails its checks, or two entries of the same name.
    """
    if models is None:
        return None
    names: list[str] = []
    for entry in models:
        name = entry.name if isinstance(entry, Family) else entry
        if name in names:
            raise ConfigError(f"The 'models' list names {name!r} twice; each name once.")
        names.append(name)
    for entry in models:
        if isinstance(entry, Family):
            register(entry.to_model_family(task), replace=True)
    return names
