"""The overview sections of the run report: the run at a glance and the data it saw.

Shared by classification and regression; the rows and tables that differ come
from :func:`classification_rows` or :func:`regression_rows` and the class
balance or target statistics handed to :func:`data_section`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..metrics import get_metric
from ._render import Table, compact, fmt_pm, fmt_share, fmt_value

_TARGET_STATS = ("min", "median", "max", "mean", "std", "skew")
_SCHEMA_KINDS = ("numeric", "categorical", "high_cardinality", "boolean", "datetime", "dropped")


def summary_rows(
    model: Any,
    board: pd.DataFrame,
    ensemble: list[Any],
    timings: Mapping[str, Any],
    task_rows: list[tuple[str, str]],
) -> list[tuple[str, str]]:
    """The run at a glance: metric, scores, the task's rows, final model, trials, time.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        The fitted run.
    board : DataFrame
        Its leaderboard, best first (empty for a prior-only model).
    ensemble : list of dict
        The final ensemble members (``trial``, ``weight``).
    timings : mapping
        ``timings_`` of the run.
    task_rows : list of (str, str)
        Rows about the task, from :func:`classification_rows` or :func:`regression_rows`.

    Returns
    -------
    list of (str, str)
        Label and text of each row.
    """
    metric = model.metric_
    status = board["status"].value_counts() if "status" in board else pd.Series(dtype=int)
    ok = board[board["status"] == "ok"] if "status" in board else board
    best = ok.iloc[0] if len(ok) else None
    direction = "higher" if get_metric(metric).greater_is_better else "lower"
    rows = [
        ("Optimized metric", f"{metric} ({direction} is better)"),
        (
            "Cross-validated score of the final model",
            fmt_value(getattr(model, "cv_score_", None), ".4f"),
        ),
    ]
    if best is not None:
        rows.append(
            (
                "Best trial",
                f"#{best['trial']} {best['family']}: "
                f"{fmt_pm(best.get(f'{metric}_mean'), best.get(f'{metric}_std'))}",
            )
        )
    rows += task_rows
    members = len(ensemble)
    if members > 1:
        final = f"ensemble of {members} pipelines"
    elif members or len(board):
        final = "single pipeline (best trial)"
    else:
        final = "prior model: no search was run (see the notes)"
    kind = getattr(model, "final_model_kind_", "refit")
    if members and kind != "refit":  # the members are their trials' fold models, averaged
        final += " (bagged fold models)" if kind == "bagged" else " (bagged and refitted)"
    rows.append(("Final model", final))
    rows.append(
        (
            "Trials",
            f"{len(board)} ({int(status.get('ok', 0))} ok, "
            + (f"{int(status['pruned'])} pruned, " if status.get("pruned", 0) else "")
            + f"{int(status.get('failed', 0))} failed, "
            f"{int(status.get('timeout', 0))} timed out)",
        )
    )
    total, budget = timings.get("total"), timings.get("budget")
    if total is not None:
        text = f"{total:.1f} s"
        if budget:
            text += f" of a {budget:.0f} s budget ({total / budget:.0%})"
        rows.append(("Wall time", text))
    return rows


def classification_rows(
    model: Any, classes: list[str], threshold: float | None
) -> list[tuple[str, str]]:
    """Summary rows of a classifier: its classes and its decision rule."""
    rows = [
        (
            "Classes",
            f"{len(classes)}: " + ", ".join(classes[:12]) + (" …" if len(classes) > 12 else ""),
        )
    ]
    if len(classes) == 2:
        rows.append(("Positive class", classes[int(getattr(model, "pos_index_", 1))]))
    if threshold is not None:
        rows.append(
            (
                "Decision threshold (tuned out of fold)",
                fmt_pm(threshold, getattr(model, "threshold_std_", None), ".3f"),
            )
        )
    else:
        rows.append(("Decision rule", "most probable class"))
    return rows


def regression_rows(
    target: Mapping[str, Any], final_scores: Mapping[str, float]
) -> list[tuple[str, str]]:
    """Summary rows of a regressor: the target's range and the final model's OOF errors.

    Parameters
    ----------
    target : mapping
        The target's statistics (see :func:`target_stats`).
    final_scores : mapping
        Regression metrics of the final model's out-of-fold predictions.

    Returns
    -------
    list of (str, str)
    """
    scores = " · ".join(
        f"{name} {fmt_value(final_scores.get(name), '.4g')}"
        for name in ("rmse", "mae", "r2", "mape", "median_ae")
    )
    return [
        ("Task", "regression (predicts a number)"),
        (
            "Target",
            f"min {fmt_value(target.get('min'))} · median {fmt_value(target.get('median'))} · "
            f"max {fmt_value(target.get('max'))} (skew {fmt_value(target.get('skew'), '.2f')})",
        ),
        ("Final model, out of fold", scores),
    ]


def target_stats(profile: Mapping[str, Any], y: np.ndarray) -> dict[str, Any]:
    """The regression target's statistics: ``profile["target"]``, or computed from ``y``.

    Parameters
    ----------
    profile : mapping
        ``profile_`` of the run.
    y : ndarray
        The true target (``oof_y_``), used when the profile has no ``target``.

    Returns
    -------
    dict
        ``min, max, mean, std, median, skew`` and ``quantiles`` (0, 10, ..., 100th percentiles).
    """
    if profile.get("target"):
        return dict(profile["target"])
    t = np.asarray(y, dtype=float).ravel()
    if not len(t):
        return {}
    std = float(t.std())
    return {
        "min": float(t.min()),
        "max": float(t.max()),
        "mean": float(t.mean()),
        "std": std,
        "median": float(np.median(t)),
        "skew": float(np.mean(((t - t.mean()) / std) ** 3)) if std > 0 else 0.0,
        "quantiles": [float(q) for q in np.quantile(t, np.linspace(0, 1, 11))],
    }


def data_section(
    model: Any,
    profile: dict[str, Any],
    balance: list[dict[str, Any]] | None = None,
    target: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The data the run saw: facts, column kinds, missing, dropped, and the target.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        The fitted run (reads ``schema_`` when present).
    profile : dict
        ``profile_`` of the run.
    balance : list of dict, optional
        Classification: ``[{label, count, share}]`` per class.
    target : mapping, optional
        Regression: the target's statistics (see :func:`target_stats`).

    Returns
    -------
    dict
        Tables ``facts, kinds, balance, target, quantiles, missing, dropped``
        (``balance`` empty for a regression, ``target`` and ``quantiles`` for a
        classification).
    """
    schema = getattr(model, "schema_", None)
    by_kind = profile.get("columns") or {}
    kinds = []
    for kind in _SCHEMA_KINDS:
        cols = [
            str(c)
            for c in (getattr(schema, kind, None) or (by_kind.get(kind) or {}).get("names") or ())
        ]
        if cols:
            shown = ", ".join(cols[:15]) + (f", … (+{len(cols) - 15})" if len(cols) > 15 else "")
            kinds.append((kind.replace("_", " "), len(cols), shown))
    missing = profile.get("missing") or {}
    facts: list[tuple[str, Any]] = [
        ("rows", profile.get("n_rows")),
        ("columns", profile.get("n_columns")),
        ("minority class share", fmt_share(profile.get("minority_share"))),
        ("imbalance ratio (largest / smallest class)", profile.get("imbalance_ratio")),
        (
            "missing cells",
            None
            if not isinstance(missing, dict) or "total_cells" not in missing
            else f"{missing['total_cells']} ({missing.get('share', 0.0):.2%})",
        ),
    ]
    known = {
        "n_rows",
        "n_columns",
        "minority_share",
        "imbalance_ratio",
        "class_balance",
        "target",
        "columns",
        "missing",
        "dropped",
        "notes",
    }
    facts += [(k.replace("_", " "), compact(v)) for k, v in profile.items() if k not in known]
    per_column = (missing.get("per_column") or {}) if isinstance(missing, dict) else {}
    worst = sorted(per_column.items(), key=lambda kv: -kv[1])[:20]
    n_rows = profile.get("n_rows") or 0
    dropped = profile.get("dropped") or []
    return {
        "facts": Table.from_rows(["fact", "value"], [f for f in facts if f[1] is not None]),
        "kinds": Table.from_rows(["kind", "count", "columns"], kinds),
        "balance": Table.from_rows(
            ["class", "rows", "share"],
            [(b["label"], b["count"], fmt_share(b["share"])) for b in balance or ()],
        ),
        "target": Table.from_rows(
            ["statistic", "value"],
            [(k, (target or {}).get(k)) for k in _TARGET_STATS if k in (target or {})],
        ),
        "quantiles": Table.from_rows(
            ["percentile", "value"],
            [
                (f"{100 * i / max(len(qs) - 1, 1):.0f}%", q)
                for qs in [list((target or {}).get("quantiles") or [])]
                for i, q in enumerate(qs)
            ],
        ),
        "missing": Table.from_rows(
            ["column", "missing", "share"],
            [(c, n, fmt_share(n / n_rows) if n_rows else None) for c, n in worst],
        ),
        "dropped": Table.from_rows(
            ["column", "reason"],
            [
                (d.get("column"), d.get("reason") or "") if isinstance(d, dict) else (d, "")
                for d in dropped
            ],
        ),
    }
