"""The overview sections of the run report: the run at a glance and the data it saw."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..metrics import get_metric
from ._render import Table, compact, fmt_pm, fmt_share, fmt_value

_SCHEMA_KINDS = ("numeric", "categorical", "high_cardinality", "boolean", "datetime", "dropped")


def summary_rows(
    clf: Any,
    board: pd.DataFrame,
    trials: list[dict[str, Any]],
    ensemble: list[Any],
    timings: Mapping[str, Any],
    classes: list[str],
    threshold: float | None,
) -> list[tuple[str, str]]:
    """The run at a glance: metric, scores, classes, decision rule, trials, time."""
    metric = clf.metric_
    status = board["status"].value_counts() if "status" in board else pd.Series(dtype=int)
    ok = board[board["status"] == "ok"] if "status" in board else board
    best = ok.iloc[0] if len(ok) else None
    direction = "higher" if get_metric(metric).greater_is_better else "lower"
    rows = [
        ("Optimized metric", f"{metric} ({direction} is better)"),
        (
            "Cross-validated score of the final model",
            fmt_value(getattr(clf, "cv_score_", None), ".4f"),
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
    rows.append(
        (
            "Classes",
            f"{len(classes)}: " + ", ".join(classes[:12]) + (" …" if len(classes) > 12 else ""),
        )
    )
    if len(classes) == 2:
        rows.append(("Positive class", classes[int(getattr(clf, "pos_index_", 1))]))
    if threshold is not None:
        rows.append(
            (
                "Decision threshold (tuned out of fold)",
                fmt_pm(threshold, getattr(clf, "threshold_std_", None), ".3f"),
            )
        )
    else:
        rows.append(("Decision rule", "most probable class"))
    members = len(ensemble)
    rows.append(
        (
            "Final model",
            f"ensemble of {members} pipelines" if members > 1 else "single pipeline (best trial)",
        )
    )
    rows.append(
        (
            "Trials",
            f"{len(board)} ({int(status.get('ok', 0))} ok, "
            f"{int(status.get('failed', 0))} failed, "
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


def data_section(
    clf: Any, profile: dict[str, Any], balance: list[dict[str, Any]]
) -> dict[str, Any]:
    """The data the run saw: facts, column kinds, class balance, missing, dropped."""
    schema = getattr(clf, "schema_", None)
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
            [(b["label"], b["count"], fmt_share(b["share"])) for b in balance],
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
