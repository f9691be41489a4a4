"""The leaderboard: one row per trial, best first, from the trial log."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import metrics as M
from .fidelity import fidelity_of


def build_leaderboard(records: list[dict[str, Any]], metric: str) -> pd.DataFrame:
    """A DataFrame of trials sorted by ``metric`` (failed and timed-out trials last).

    Full-fidelity trials come first, then lower fidelities (a multi-fidelity search),
    each group best first: scores at different fidelities are measured on the same
    rows but by models trained on fewer.

    Columns: ``trial``, ``family``, ``status``, ``fidelity``, ``<m>_mean`` and ``<m>_std`` for
    every reported metric, ``threshold_mean``, ``threshold_std``, ``fit_time``,
    ``duration``, ``started``, ``error``, ``config``.
    """
    names = M.reported(M.get_metric(metric).task)
    names = names if metric in names else (*names, metric)  # a user's own metric
    rows = []
    for r in records:
        row: dict[str, Any] = {
            "trial": r["trial"],
            "family": r["family"],
            "status": r["status"],
            "fidelity": fidelity_of(r.get("config")),
        }
        for m in names:
            row[f"{m}_mean"] = r.get("mean", {}).get(m, np.nan)
            row[f"{m}_std"] = r.get("std", {}).get(m, np.nan)
        th = r.get("threshold") or {}
        row["threshold_mean"] = th.get("mean", np.nan)
        row["threshold_std"] = th.get("std", np.nan)
        row["fit_time"] = r.get("fit_time", np.nan)
        row["duration"] = r.get("duration", np.nan)
        row["started"] = r.get("started", np.nan)
        row["error"] = r.get("error")
        row["config"] = r.get("config")
        rows.append(row)
    columns = [
        "trial",
        "family",
        "status",
        "fidelity",
        *[f"{m}_{s}" for m in names for s in ("mean", "std")],
        "threshold_mean",
        "threshold_std",
        "fit_time",
        "duration",
        "started",
        "error",
        "config",
    ]
    board = pd.DataFrame(rows, columns=columns)
    if board.empty:
        return board
    ascending = not M.get_metric(metric).greater_is_better
    board["_failed"] = board["status"] != "ok"
    board = board.sort_values(
        ["_failed", "fidelity", f"{metric}_mean", "trial"],
        ascending=[True, False, ascending, True],
        na_position="last",
    )
    return board.drop(columns="_failed").reset_index(drop=True)
