"""The systems a benchmark compares, each behind the same small interface.

Every system is a :class:`BenchSystem`: ``fit(X_train, y_train, budget, seed,
metric)``, then ``predict`` (labels as in ``y_train``), ``predict_proba`` (columns
in ``classes_`` order), ``classes_``, ``cv_score_`` (the system's own estimate of
``metric``, or None) and ``version()``.

Registered systems (the budget and metric are ignored by the untuned baselines):

- ``automl``: :class:`automl.AutoMLClassifier` on the raw frame;
- ``xgb``: default ``XGBClassifier``, categoricals as ordinal codes, NaN left to XGBoost;
- ``hgb``: default ``HistGradientBoostingClassifier``, native categoricals;
- ``lr``: impute, one-hot, scale, ``LogisticRegression(max_iter=1000)``;
- ``skopt_xgb``: scikit-optimize ``BayesSearchCV`` over XGBoost, 5-fold CV on the metric;
- ``flaml``: ``flaml.AutoML`` with its defaults, on the metric.

``skopt_xgb`` and ``flaml`` live in :mod:`benchmarks.tuned` and register on
first lookup. A name of the form ``"package.module:Class"`` imports a class that
follows the same interface, so plugins and tests can add systems that also exist
in the per-cell worker process.
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
from .prep import FrameEncoder


class BenchSystem(ABC):
    """One system under benchmark.

    Attributes
    ----------
    name : str
        The registry name, also written to results.
    classes_ : ndarray
        Labels seen in ``fit``, the column order of ``predict_proba``.
    cv_score_ : float or None
        The system's own (cross-)validation estimate of ``metric``; None if it has none.
    """

    name: ClassVar[str] = ""
    cv_score_: float | None = None

    @abstractmethod
    def fit(
        self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str
    ) -> BenchSystem:
        """Fit on training rows within ``budget`` seconds, optimising ``metric`` if it can."""

    @abstractmethod
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Class probabilities, shape ``(n, len(classes_))``."""

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Labels (default: the most probable class)."""
        return np.asarray(self.classes_)[np.argmax(self.predict_proba(X), axis=1)]

    @abstractmethod
    def version(self) -> str:
        """Version string of the system, written to every result."""


_SYSTEMS: dict[str, type[BenchSystem]] = {}
#: Modules whose systems register themselves on import (loaded on first lookup).
_BUILTIN_MODULES = ("benchmarks.tuned",)
_loaded = False


def _load_builtins() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        for module in _BUILTIN_MODULES:
            import_module(module)


def register_system(cls: type[BenchSystem]) -> type[BenchSystem]:
    """Class decorator adding a system to the registry.

    Raises
    ------
    ConfigError
        If a system of the same name is already registered.
    """
    if not cls.name or cls.name in _SYSTEMS:
        raise ConfigError(
            f"A benchmark system needs a unique name; {cls.name!r} is empty or taken."
        )
    _SYSTEMS[cls.name] = cls
    return cls


def system_names() -> list[str]:
    """Names of the registered systems, in registration order."""
    _load_builtins()
    return list(_SYSTEMS)


def check_system_name(name: str) -> None:
    """Raise ConfigError for a name that is neither registered nor ``module:Class``."""
    _load_builtins()
    if name not in _SYSTEMS and ":" not in name:
        raise ConfigError(unknown_name_message("benchmark system", name, _SYSTEMS))


def get_system(name: str) -> BenchSystem:
    """A fresh instance of the system ``name`` (registered, or ``"module:Class"``)."""
    _load_builtins()
    if ":" in name and name not in _SYSTEMS:
        module, _, attr = name.partition(":")
        cls = getattr(import_module(module), attr)
        return cls()
    check_system_name(name)
    return _SYSTEMS[name]()


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


class EncodedBaseline(BenchSystem):
    """A baseline on :class:`~benchmarks.prep.FrameEncoder` features and labels ``0..k-1``.

    Subclasses set ``form`` and implement ``_fit`` returning a fitted model with
    ``predict_proba``.
    """

    form: ClassVar[str] = "codes"

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

    def _features(self, X: pd.DataFrame) -> Any:
        """What the model reads: the encoded frame (``form``); arrays for ``"codes"``."""
        encoded = self.encoder_.transform(X, self.form)
        return encoded.to_numpy() if self.form == "codes" else encoded

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


def _sklearn_version() -> str:
    import sklearn

    return f"scikit-learn-{sklearn.__version__}"


@register_system
class HGBSystem(EncodedBaseline):
    """Default ``HistGradientBoostingClassifier``; categoricals native (``from_dtype``).

    A categorical column with more training categories than HGB's bins (255) is
    passed as ordinal codes instead.
    """

    name = "hgb"
    form = "category"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.ensemble import HistGradientBoostingClassifier

        return HistGradientBoostingClassifier(
            categorical_features="from_dtype", random_state=seed
        ).fit(X, y)

    def _features(self, X: pd.DataFrame) -> pd.DataFrame:
        encoded = self.encoder_.transform(X, "category")
        wide = [c for c, values in self.encoder_.categories_.items() if len(values) > 255]
        for col in wide:
            codes = encoded[col].cat.codes.astype(np.float64)
            encoded[col] = codes.where(codes >= 0)
        return encoded

    def version(self) -> str:
        return _sklearn_version()


@register_system
class LogisticSystem(EncodedBaseline):
    """Imputation, one-hot categoricals, standard scaling, ``LogisticRegression(max_iter=1000)``."""

    name = "lr"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        cat = self.encoder_.categorical_mask()
        prep = ColumnTransformer(
            [
                ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ~cat),
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"),
                        OneHotEncoder(handle_unknown="ignore"),
                    ),
                    cat,
                ),
            ]
        )
        model = make_pipeline(prep, LogisticRegression(max_iter=1000, random_state=seed))
        return model.fit(X, y)

    def version(self) -> str:
        return _sklearn_version()


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
        cv = getattr(self.model_, "cv_score_", None)
        self.cv_score_ = None if cv is None else float(cv)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict_proba(X))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model_.predict(X))

    def version(self) -> str:
        from importlib.metadata import PackageNotFoundError, version

        try:
            base = version("automl-tabular")
        except PackageNotFoundError:
            import automl

            base = str(getattr(automl, "__version__", "0+unknown"))
        return f"automl-{base}{_git_revision()}"


@register_system
class AutoMLNetSystem(AutoMLSystem):
    """The PyTorch net family alone, searched by :class:`automl.AutoMLClassifier`."""

    name = "automl_mlp"
    models = ["mlp"]
