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
from ._scoring import Scoring


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


def search_attributes(
    records: list[dict[str, Any]], scoring: Scoring, n_splits: int, resource: Resource | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """SearchCV's fitted attributes from its trials (in trial order), and the best record.

    ``n_trials_``, ``n_splits_``, ``trials_``, ``cv_results_``, ``best_index_``,
    ``best_params_``, ``best_score_`` (of the optimised metric) and ``multimetric_``.
    """
    metric = scoring.metric
    best = best_index(records, metric)
    several = dict(scoring.metrics) if scoring.multimetric else None
    shown = list(dict.fromkeys([metric, *scoring.metrics.values()]))  # two keys, one metric
    attributes = {
        "n_trials_": len(records),
        "n_splits_": n_splits,
        "trials_": trials_frame(records, shown, resource),
        "cv_results_": cv_results(records, metric, n_splits, resource, several),
        "best_index_": best,
        "best_params_": trial_params(records[best]["config"], resource),
        "best_score_": float(records[best]["mean"][metric]),
        "multimetric_": scoring.multimetric,
    }
    return attributes, records[best]


def _score_columns(
    records: list[dict[str, Any]], metric: str, n_splits: int, name: str
) -> dict[str, np.ndarray]:
    """``split<i>_test_<name>``, ``mean_test_<name>``, ``std_test_<name>`` and
    ``rank_test_<name>`` of ``metric``: NaN means for trials that did not finish."""
    out: dict[str, np.ndarray] = {}
    folds = [r.get("fold_scores", {}).get(metric) or [] for r in records]
    for i in range(n_splits):
        out[f"split{i}_test_{name}"] = np.array(
            [f[i] if i < len(f) else np.nan for f in folds], dtype=float
        )
    ok = [r["status"] == "ok" for r in records]
    for stat in ("mean", "std"):
        out[f"{stat}_test_{name}"] = np.array(
            [
                r[stat].get(metric, np.nan) if good else np.nan
                for r, good in zip(records, ok, strict=True)
            ],
            dtype=float,
        )
    greater = M.get_metric(metric).greater_is_better
    out[f"rank_test_{name}"] = _ranks(out[f"mean_test_{name}"], greater)
    return out


def cv_results(
    records: list[dict[str, Any]],
    metric: str,
    n_splits: int,
    resource: Resource | None,
    metrics: dict[str, str] | None = None,
) -> dict[str, Any]:
    """``cv_results_`` in scikit-learn's shape, one entry per trial in trial order.

    Keys: ``params``, ``param_<name>`` (masked arrays), ``split<i>_test_score``,
    ``mean_test_score``, ``std_test_score``, ``rank_test_score``, ``mean_fit_time``,
    ``std_fit_time``, ``mean_score_time``, ``std_score_time``, and ``status`` and
    ``fidelity``. A trial that did not finish (failed, timed out, pruned) has a NaN
    mean and ranks last; a pruned one keeps the scores of the folds it ran. With
    ``metrics`` (several, ``{key: metric}``) each key replaces ``score`` in the names,
    as in scikit-learn's multi-metric search.
    """
    params = [trial_params(r["config"], resource) for r in records]
    out: dict[str, Any] = {}
    n = len(records)
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
    for key, name in (metrics or {"score": metric}).items():
        out.update(_score_columns(records, name, n_splits, key))
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
    records: list[dict[str, Any]], metrics: list[str], resource: Resource | None
) -> pd.DataFrame:
    """One row per trial in trial order: status, fidelity, each metric's mean and std
    (the optimised one first), times, error, parameters."""
    scores = [f"{m}_{stat}" for m in metrics for stat in ("mean", "std")]
    rows = []
    for r in records:
        row = {
            "trial": r["trial"],
            "status": r["status"],
            "fidelity": float(r["config"].get("fidelity", 1.0)),
        }
        for m in metrics:
            row[f"{m}_mean"] = r.get("mean", {}).get(m, np.nan)
            row[f"{m}_std"] = r.get("std", {}).get(m, np.nan)
        row.update(
            fit_time=r.get("fit_time", np.nan),
            duration=r.get("duration", np.nan),
            error=r.get("error"),
            params=trial_params(r["config"], resource),
        )
        rows.append(row)
    columns = ["trial", "status", "fidelity", *scores, "fit_time", "duration", "error", "params"]
    return pd.DataFrame(rows, columns=columns)
