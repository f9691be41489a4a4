"""The trial tables of the run report: scores, leaderboard, failures, families, ensemble.

The task (classification or regression) follows from the optimized metric:
the score and leaderboard tables list that task's reported metrics.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..fidelity import fidelity_label
from ..metrics import REPORTED_REGRESSION, get_metric, reported, score_all
from ._render import Table, compact, fmt_pm, fmt_value

LEADERBOARD_ROWS = 25
_CLASSIFICATION_COLUMNS = (
    "roc_auc",
    "average_precision",
    "log_loss",
    "f1",
    "balanced_accuracy",
    "mcc",
)


def oof_scores(
    y: np.ndarray,
    proba: np.ndarray,
    pos: int,
    threshold: float | None,
    board: pd.DataFrame,
    metric: str,
) -> Table:
    """Every reported metric: the final model out of fold next to the best trial's CV.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Encoded labels, or the true target of a regression.
    proba : ndarray of shape (n, k)
        Out-of-fold class probabilities, or predicted values of shape (n, 1).
    pos : int
        Binary positive class (unused for a regression).
    threshold : float or None
        Binary decision threshold (None for a regression).
    board : DataFrame
        The leaderboard, best first.
    metric : str
        The optimized metric; its task picks the metrics listed.

    Returns
    -------
    Table
    """
    names = reported(get_metric(metric).task)
    final = score_all(y, proba, pos_index=pos, threshold=threshold, names=names)
    ok = board[board["status"] == "ok"] if "status" in board else board
    best = ok.iloc[0] if len(ok) else pd.Series(dtype=object)
    rows = []
    for name in names:
        label = f"{name} (optimized)" if name == metric else name
        trial = fmt_pm(best.get(f"{name}_mean"), best.get(f"{name}_std"))
        rows.append((label, final.get(name), trial))
    return Table.from_rows(
        ["metric", "final model, out of fold", "best trial, CV mean ± std"], rows, ".4f"
    )


def leaderboard(board: pd.DataFrame, metric: str, ensemble: list[Mapping[str, Any]]) -> Table:
    """The first ``LEADERBOARD_ROWS`` trials; ensemble members in bold with their weight.

    A classification shows its main metrics and the tuned threshold; a regression
    its error metrics and no threshold.
    """
    weights = {int(m["trial"]): float(m["weight"]) for m in ensemble}
    # a multi-fidelity search: say which rows' share each trial trained on
    fidelity = "fidelity" in board and bool((board["fidelity"] < 1.0).any())
    regression = get_metric(metric).task == "regression"
    shown = REPORTED_REGRESSION if regression else _CLASSIFICATION_COLUMNS
    others = [m for m in shown if m != metric]
    columns = [
        "trial",
        "family",
        "status",
        *(["fidelity"] if fidelity else []),
        f"{metric} (mean ± std)",
        *[m.replace("_", " ") for m in others],
        *([] if regression else ["threshold"]),
        "fit time (s)",
        "weight",
    ]
    rows = []
    for _, r in board.head(LEADERBOARD_ROWS).iterrows():
        trial = int(r["trial"])
        rows.append(
            [
                r.get("trial"),
                r.get("family"),
                r.get("status"),
                *([fidelity_label(float(r["fidelity"]))] if fidelity else []),
                fmt_pm(r.get(f"{metric}_mean"), r.get(f"{metric}_std")),
                *[fmt_value(r.get(f"{m}_mean"), ".4f") for m in others],
                *([] if regression else [fmt_value(r.get("threshold_mean"), ".3f")]),
                fmt_value(r.get("fit_time"), ".3g"),
                fmt_value(weights[trial]) if trial in weights else "",
            ]
        )
    table = Table.from_rows(columns, rows)
    for row in table.rows:  # emphasise ensemble members
        if row[-1][0]:
            row[:] = [(text, True) for text, _ in row]
    return table


def failed_trials(board: pd.DataFrame) -> Table:
    """Trials that failed or timed out, with their (shortened) error; pruned trials are not."""
    bad = board[~board["status"].isin(["ok", "pruned"])] if "status" in board else board.iloc[:0]
    return Table.from_rows(
        ["trial", "family", "status", "error", "duration (s)"],
        [
            (
                r.get("trial"),
                r.get("family"),
                r.get("status"),
                compact(r.get("error") or "", 400),
                r.get("duration"),
            )
            for _, r in bad.iterrows()
        ],
        ".3g",
    )


def families_table(board: pd.DataFrame, metric: str, higher: bool) -> Table:
    """Per model family: trials run, trials ok, best score and mean duration."""
    rows = []
    col = f"{metric}_mean"
    for family, group in board.groupby("family", sort=False):
        ok = group[group["status"] == "ok"]
        best = (ok[col].max() if higher else ok[col].min()) if len(ok) and col in ok else None
        rows.append(
            (
                family,
                len(group),
                len(ok),
                fmt_value(best, ".4f"),
                fmt_value(group["duration"].mean(), ".2f") if "duration" in group else None,
            )
        )
    return Table.from_rows(["family", "trials", "ok", f"best {metric}", "mean duration (s)"], rows)


def params_text(params: Mapping[str, Any] | None) -> str:
    """Parameters as ``k=v, ...`` sorted by name; "defaults" when there are none."""
    items = sorted((params or {}).items())
    return ", ".join(f"{k}={fmt_value(v)}" for k, v in items) or "defaults"


def ensemble_table(ensemble: list[Mapping[str, Any]], board: pd.DataFrame, metric: str) -> Table:
    """The ensemble members: trial, family, weight and CV score."""
    by_trial = board.set_index("trial") if "trial" in board else pd.DataFrame()
    rows = []
    for m in ensemble:
        t = int(m["trial"])
        row = by_trial.loc[t] if t in by_trial.index else pd.Series(dtype=object)
        rows.append(
            (
                t,
                row.get("family", "?"),
                float(m["weight"]),
                fmt_pm(row.get(f"{metric}_mean"), row.get(f"{metric}_std")),
            )
        )
    return Table.from_rows(["trial", "family", "weight", f"{metric} (mean ± std)"], rows, ".3f")


def search_space(description: Mapping[str, Any]) -> dict[str, Any]:
    """The searched graph: per node its fixed choices and searched parameters."""
    rows = []
    for node in description.get("nodes", []):
        choices = node.get("choices") or {}
        fixed = [c for c, params in choices.items() if not params]
        if fixed:
            rows.append((node.get("name"), ", ".join(map(str, fixed)), "—"))
        for choice, params in choices.items():
            if params:
                text = ", ".join(f"{k}: {v}" for k, v in params.items())
                rows.append((node.get("name"), choice, text))
    return {
        "name": description.get("name", "?"),
        "description": description.get("description"),
        "table": Table.from_rows(["node", "choices", "searched parameters"], rows),
    }
