"""Training one LightGBM booster: early stopping on an inner split, a deadline, the device."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from sklearn.utils import check_random_state

from .common import deadline, inner_split, past, silenced_stderr, wants_gpu


class _StopRule:
    """LightGBM callback: early stopping on the first validation metric, and a deadline.

    At the last round, on patience running out or at the deadline it raises
    LightGBM's ``EarlyStopException`` with the best round so far, so the booster
    predicts with that round (``best_iteration``).
    """

    order = 30
    before_iteration = False

    def __init__(self, patience: int | None, stop_at: float | None) -> None:
        self.patience = patience
        self.stop_at = stop_at
        self.best: tuple[float, int, list[Any]] | None = None

    def __call__(self, env: Any) -> None:
        from lightgbm.callback import EarlyStopException

        results = list(env.evaluation_result_list or [])
        best_round = env.iteration
        if results:
            score, higher = results[0][2], results[0][3]
            if self.best is None or (score > self.best[0] if higher else score < self.best[0]):
                self.best = (score, env.iteration, results)
            best_round = self.best[1]
            if self.patience is not None and env.iteration - best_round >= self.patience:
                raise EarlyStopException(best_round, self.best[2])
        if past(self.stop_at) or env.iteration == env.end_iteration - 1:
            raise EarlyStopException(best_round, self.best[2] if self.best else [])


@functools.lru_cache(maxsize=1)
def lightgbm_cuda_usable() -> bool:
    """Whether this LightGBM build trains on CUDA here (pip wheels are built without it)."""
    import lightgbm as lgb

    X = np.arange(40, dtype=np.float64).reshape(20, 2)
    try:
        with silenced_stderr():
            lgb.LGBMRegressor(n_estimators=1, device_type="cuda", verbosity=-1).fit(X, X[:, 0])
    except Exception:  # LightGBMError: "CUDA Tree Learner was not enabled in this build"
        return False
    return True


def negative_codes_as_missing(X: np.ndarray, cats: list[int]) -> np.ndarray:
    """``X`` with negative codes of categorical columns as NaN (a copy only if any).

    The encoders code a missing or unseen category as -1. LightGBM reads a negative
    category as missing too, but says so on stdout ("Met negative value in
    categorical features") for every validation set it builds; passing NaN means
    the same and keeps a fit quiet.
    """
    if not cats:
        return X
    codes = X[:, cats]
    negative = codes < 0
    if not negative.any():
        return X
    X = X.copy()  # a float array (float64 or float32), as the adapters validated it
    X[:, cats] = np.where(negative, np.nan, codes)
    return X


def train_booster(
    p: dict[str, Any],
    X: np.ndarray,
    y: np.ndarray,
    weights: np.ndarray | None,
    cats: list[int],
    objective: dict[str, Any],
) -> Any:
    """Train a LightGBM booster, stopping early on an inner split of ``X, y``.

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
    objective : dict
        LightGBM's ``objective`` (and ``num_class``); the inner split is stratified
        for classification objectives.

    Returns
    -------
    lightgbm.Booster
        Holding the rounds up to the best one on the inner split (``lgb.train``
        reloads the booster with its best round only).
    """
    import lightgbm as lgb

    X = negative_codes_as_missing(X, cats)
    stop_at = deadline(p["max_time"])
    seed = int(check_random_state(p["random_state"]).randint(np.iinfo(np.int32).max))
    subsample = float(p["subsample"])
    gpu = wants_gpu(p["device"], X.shape[0], lightgbm_cuda_usable)
    params = {
        **objective,
        "learning_rate": float(p["learning_rate"]),
        "num_leaves": int(p["num_leaves"]),
        "max_depth": int(p["max_depth"]),
        "min_data_in_leaf": int(p["min_child_samples"]),
        "bagging_fraction": subsample,
        "bagging_freq": 1 if subsample < 1.0 else 0,
        "feature_fraction": float(p["colsample_bytree"]),
        "lambda_l1": float(p["reg_alpha"]),
        "lambda_l2": float(p["reg_lambda"]),
        "extra_trees": bool(p["extra_trees"]),
        "num_threads": int(p["n_jobs"]),
        "seed": seed,
        "device_type": "cuda" if gpu else "cpu",
        "verbosity": -1,
    }
    split = None
    if p["early_stopping_rounds"] is not None:
        strata = None if objective["objective"] == "regression" else y
        split = inner_split(X.shape[0], p["validation_fraction"], seed, strata)
    rows = np.arange(X.shape[0]) if split is None else split[0]

    def dataset(idx: np.ndarray, **kw: Any) -> Any:
        w = None if weights is None else weights[idx]
        return lgb.Dataset(X[idx], y[idx], weight=w, categorical_feature=cats or "auto", **kw)

    train = dataset(rows)
    valid = [] if split is None else [dataset(split[1], reference=train)]
    callbacks: list[Any] = []
    if split is not None or stop_at is not None:
        callbacks.append(_StopRule(p["early_stopping_rounds"], stop_at))
    return lgb.train(
        params, train, num_boost_round=int(p["n_estimators"]), valid_sets=valid, callbacks=callbacks
    )
