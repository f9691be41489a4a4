"""The systems a benchmark compares, each behind the same small interface.

Every system is a :class:`System` for one ``task``: ``fit(X_train, y_train,
budget, seed, metric)``, ``cv_score_`` (the system's own estimate of ``metric``,
or None), ``n_trials_`` (pipelines tried, or None) and ``version()``. A
classification system (:class:`BenchSystem`) adds ``predict`` (labels as in
``y_train``), ``predict_proba`` (columns in ``classes_`` order) and
``classes_``; a regression system (:class:`BenchRegressor`) adds ``predict``
(floats). Names are unique per task: the suite's task decides whether ``hgb``
means the classifier or the regressor.

Registered classification systems (the budget and metric are ignored by the
untuned baselines):

- ``automl``: :class:`automl.AutoMLClassifier` on the raw frame;
- ``xgb``: default ``XGBClassifier``, categoricals as ordinal codes, NaN left to XGBoost;
- ``hgb``: default ``HistGradientBoostingClassifier``, native categoricals;
- ``lr``: impute, one-hot, scale, ``LogisticRegression(max_iter=1000)``;
- ``skopt_xgb``: scikit-optimize ``BayesSearchCV`` over XGBoost, 5-fold CV on the metric;
- ``flaml``: ``flaml.AutoML`` with its defaults, on the metric.

``skopt_xgb`` and ``flaml`` live in :mod:`benchmarks.tuned`, the regression
systems (``automl``, ``hgb``, ``xgb``, ``ridge``, ``flaml``) in
:mod:`benchmarks.regressors`; both register on first lookup. A name of the form
``"package.module:Class"`` imports a class that follows the same interface, so
plugins and tests can add systems that also exist in the per-cell worker
process.
"""

from __future__ import annotations

import subprocess
from abc import ABC, abstractmethod
from collections.abc import Callable
from importlib import import_module
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from automl.exceptions import ConfigError, unknown_name_message
from automl.metrics import get_metric, predict_labels

from .datasets import REPO_ROOT
from .prep import CategoricalForm, FrameEncoder, hgb_features, linear_preprocessor, sklearn_version

#: The task of a system that does not say.
CLASSIFICATION = "classification"


class System(ABC):
    """One system under benchmark, for one task.

    Attributes
    ----------
    name : str
        The registry name, also written to results.
    task : {"classification", "regression"}
    cv_score_ : float or None
        The system's own (cross-)validation estimate of ``metric``; None if it has none.
    n_trials_ : int or None
        How many pipelines the system tried; None if it does not say.
    """

    name: ClassVar[str] = ""
    task: ClassVar[str] = CLASSIFICATION
    cv_score_: float | None = None
    n_trials_: int | None = None

    @abstractmethod
    def fit(self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str) -> System:
        """Fit on training rows within ``budget`` seconds, optimising ``metric`` if it can."""

    @abstractmethod
    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Predicted labels (classification) or values (regression), shape ``(n,)``."""

    @abstractmethod
    def version(self) -> str:
        """Version string of the system, written to every result."""


class BenchSystem(System):
    """A classification system.

    Attributes
    ----------
    classes_ : ndarray
        Labels seen in ``fit``, the column order of ``predict_proba``.
    """

    @abstractmethod
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, shape ``(n, len(classes_))``."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Labels (default: the most probable class)."""
        return np.asarray(self.classes_)[np.argmax(self.predict_proba(X), axis=1)]


class BenchRegressor(System):
    """A regression system: ``predict`` returns floats."""

    task = "regression"


_SYSTEMS: dict[str, dict[str, type[System]]] = {}
#: Modules whose systems register themselves on import (loaded on first lookup).
_BUILTIN_MODULES = ("benchmarks.tuned", "benchmarks.regressors")
_loaded = False


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTIN_MODULES:
            import_module(module)


def register_system(cls: type[System]) -> type[System]:
    """Class decorator adding a system to the registry of its task.

    Raises
    ------
    ConfigError
        If a system of the same name and task is already registered.
    """
    registry = _SYSTEMS.setdefault(cls.task, {})
    if not cls.name or cls.name in registry:
        raise ConfigError(
            f"A benchmark system needs a unique name per task; {cls.name!r} is empty or taken "
            f"for {cls.task}."
        )
    registry[cls.name] = cls
    return cls


def system_names(task: str = CLASSIFICATION) -> list[str]:
    """Names of the registered systems of ``task``, in registration order."""
    _load_builtins()
    return list(_SYSTEMS.get(task, {}))


def check_system_name(name: str, task: str = CLASSIFICATION) -> None:
    """Raise ConfigError for a name neither registered for ``task`` nor ``module:Class``."""
    _load_builtins()
    if name not in _SYSTEMS.get(task, {}) and ":" not in name:
        raise ConfigError(
            unknown_name_message(f"benchmark system for {task}", name, system_names(task))
        )


def get_system(name: str, task: str = CLASSIFICATION) -> System:
    """A fresh instance of the system ``name`` for ``task`` (registered, or ``"module:Class"``).

    Raises
    ------
    ConfigError
        For an unknown name, or a ``module:Class`` of another task.
    """
    _load_builtins()
    if ":" in name and name not in _SYSTEMS.get(task, {}):
        module, _, attr = name.partition(":")
        cls = getattr(import_module(module), attr)
        if getattr(cls, "task", CLASSIFICATION) != task:
            raise ConfigError(f"System {name!r} is for {cls.task}, not {task}.")
        return cls()
    check_system_name(name, task)
    return _SYSTEMS[task][name]()


def cv_scorer(metric: str, pos_index: int) -> Callable[[Any, Any, Any], float]:
    """A scikit-learn scorer ``(estimator, X, y)`` for ``metric`` from :mod:`automl.metrics`.

    ``y`` must be encoded ``0..k-1``; loss metrics are negated (greater is better).
    """
    m = get_metric(metric)

    def scorer(estimator: Any, X: Any, y: Any) -> float:
        proba = np.asarray(estimator.predict_proba(X))
        labels = predict_labels(proba, pos_index=pos_index)
        value = float(m.fn(np.asarray(y), proba, labels, pos_index))
        return value if m.greater_is_better else -value

    return scorer


class EncodedFeatures:
    """Mixin: features through a :class:`~benchmarks.prep.FrameEncoder` in the form ``form``."""

    form: ClassVar[CategoricalForm] = "codes"
    encoder_: FrameEncoder

    def _features(self, X: pd.DataFrame) -> Any:
        """What the model reads: the encoded frame (``form``); arrays for ``"codes"``."""
        encoded = self.encoder_.transform(X, self.form)
        return encoded.to_numpy() if self.form == "codes" else encoded


class HGBFeatures(EncodedFeatures):
    """Mixin of the ``hgb`` systems: native categoricals (:func:`~benchmarks.prep.hgb_features`).

    A categorical column with more training categories than HGB's bins (255) is
    passed as ordinal codes instead.
    """

    form = "category"

    def _features(self, X: pd.DataFrame) -> pd.DataFrame:
        return hgb_features(self.encoder_, X)

    def version(self) -> str:
        return sklearn_version()


class EncodedBaseline(EncodedFeatures, BenchSystem):
    """A baseline on :class:`~benchmarks.prep.FrameEncoder` features and labels ``0..k-1``.

    Subclasses set ``form`` and implement ``_fit`` returning a fitted model with
    ``predict_proba``.
    """

    def fit(
        self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str
    ) -> BenchSystem:
        self.classes_, y_enc = np.unique(np.asarray(y), return_inverse=True)
        self.encoder_ = FrameEncoder().fit(X)
        self.model_ = self._fit(self._features(X), y_enc, budget, seed, metric)
        return self

    @abstractmethod
    def _fit(self, X: Any, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        """Fit and return the model on encoded features and labels ``0..k-1``."""

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(self._features(X)))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The model's own ``predict``, mapped back to the training labels."""
        encoded = np.asarray(self.model_.predict(self._features(X))).astype(np.int64).ravel()
        return np.asarray(self.classes_)[encoded]


def xgb_classifier(seed: int, **params: Any) -> Any:
    """An ``XGBClassifier`` with one thread, seeded; ``params`` override its defaults."""
    from xgboost import XGBClassifier

    return XGBClassifier(random_state=seed, n_jobs=1, **params)


@register_system
class XGBSystem(EncodedBaseline):
    """Default ``XGBClassifier``; categoricals as ordinal codes, NaN left to XGBoost."""

    name = "xgb"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        return xgb_classifier(seed).fit(X, y)

    def version(self) -> str:
        import xgboost

        return f"xgboost-{xgboost.__version__}"


@register_system
class HGBSystem(HGBFeatures, EncodedBaseline):
    """Default ``HistGradientBoostingClassifier``; categoricals native (``from_dtype``)."""

    name = "hgb"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=seed
        ).fit(X, y)


@register_system
class LogisticSystem(EncodedBaseline):
    """Imputation, one-hot categoricals, standard scaling, ``LogisticRegression(max_iter=1000)``."""

    name = "lr"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        prep = linear_preprocessor(self.encoder_.categorical_mask())
        model = make_pipeline(prep, LogisticRegression(max_iter=1000, random_state=seed))
        return model.fit(X, y)

    def version(self) -> str:
        return sklearn_version()


def _git_revision() -> str:
    try:
        sha = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "automl"],
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"+g{sha}{'.dirty' if dirty else ''}"


@register_system
class AutoMLSystem(BenchSystem):
    """This library's :class:`automl.AutoMLClassifier`, on the raw training frame."""

    name = "automl"
    #: Model families to search; None: the library's default.
    models: list[str] | None = None

    def fit(
        self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str
    ) -> BenchSystem:
        from automl import AutoMLClassifier

        self.model_ = AutoMLClassifier(
            time_budget=budget, metric=metric, random_state=seed, models=self.models, verbose=0
        )
        self.model_.fit(X, y)
        self.classes_ = np.asarray(self.model_.classes_)
        self.cv_score_, self.n_trials_ = search_summary(self.model_)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict(X))

    def version(self) -> str:
        return automl_version()


def automl_version() -> str:
    """``automl-<package version>+g<git revision>[.dirty]`` of this checkout."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        base = version("automl-tabular")
    except PackageNotFoundError:
        import automl

        base = str(getattr(automl, "__version__", "0+unknown"))
    return f"automl-{base}{_git_revision()}"


def search_summary(model: Any) -> tuple[float | None, int | None]:
    """A fitted AutoML estimator's CV score of its metric and its number of trials.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted.

    Returns
    -------
    cv_score, n_trials : float or None, int or None
        ``cv_score_``; the length of ``trials_`` (else of ``leaderboard_``).
    """
    cv = getattr(model, "cv_score_", None)
    trials = getattr(model, "trials_", None)
    if trials is None:
        trials = getattr(model, "leaderboard_", None)
    return (None if cv is None else float(cv)), (None if trials is None else len(trials))


@register_system
class AutoMLNetSystem(AutoMLSystem):
    """The PyTorch net family alone, searched by :class:`automl.AutoMLClassifier`."""

    name = "automl_mlp"
    models = ["mlp"]
