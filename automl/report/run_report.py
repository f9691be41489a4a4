"""The run report: one fitted :class:`~automl.estimator.AutoMLClassifier` as HTML or Markdown.

It reads only what ``fit`` stored (trial log, leaderboard, out-of-fold
probabilities, timings, pipeline description) and never refits or predicts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import NotFittedError
from ..metrics import REPORTED, get_metric, predict_labels, score_all
from . import plots
from ._render import ImageSink, Table, fmt_value, output_format, render

__all__ = ["run_context", "write_run_report"]

_LEADERBOARD_ROWS = 25
_SCHEMA_KINDS = ("numeric", "categorical", "high_cardinality", "boolean", "datetime", "dropped")


def write_run_report(clf: Any, path: str | Path) -> Path:
    """Write the report of a fitted run to ``path``.

    Parameters
    ----------
    clf : AutoMLClassifier
        A fitted estimator (anything with the fitted attributes it documents).
    path : str or Path
        ``*.html``: one self-contained file, figures inlined as base64 PNG.
        ``*.md``: Markdown, figures written as PNG files to ``<stem>_files/``
        beside it and linked relatively.

    Returns
    -------
    Path
        The written report.

    Raises
    ------
    ConfigError
        If ``path`` ends with neither ``.html`` nor ``.md``.
    NotFittedError
        If ``clf`` has not been fitted.

    Examples
    --------
    >>> clf = AutoMLClassifier(time_budget=60).fit(X, y)  # doctest: +SKIP
    >>> write_run_report(clf, "run.html")  # doctest: +SKIP
    """
    path = Path(path)
    fmt = output_format(path)
    for attr in ("trials_", "leaderboard_", "oof_proba_", "classes_"):
        if not hasattr(clf, attr):
            raise NotFittedError(
                f"This {type(clf).__name__} is not fitted yet (no {attr!r}); "
                "call fit before writing a report."
            )
    return render("run_report", run_context(clf, ImageSink(path, fmt)), path)


def run_context(clf: Any, sink: ImageSink) -> dict[str, Any]:
    """Everything the run-report templates show, with figures already encoded by ``sink``."""
    metric = clf.metric_
    higher = get_metric(metric).greater_is_better
    board: pd.DataFrame = clf.leaderboard_
    trials: list[dict[str, Any]] = list(clf.trials_)
    classes = [str(c) for c in clf.classes_]
    pos = int(getattr(clf, "pos_index_", 1) or 0)
    threshold = getattr(clf, "threshold_", None)
    proba, y = np.asarray(clf.oof_proba_, dtype=float), np.asarray(clf.oof_y_)
    profile: dict[str, Any] = dict(getattr(clf, "profile_", None) or {})
    balance = profile.get("class_balance") or _balance_from_labels(y, classes)
    timings: dict[str, Any] = dict(getattr(clf, "timings_", None) or {})
    steps = list(getattr(clf, "best_pipeline_steps_", None) or [])
    ensemble = list(getattr(clf, "ensemble_", None) or [])

    figures = {
        "class_balance": sink.try_add(
            "class_balance", lambda: plots.class_balance(balance), "Class balance"
        ),
        "roc": sink.try_add(
            "roc", lambda: plots.roc_curves(y, proba, classes, pos_index=pos), "ROC curves"
        ),
        "pr": sink.try_add(
            "pr",
            lambda: plots.pr_curves(y, proba, classes, pos_index=pos),
            "Precision-recall curves",
        ),
        "confusion": sink.try_add(
            "confusion",
            lambda: plots.confusion_matrix_plot(
                y,
                predict_labels(proba, pos_index=pos, threshold=threshold),
                classes,
                threshold=threshold if proba.shape[1] == 2 else None,
            ),
            "Confusion matrix",
        ),
        "trace": sink.try_add(
            "search_trace",
            lambda: plots.search_trace(trials, metric, greater_is_better=higher),
            "Search trace",
        ),
        "budget": sink.try_add("budget", lambda: plots.budget_bars(timings), "Budget vs actual"),
        "steps": sink.try_add(
            "step_times",
            lambda: plots.step_times(
                _sum_step_times(trials), getattr(clf, "refit_step_times_", None)
            ),
            "Time per step",
        ),
        "pipeline": sink.try_add(
            "pipeline",
            lambda: plots.pipeline_graph(
                steps,
                threshold=threshold,
                n_ensemble=len(ensemble),
                searched=_searched(getattr(clf, "best_config_", None) or {}),
            ),
            "Winning pipeline",
        )
        if steps
        else None,
    }
    return {
        "title": "AutoML run report",
        "metric": metric,
        "summary": _summary(clf, board, trials, ensemble, timings, classes, threshold),
        "data": _data_section(clf, profile, balance),
        "oof_scores": _oof_scores(y, proba, pos, threshold, board, metric),
        "leaderboard": _leaderboard(board, metric, ensemble),
        "n_trials": len(board),
        "shown_trials": min(len(board), _LEADERBOARD_ROWS),
        "failed": _failed(board),
        "families": _families(board, metric, higher),
        "notes": [
            *map(str, getattr(clf, "notes_", None) or profile.get("notes") or []),
            *(f"trial {t.get('trial')}: {n}" for t in trials for n in (t.get("notes") or [])),
        ],
        "timings": Table.from_rows(
            ["phase", "seconds"],
            [
                (k.replace("_", " "), timings.get(k))
                for k in ("budget", "search", "refit", "predicted_refit", "total")
                if k in timings
            ],
            ".3g",
        ),
        "pipeline_steps": Table.from_rows(
            ["#", "step", "estimator", "parameters"],
            [
                (i, name, cls, _params_text(params))
                for i, (name, cls, params) in enumerate(steps, 1)
            ],
        ),
        "ensemble": _ensemble(ensemble, board, metric),
        "best_config": json.dumps(
            getattr(clf, "best_config_", {}), indent=2, default=str, sort_keys=True
        ),
        "search_space": _search_space(getattr(clf, "graph_description_", None) or {}),
        "figures": figures,
    }


def _balance_from_labels(y: np.ndarray, classes: Sequence[str]) -> list[dict[str, Any]]:
    counts = np.bincount(y.astype(int), minlength=len(classes))
    return [
        {"label": c, "count": int(n), "share": float(n / max(len(y), 1))}
        for c, n in zip(classes, counts, strict=False)
    ]


def _sum_step_times(trials: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for t in trials:
        for name, seconds in (t.get("step_times") or {}).items():
            total[name] = total.get(name, 0.0) + float(seconds or 0.0)
    return total


def _pm(mean: Any, std: Any, fmt: str = ".4f") -> str:
    if mean is None or pd.isna(mean):
        return "—"
    return fmt_value(float(mean), fmt) + (
        "" if std is None or pd.isna(std) else f" ± {fmt_value(float(std), fmt)}"
    )


def _summary(
    clf: Any,
    board: pd.DataFrame,
    trials: list[dict[str, Any]],
    ensemble: list[Any],
    timings: Mapping[str, Any],
    classes: list[str],
    threshold: float | None,
) -> list[tuple[str, str]]:
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
                f"{_pm(best.get(f'{metric}_mean'), best.get(f'{metric}_std'))}",
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
                _pm(threshold, getattr(clf, "threshold_std_", None), ".3f"),
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


def _data_section(
    clf: Any, profile: dict[str, Any], balance: list[dict[str, Any]]
) -> dict[str, Any]:
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
        ("minority class share", _share(profile.get("minority_share"))),
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
    facts += [(k.replace("_", " "), _compact(v)) for k, v in profile.items() if k not in known]
    per_column = (missing.get("per_column") or {}) if isinstance(missing, dict) else {}
    worst = sorted(per_column.items(), key=lambda kv: -kv[1])[:20]
    n_rows = profile.get("n_rows") or 0
    dropped = profile.get("dropped") or []
    return {
        "facts": Table.from_rows(["fact", "value"], [f for f in facts if f[1] is not None]),
        "kinds": Table.from_rows(["kind", "count", "columns"], kinds),
        "balance": Table.from_rows(
            ["class", "rows", "share"],
            [(b["label"], b["count"], _share(b["share"])) for b in balance],
        ),
        "missing": Table.from_rows(
            ["column", "missing", "share"],
            [(c, n, _share(n / n_rows) if n_rows else None) for c, n in worst],
        ),
        "dropped": Table.from_rows(
            ["column", "reason"],
            [
                (d.get("column"), d.get("reason") or "") if isinstance(d, dict) else (d, "")
                for d in dropped
            ],
        ),
    }


def _share(value: Any) -> str | None:
    return None if value is None else f"{float(value):.1%}"


def _compact(value: Any, limit: int = 300) -> str:
    if isinstance(value, (dict, list, tuple)):
        if not value:
            return "none"
        text = json.dumps(value, default=str)
    else:
        text = fmt_value(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _oof_scores(
    y: np.ndarray,
    proba: np.ndarray,
    pos: int,
    threshold: float | None,
    board: pd.DataFrame,
    metric: str,
) -> Table:
    final = score_all(y, proba, pos_index=pos, threshold=threshold)
    ok = board[board["status"] == "ok"]
    best = ok.iloc[0] if len(ok) else {}
    rows = []
    for name in REPORTED:
        label = f"{name} (optimized)" if name == metric else name
        trial = _pm(best.get(f"{name}_mean"), best.get(f"{name}_std"))
        rows.append((label, final.get(name), trial))
    return Table.from_rows(
        ["metric", "final model, out of fold", "best trial, CV mean ± std"], rows, ".4f"
    )


def _leaderboard(board: pd.DataFrame, metric: str, ensemble: list[Mapping[str, Any]]) -> Table:
    weights = {int(m["trial"]): float(m["weight"]) for m in ensemble}
    others = [
        m
        for m in ("roc_auc", "average_precision", "log_loss", "f1", "balanced_accuracy", "mcc")
        if m != metric
    ]
    columns = [
        "trial",
        "family",
        "status",
        f"{metric} (mean ± std)",
        *[m.replace("_", " ") for m in others],
        "threshold",
        "fit time (s)",
        "weight",
    ]
    rows = []
    for _, r in board.head(_LEADERBOARD_ROWS).iterrows():
        rows.append(
            [
                r.get("trial"),
                r.get("family"),
                r.get("status"),
                _pm(r.get(f"{metric}_mean"), r.get(f"{metric}_std")),
                *[fmt_value(r.get(f"{m}_mean"), ".4f") for m in others],
                fmt_value(r.get("threshold_mean"), ".3f"),
                fmt_value(r.get("fit_time"), ".3g"),
                fmt_value(weights.get(int(r.get("trial"))))
                if int(r.get("trial")) in weights
                else "",
            ]
        )
    table = Table.from_rows(columns, rows)
    for row in table.rows:  # emphasise ensemble members
        if row[-1][0]:
            row[:] = [(text, True) for text, _ in row]
    return table


def _failed(board: pd.DataFrame) -> Table:
    bad = board[board["status"] != "ok"] if "status" in board else board.iloc[:0]
    return Table.from_rows(
        ["trial", "family", "status", "error", "duration (s)"],
        [
            (
                r.get("trial"),
                r.get("family"),
                r.get("status"),
                _compact(r.get("error") or "", 400),
                r.get("duration"),
            )
            for _, r in bad.iterrows()
        ],
        ".3g",
    )


def _families(board: pd.DataFrame, metric: str, higher: bool) -> Table:
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


def _params_text(params: Mapping[str, Any] | None) -> str:
    items = sorted((params or {}).items())
    return ", ".join(f"{k}={fmt_value(v)}" for k, v in items) or "defaults"


def _ensemble(ensemble: list[Mapping[str, Any]], board: pd.DataFrame, metric: str) -> Table:
    by_trial = board.set_index("trial") if "trial" in board else pd.DataFrame()
    rows = []
    for m in ensemble:
        t = int(m["trial"])
        row = by_trial.loc[t] if t in by_trial.index else {}
        rows.append(
            (
                t,
                row.get("family", "?"),
                float(m["weight"]),
                _pm(row.get(f"{metric}_mean"), row.get(f"{metric}_std")),
            )
        )
    return Table.from_rows(["trial", "family", "weight", f"{metric} (mean ± std)"], rows, ".3f")


def _searched(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{"model": ["C"]}`` from configuration keys such as ``model.C`` or ``model__C``."""
    out: dict[str, list[str]] = {}
    for key in config:
        step, sep, param = str(key).replace("__", ".").partition(".")
        if sep:
            out.setdefault(step, []).append(param)
    return out


def _search_space(description: Mapping[str, Any]) -> dict[str, Any]:
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
