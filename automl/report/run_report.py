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
from ..metrics import get_metric, predict_labels
from . import plots
from ._render import ImageSink, Table, output_format, render
from ._run_summary import data_section, summary_rows
from ._run_tables import (
    LEADERBOARD_ROWS,
    ensemble_table,
    failed_trials,
    families_table,
    leaderboard,
    oof_scores,
    params_text,
    search_space,
)

__all__ = ["run_context", "write_run_report"]


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
        "summary": summary_rows(clf, board, trials, ensemble, timings, classes, threshold),
        "data": data_section(clf, profile, balance),
        "oof_scores": oof_scores(y, proba, pos, threshold, board, metric),
        "leaderboard": leaderboard(board, metric, ensemble),
        "n_trials": len(board),
        "shown_trials": min(len(board), LEADERBOARD_ROWS),
        "failed": failed_trials(board),
        "families": families_table(board, metric, higher),
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
            [(i, name, cls, params_text(params)) for i, (name, cls, params) in enumerate(steps, 1)],
        ),
        "ensemble": ensemble_table(ensemble, board, metric),
        "best_config": json.dumps(
            getattr(clf, "best_config_", {}), indent=2, default=str, sort_keys=True
        ),
        "search_space": search_space(getattr(clf, "graph_description_", None) or {}),
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


def _searched(config: Mapping[str, Any]) -> dict[str, list[str]]:
    """``{"model": ["C"]}`` from configuration keys such as ``model.C`` or ``model__C``."""
    out: dict[str, list[str]] = {}
    for key in config:
        step, sep, param = str(key).replace("__", ".").partition(".")
        if sep:
            out.setdefault(step, []).append(param)
    return out
