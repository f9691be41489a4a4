"""From the trial log to scikit-learn's ``cv_results_``, the best trial and ``trials_``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from .. import metrics as M
from ..errors_text import failure_text
from ..exceptions import SearchError
from ..resource import Resource, resource_value


def trial_params(config: dict[str, Any], resource: Resource | None) -> dict[str, Any]:
    """The estimator parameters a trial used: its configuration, and the resource's value."""
    params = {k[len("model.") :]: v for k, v in config.items() if k.startswith("model.")}
    if resource is not None:
        params[resource.name] = resource_value(
            config.get("fidelity"), resource.min_resources, resource.max_resources
        )
    return params


def _ranks(scores: np.ndarray, greater_is_better: bool) -> np.ndarray:
    """scikit-learn's ``rank_test_score``: 1 is best, ties share the lowest rank, NaN last."""
    finite = np.isfinite(scores)
    keyed = np.where(finite, -scores if greater_is_better else scores, np.inf)
    return np.asarray(rankdata(keyed, method="min"), dtype=np.int32)


def cv_results(
    records: list[dict[str, Any]], metric: str, n_splits: int, resource: Resource | None
) -> dict[str, Any]:
    """``cv_results_`` in scikit-learn's shape, one entry per trial in trial order.

    Keys: ``params``, ``param_<name>`` (masked arrays), ``split<i>_test_score``,
    ``mean_test_score``, ``std_test_score``, ``rank_test_score``, ``mean_fit_time``,
    ``std_fit_time``, ``mean_score_time``, ``std_score_time``, and ``status`` and
    ``fidelity``. A trial that did not finish (failed, timed out, pruned) has a NaN
    mean and ranks last; a pruned one keeps the scores of the folds it ran.
    """
    params = [trial_params(r["config"], resource) for r in records]
    out: dict[str, Any] = {}
    n = len(records)
    for i in range(n_splits):
        out[f"split{i}_test_score"] = np.array(
            [
                (r.get("fold_scores", {}).get(metric) or [])[i]
                if i < len(r.get("fold_scores", {}).get(metric) or [])
                else np.nan
                for r in records
            ],
            dtype=float,
        )
    ok = [r["status"] == "ok" for r in records]
    mean = np.array(
        [
            r["mean"].get(metric, np.nan) if good else np.nan
            for r, good in zip(records, ok, strict=True)
        ],
        dtype=float,
    )
    std = np.array(
        [
            r["std"].get(metric, np.nan) if good else np.nan
            for r, good in zip(records, ok, strict=True)
        ],
        dtype=float,
    )
    folds_run = np.array([max(1, len(r.get("fold_scores", {}).get(metric) or [])) for r in records])
    out["mean_fit_time"] = np.array([r.get("fit_time", 0.0) for r in records], float) / folds_run
    out["std_fit_time"] = np.full(n, np.nan)
    out["mean_score_time"] = (
        np.array([r.get("predict_time", 0.0) for r in records], float) / folds_run
    )
    out["std_score_time"] = np.full(n, np.nan)
    names = sorted({k for p in params for k in p})
    for name in names:
        values = np.ma.MaskedArray(np.empty(n, dtype=object), mask=True)
        for i, p in enumerate(params):
            if name in p:
                values[i] = p[name]
        out[f"param_{name}"] = values
    out["params"] = params
    out["mean_test_score"] = mean
    out["std_test_score"] = std
    out["rank_test_score"] = _ranks(mean, M.get_metric(metric).greater_is_better)
    out["status"] = np.array([r["status"] for r in records], dtype=object)
    out["fidelity"] = np.array([float(r["config"].get("fidelity", 1.0)) for r in records])
    return out


def best_index(records: list[dict[str, Any]], metric: str) -> int:
    """Position of the best finished trial among those at the highest fidelity that finished.

    Raises
    ------
    SearchError
        When no trial finished, with the first reasons.
    """
    ok = [i for i, r in enumerate(records) if r["status"] == "ok"]
    if not ok:
        reasons = "; ".join(
            f"trial {r['trial']} {r['status']}: "
            + failure_text(r.get("error"), r["status"], limit=200)
            for r in records[:3]
        )
        raise SearchError(
            "Every configuration failed, so there is no best one. "
            + (
                f"First reasons: {reasons}"
                if records
                else "No trial could start: raise time_budget."
            )
        )
    top = max(float(records[i]["config"].get("fidelity", 1.0)) for i in ok)
    ok = [i for i in ok if float(records[i]["config"].get("fidelity", 1.0)) == top]
    return min(ok, key=lambda i: (M.to_loss(metric, records[i]["mean"][metric]), i))


def trials_frame(
    records: list[dict[str, Any]], metric: str, resource: Resource | None
) -> pd.DataFrame:
    """One row per trial in trial order: status, fidelity, scores, times, error, parameters."""
    rows = []
    for r in records:
        rows.append(
            {
                "trial": r["trial"],
                "status": r["status"],
                "fidelity": float(r["config"].get("fidelity", 1.0)),
                f"{metric}_mean": r.get("mean", {}).get(metric, np.nan),
                f"{metric}_std": r.get("std", {}).get(metric, np.nan),
                "fit_time": r.get("fit_time", np.nan),
                "duration": r.get("duration", np.nan),
                "error": r.get("error"),
                "params": trial_params(r["config"], resource),
            }
        )
    columns = [
        "trial",
        "status",
        "fidelity",
        f"{metric}_mean",
        f"{metric}_std",
        "fit_time",
        "duration",
        "error",
        "params",
    ]
    return pd.DataFrame(rows, columns=columns)
