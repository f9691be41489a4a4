"""The systems a benchmark compares, each behind the same small interface.

Every system is a :class:`BenchSystem`: ``fit(X_train, y_train, budget, seed,
metric)``, then ``predict`` (labels as in ``y_train``), ``predict_proba`` (columns
in ``classes_`` order), ``classes_``, ``cv_score_`` (the system's own estimate of
``metric``, or None) and ``version()``.

================  ==========================================================  =========================
name              what                                                        uses budget / metric
================  ==========================================================  =========================
``automl``        :class:`automl.AutoMLClassifier`                            yes / yes
``xgb``           default ``XGBClassifier`` (categoricals as ordinal codes)   no / no
``hgb``           default ``HistGradientBoostingClassifier`` (native cats)    no / no
``lr``            impute + one-hot + scale + ``LogisticRegression``           no / no
``skopt_xgb``     scikit-optimize ``BayesSearchCV`` over XGBoost, 5-fold CV   yes / yes
``flaml``         ``flaml.AutoML`` with its defaults                          yes / yes
================  ==========================================================  =========================

A name of the form ``"package.module:Class"`` imports a class that follows the
same interface, so plugins and tests can add systems that also exist in the
per-cell worker process.
"""

from __future__ import annotations

import subprocess
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from importlib import import_module
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, unknown_name_message
from ..metrics import get_metric, predict_labels
from .datasets import REPO_ROOT, positive_index
from .prep import FrameEncoder

FLAML_MISSING = "flaml not installed: pip install -e .[bench]"


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
    def fit(self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str) -> BenchSystem:
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


def register_system(cls: type[BenchSystem]) -> type[BenchSystem]:
    """Class decorator adding a system to the registry.

    Raises
    ------
    ConfigError
        If a system of the same name is already registered.
    """
    if not cls.name or cls.name in _SYSTEMS:
        raise ConfigError(f"A benchmark system needs a unique name; {cls.name!r} is empty or taken.")
    _SYSTEMS[cls.name] = cls
    return cls


def system_names() -> list[str]:
    """Names of the registered systems, in registration order."""
    return list(_SYSTEMS)


def check_system_name(name: str) -> None:
    """Raise ConfigError for a name that is neither registered nor ``module:Class``."""
    if name not in _SYSTEMS and ":" not in name:
        raise ConfigError(unknown_name_message("benchmark system", name, _SYSTEMS))


def get_system(name: str) -> BenchSystem:
    """A fresh instance of the system ``name`` (registered, or ``"module:Class"``)."""
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
    """A baseline on :class:`~automl.bench.prep.FrameEncoder` features and labels ``0..k-1``.

    Subclasses set ``form`` and implement ``_fit`` returning a fitted model with
    ``predict_proba``.
    """

    form: ClassVar[str] = "codes"

    def fit(self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str) -> BenchSystem:
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


def _xgb_classifier(seed: int, **params: Any) -> Any:
    from xgboost import XGBClassifier

    return XGBClassifier(random_state=seed, n_jobs=1, **params)


@register_system
class XGBSystem(EncodedBaseline):
    """Default ``XGBClassifier``; categoricals as ordinal codes, NaN left to XGBoost."""

    name = "xgb"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        return _xgb_classifier(seed).fit(X, y)

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

        return HistGradientBoostingClassifier(categorical_features="from_dtype",
                                              random_state=seed).fit(X, y)

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
        prep = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), ~cat),
            ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                  OneHotEncoder(handle_unknown="ignore")), cat),
        ])
        model = make_pipeline(prep, LogisticRegression(max_iter=1000, random_state=seed))
        return model.fit(X, y)

    def version(self) -> str:
        return _sklearn_version()


@register_system
class SkoptXGBSystem(EncodedBaseline):
    """scikit-optimize ``BayesSearchCV`` over XGBoost, 5-fold stratified CV on ``metric``.

    Iterations run until the next one would likely end past the budget (the
    mean iteration time so far is the estimate); the best configuration is then
    refit on all training rows. A documented exception to "skopt only in
    automl/search": this peer is *defined* as BayesSearchCV.
    """

    name = "skopt_xgb"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        from sklearn.model_selection import StratifiedKFold
        from skopt import BayesSearchCV
        from skopt.space import Integer, Real

        space = {
            "n_estimators": Integer(50, 500),
            "max_depth": Integer(2, 10),
            "learning_rate": Real(0.01, 0.3, prior="log-uniform"),
            "subsample": Real(0.5, 1.0),
            "colsample_bytree": Real(0.5, 1.0),
            "min_child_weight": Real(1.0, 20.0, prior="log-uniform"),
            "reg_lambda": Real(1e-3, 10.0, prior="log-uniform"),
        }
        search = BayesSearchCV(
            _xgb_classifier(seed), space, n_iter=100_000, n_points=1, n_jobs=1, refit=True,
            cv=StratifiedKFold(5, shuffle=True, random_state=seed),
            scoring=cv_scorer(metric, positive_index(y)), random_state=seed,
        )
        start = time.perf_counter()

        def out_of_time(result: Any) -> bool:
            elapsed = time.perf_counter() - start
            per_iter = elapsed / max(len(result.func_vals), 1)
            return elapsed + 1.25 * per_iter > budget  # 0.25: the final refit on all rows

        search.fit(X, y, callback=out_of_time)
        best = float(search.best_score_)
        self.cv_score_ = best if get_metric(metric).greater_is_better else -best
        return search.best_estimator_

    def version(self) -> str:
        import skopt
        import xgboost

        return f"scikit-optimize-{skopt.__version__}+xgboost-{xgboost.__version__}"


#: Our metric names → FLAML's (binary, multiclass); None = pass our metric as a function.
_FLAML_METRICS: dict[str, tuple[str | None, str | None]] = {
    "roc_auc": ("roc_auc", "roc_auc_ovr"),
    "average_precision": ("ap", None),
    "log_loss": ("log_loss", "log_loss"),
    "f1": ("f1", "macro_f1"),
    "accuracy": ("accuracy", "accuracy"),
}


def _flaml_metric(metric: str, binary: bool, pos_index: int) -> str | Callable[..., Any]:
    name = get_metric(metric).name
    builtin = _FLAML_METRICS.get(name, (None, None))[0 if binary else 1]
    if builtin is not None:
        return builtin
    score = cv_scorer(name, pos_index)

    def custom(X_val: Any, y_val: Any, estimator: Any, *args: Any, **kwargs: Any) -> tuple[float, dict]:
        value = score(estimator, X_val, y_val)  # greater is better
        return -value, {name: value}

    return custom


def _has_lightgbm() -> bool:
    from importlib.util import find_spec

    return find_spec("lightgbm") is not None


def _flaml_estimators() -> list[str] | str:
    """FLAML's default list, less ``lgbm`` when lightgbm is missing (FLAML would crash on it)."""
    if _has_lightgbm():
        return "auto"
    names = ["rf", "xgboost", "extra_tree", "xgb_limitdepth", "sgd"]
    from importlib.util import find_spec

    return [*names, "catboost"] if find_spec("catboost") is not None else names


@register_system
class FlamlSystem(EncodedBaseline):
    """``flaml.AutoML`` with its defaults, optimising the run's metric (FLAML's name for it).

    Without lightgbm installed, FLAML 2.7's default estimator list crashes on
    ``lgbm``; the list is then FLAML's default without it, and the version says so.
    """

    name = "flaml"
    form = "category"

    def _fit(self, X: pd.DataFrame, y: np.ndarray, budget: float, seed: int, metric: str) -> Any:
        try:
            from flaml import AutoML
        except ImportError as exc:
            raise ImportError(FLAML_MISSING) from exc
        binary = len(self.classes_) == 2
        flaml_metric = _flaml_metric(metric, binary, positive_index(y))
        model = AutoML()
        model.fit(X, y, task="classification", time_budget=budget, metric=flaml_metric,
                  seed=seed, n_jobs=1, verbose=0, estimator_list=_flaml_estimators())
        loss = float(model.best_loss)
        if callable(flaml_metric) or flaml_metric == "log_loss":
            # custom: loss = -score; log_loss: loss = the metric itself
            self.cv_score_ = loss if flaml_metric == "log_loss" else -loss
        else:
            self.cv_score_ = 1.0 - loss  # FLAML's loss for a score metric
        return model

    def version(self) -> str:
        try:
            import flaml
        except ImportError as exc:
            raise ImportError(FLAML_MISSING) from exc
        return f"flaml-{flaml.__version__}" + ("" if _has_lightgbm() else "-no-lightgbm")


def _git_revision() -> str:
    try:
        sha = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "status", "--porcelain", "--", "automl"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""
    return f"+g{sha}{'.dirty' if dirty else ''}"


@register_system
class AutoMLSystem(BenchSystem):
    """This library's :class:`automl.AutoMLClassifier`, on the raw training frame."""

    name = "automl"

    def fit(self, X: pd.DataFrame, y: pd.Series, budget: float, seed: int, metric: str) -> BenchSystem:
        from automl import AutoMLClassifier

        self.model_ = AutoMLClassifier(time_budget=budget, metric=metric, random_state=seed,
                                       n_jobs=1, verbose=0)
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
