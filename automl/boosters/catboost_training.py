"""Training one CatBoost model: early stopping on an inner split, a deadline, the device."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from .common import deadline, inner_split, past, silenced_stderr, wants_gpu


class _Deadline:
    """CatBoost callback: stop boosting once the deadline has passed."""

    def __init__(self, stop_at: float | None) -> None:
        self.stop_at = stop_at

    def after_iteration(self, info: Any) -> bool:
        """Whether to go on boosting."""
        return not past(self.stop_at)


@functools.lru_cache(maxsize=1)
def catboost_gpu_usable() -> bool:
    """Whether CatBoost sees a CUDA device (its probe prints driver errors: silenced)."""
    from catboost.utils import get_gpu_device_count

    try:
        with silenced_stderr():
            return int(get_gpu_device_count()) > 0
    except Exception:  # a broken driver must not fail the family
        return False


def pool_data(X: np.ndarray, cats: list[int]) -> Any:
    """``X`` as CatBoost takes it: categorical columns as integers (NaN: -1)."""
    if not cats:
        return X
    import pandas as pd

    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])], copy=False)
    for c in cats:
        codes = np.nan_to_num(X[:, c], nan=-1.0)
        frame[f"f{c}"] = np.rint(codes).astype(np.int64)
    return frame


def train_model(
    p: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None,
    cats: list[int],
    loss: str,
) -> Any:
    """Train a CatBoost model, stopping early on an inner split of ``X, y``.

    Parameters
    ----------
    p : dict
        The adapter's ``get_params()``, already checked.
    X : ndarray of shape (n_rows, n_features)
        Training rows.
    y : ndarray of shape (n_rows,)
        Targets, or class codes ``0..k-1``.
    weights : ndarray or None
        Row weights.
    cats : list of int
        Positions of the integer-coded categorical columns.
    loss : {"Logloss", "MultiClass", "RMSE"}
        CatBoost's loss; the inner split is stratified for the classification ones.

    Returns
    -------
    catboost.CatBoostClassifier or catboost.CatBoostRegressor
        Shrunk to its best round on the inner split.
    """
    from catboost import CatBoostClassifier, CatBoostRegressor, Pool

    stop_at = deadline(p["max_time"])
    seed = int(check_random_state(p["random_state"]).randint(np.iinfo(np.int32).max))
    gpu = wants_gpu(p["device"], X.shape[0], catboost_gpu_usable)
    model_cls = CatBoostRegressor if loss == "RMSE" else CatBoostClassifier
    model = model_cls(
        loss_function=loss,
        iterations=int(p["n_estimators"]),
        learning_rate=float(p["learning_rate"]),
        depth=int(p["depth"]),
        l2_leaf_reg=float(p["l2_leaf_reg"]),
        random_strength=float(p["random_strength"]),
        bagging_temperature=float(p["bagging_temperature"]),
        thread_count=int(p["n_jobs"]),
        random_seed=seed,
        task_type="GPU" if gpu else "CPU",
        logging_level="Silent",
        allow_writing_files=False,
    )
    split = None
    if p["early_stopping_rounds"] is not None:
        strata = None if loss == "RMSE" else y
        split = inner_split(X.shape[0], p["validation_fraction"], seed, strata)
    rows = np.arange(X.shape[0]) if split is None else split[0]

    def pool(idx: np.ndarray) -> Any:
        w = None if weights is None else weights[idx]
        return Pool(pool_data(X[idx], cats), y[idx], weight=w, cat_features=cats or None)

    fit: dict[str, Any] = {}
    if split is not None:
        fit.update(
            eval_set=pool(split[1]),
            early_stopping_rounds=int(p["early_stopping_rounds"]),
            use_best_model=True,
        )
    if stop_at is not None and not gpu:
        fit["callbacks"] = [_Deadline(stop_at)]
    return model.fit(pool(rows), **fit)
