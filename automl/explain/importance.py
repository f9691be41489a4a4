"""Permutation importance of the input columns of a fitted AutoML estimator.

The whole final model (preprocessing and ensemble) is scored on the rows the
user passes, then again with one input column's values shuffled; the drop in the
metric is that column's importance (Breiman, 2001; scikit-learn's
:func:`~sklearn.inspection.permutation_importance` does the shuffling). Columns
are the raw ones given to ``fit``, never the encoded ones, so a one-hot encoded
column counts once. Label metrics use the estimator's decision threshold, as
``predict`` does.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from .. import metrics as M
from ..data import encode_with_classes, validate_predict_data
from ..exceptions import ConfigError, DataError
from ..regression_target import validate_regression_target
from ..run_context import THREADED_MIN_CELLS
from .partial_dependence import partial_dependence
from .record import Explanation

#: Columns of the most important inputs whose partial dependence is stored.
PD_FEATURES = 4
METHODS = ("permutation", "shap")


def _check_options(n_repeats: Any, method: Any) -> None:
    if isinstance(n_repeats, bool) or not isinstance(n_repeats, Integral) or n_repeats < 1:
        raise ConfigError(
            f"The 'n_repeats' parameter of feature_importance must be an int >= 1. "
            f"Got {n_repeats!r} instead."
        )
    if method not in METHODS:
        raise ConfigError(
            f"The 'method' parameter of feature_importance must be one of {list(METHODS)}. "
            f"Got {method!r} instead."
        )


def _metric(estimator: Any, scoring: Any) -> M.Metric:
    """The metric to score with: ``scoring`` by name, else the one the fit optimised."""
    regression = estimator._task_kind == "regression"
    if scoring is None:
        return M.get_metric(estimator.metric_)
    if not isinstance(scoring, str):
        raise ConfigError(
            "The 'scoring' parameter of feature_importance must be a metric name or None "
            f"(the fit's metric, {estimator.metric_!r}). Got {type(scoring).__name__} instead."
        )
    metric = M.get_metric(scoring)
    if (metric.task == "regression") != regression:
        task = "regression" if regression else "classification"
        raise ConfigError(
            f"scoring={scoring!r} is a {metric.task} metric but this is a {task} model; "
            f"choose one of {', '.join(M.reported(estimator._task()))}."
        )
    return metric


def _target(estimator: Any, y: Any, n_rows: int) -> np.ndarray:
    """``y`` encoded as the final model scores it, with its length checked against X."""
    if estimator._task_kind == "regression":
        return validate_regression_target(y, n_rows, allow_constant=True)
    encoded = encode_with_classes(y, estimator.classes_)
    if len(encoded) != n_rows:
        raise DataError(
            f"X has {n_rows} rows but y has {len(encoded)} labels; they must have the same "
            "length (pass the true labels of the rows of X)."
        )
    return encoded


class _Scorer:
    """The final model's score on validated rows, oriented so that higher is better."""

    def __init__(self, estimator: Any, metric: M.Metric) -> None:
        self.model = estimator.final_model_
        self.metric = metric
        self.pos_index = int(getattr(estimator, "pos_index_", 1))
        self.threshold = getattr(estimator, "threshold_", None)

    def value(self, X: pd.DataFrame, y: np.ndarray) -> float:
        """The metric itself, as reported."""
        pred = self.model.predict_matrix(X)
        return M.score(
            self.metric.name, y, pred, pos_index=self.pos_index, threshold=self.threshold
        )

    def __call__(self, _estimator: Any, X: pd.DataFrame, y: np.ndarray) -> float:
        value = self.value(X, y)
        return value if self.metric.greater_is_better else -value


def _p_values(repeats: np.ndarray) -> np.ndarray:
    """One-sided t-test per column that the mean drop over repeats is above zero."""
    n = repeats.shape[1]
    mean, std = repeats.mean(axis=1), repeats.std(axis=1, ddof=1) if n > 1 else None
    if std is None:
        return np.full(len(repeats), np.nan)
    out = np.where(mean > 0, 0.0, 1.0)
    spread = std > 1e-12
    t = mean[spread] / (std[spread] / np.sqrt(n))
    out[spread] = stats.t.sf(t, df=n - 1)
    return out


def permutation_table(
    estimator: Any, X: pd.DataFrame, y: np.ndarray, metric: M.Metric, n_repeats: int, seed: Any
) -> tuple[pd.DataFrame, float]:
    """Importances of the columns of validated ``X``, and the unshuffled score.

    Returns
    -------
    table : DataFrame
        Indexed by input column (``feature``): ``importance`` (mean drop of the
        metric over repeats; for a loss, its rise), ``stddev`` (over repeats),
        ``p_value`` (one-sided t-test that the drop is above zero; NaN for one
        repeat), ``n`` (repeats); sorted by falling importance.
    baseline : float
        The metric on the rows as given.
    """
    from sklearn.inspection import permutation_importance

    scorer = _Scorer(estimator, metric)
    result = permutation_importance(
        estimator, X, y, scoring=scorer, n_repeats=n_repeats, random_state=seed
    )
    repeats = np.asarray(result.importances, dtype=float)
    table = pd.DataFrame(
        {
            "importance": repeats.mean(axis=1),
            "stddev": repeats.std(axis=1, ddof=1) if n_repeats > 1 else np.zeros(len(repeats)),
            "p_value": _p_values(repeats),
            "n": n_repeats,
        },
        index=pd.Index([str(c) for c in X.columns], name="feature"),
    )
    table = table.sort_values("importance", ascending=False, kind="stable")
    return table, scorer.value(X, y)


def _prediction_name(estimator: Any) -> str:
    if estimator._task_kind == "regression":
        return "predicted value"
    classes = estimator.classes_
    if len(classes) == 2:
        label = classes[int(estimator.pos_index_)]
        label = label.item() if isinstance(label, np.generic) else label
        return f"probability of class {label!r}"
    return "probability of each class"


def feature_importance(
    estimator: Any,
    X: Any,
    y: Any,
    *,
    n_repeats: int = 5,
    scoring: str | None = None,
    random_state: Any = None,
    method: str = "permutation",
) -> pd.DataFrame:
    """Measure, store on ``estimator`` and return the importance of each input column.

    See ``AutoMLBase.feature_importance`` for the parameters; this stores the result
    as ``estimator.explanation_`` (an :class:`~automl.explain.record.Explanation`),
    with the partial dependence of the :data:`PD_FEATURES` most important columns.

    Returns
    -------
    DataFrame
        The importance table, best first.
    """
    estimator._check_fitted()
    _check_options(n_repeats, method)
    X_df = validate_predict_data(X, estimator.schema_)
    if len(X_df) < 2:
        raise DataError(
            f"feature_importance needs at least 2 rows of held-out data; X has {len(X_df)}."
        )
    y_enc = _target(estimator, y, len(X_df))
    # the same rule as the fit's: threads on small matrices slow down badly on shared CPUs
    small = len(X_df) * max(X_df.shape[1], 1) < THREADED_MIN_CELLS
    with threadpool_limits(limits=1 if small else None):
        explanation = _explain(estimator, X_df, y_enc, n_repeats, scoring, random_state, method)
    estimator.explanation_ = explanation
    return explanation.importance.copy()


def _explain(
    estimator: Any,
    X_df: pd.DataFrame,
    y_enc: np.ndarray,
    n_repeats: int,
    scoring: str | None,
    random_state: Any,
    method: str,
) -> Explanation:
    if method == "shap":
        from .shap import shap_table

        table, metric_name, baseline, repeats = shap_table(estimator, X_df), "", float("nan"), 1
    else:
        metric = _metric(estimator, scoring)
        table, baseline = permutation_table(estimator, X_df, y_enc, metric, n_repeats, random_state)
        metric_name, repeats = metric.name, n_repeats
    dropped = set(estimator.schema_.dropped)
    positive = table.index[table["importance"].to_numpy() > 0]
    top = [str(f) for f in positive if f not in dropped]
    classification = estimator._task_kind != "regression"
    pd_records = partial_dependence(
        estimator.final_model_,
        X_df,
        top[:PD_FEATURES],
        estimator.schema_,
        classes=estimator.classes_ if classification else None,
        pos_index=int(getattr(estimator, "pos_index_", 1)),
        random_state=int(random_state) if isinstance(random_state, Integral) else 0,
    )
    return Explanation(
        importance=table,
        method=method,
        metric=metric_name,
        baseline=baseline,
        n_rows=len(X_df),
        n_repeats=repeats,
        partial_dependence=pd_records,
        prediction=_prediction_name(estimator),
    )
