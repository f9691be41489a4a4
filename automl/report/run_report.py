"""The run report: one fitted classifier or regressor as HTML or Markdown.

The sections both tasks share (summary frame, data, leaderboard, search,
time, pipeline) are built once; :func:`_classification` and
:func:`_regression` add what differs. It reads only what ``fit`` stored
(trial log, leaderboard, out-of-fold predictions, timings, pipeline
description) and never refits or predicts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import NotFittedError
from ..metrics import REPORTED_REGRESSION, get_metric, predict_labels, score_all
from . import plots
from ._explain import explain_section
from ._render import ImageSink, Table, output_format, render
from ._run_summary import (
    classification_rows,
    data_section,
    regression_rows,
    summary_rows,
    target_stats,
)
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

__all__ = ["is_regression", "run_context", "write_run_report"]


def write_run_report(model: Any, path: str | Path) -> Path:
    """Write the report of a fitted run to ``path``.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        A fitted estimator (anything with the fitted attributes it documents).
        A regressor (``_task_kind == "regression"``, or a regression ``metric_``)
        gets the regression sections: target statistics, predicted vs actual,
        residuals and error by target decile instead of class balance, ROC/PR
        curves, confusion matrix and threshold.
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
        If ``model`` has not been fitted.

    Examples
    --------
    >>> clf = AutoMLClassifier(time_budget=60).fit(X, y)  # doctest: +SKIP
    >>> write_run_report(clf, "run.html")  # doctest: +SKIP
    """
    path = Path(path)
    fmt = output_format(path)
    for attr in ("trials_", "leaderboard_", "oof_proba_", "metric_"):
        _require(model, attr)
    if not is_regression(model):
        _require(model, "classes_")
    return render("run_report", run_context(model, ImageSink(path, fmt)), path)


def is_regression(model: Any) -> bool:
    """Whether ``model`` is a fitted regressor (its task kind, else its metric's task)."""
    kind = getattr(model, "_task_kind", None)
    if kind is not None:
        return bool(kind == "regression")
    return get_metric(model.metric_).task == "regression"


def _require(model: Any, attr: str) -> None:
    if not hasattr(model, attr):
        raise NotFittedError(
            f"This {type(model).__name__} is not fitted yet (no {attr!r}); "
            "call fit before writing a report."
        )


def run_context(model: Any, sink: ImageSink) -> dict[str, Any]:
    """Everything the run-report templates show, with figures already encoded by ``sink``.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        The fitted run.
    sink : ImageSink
        Encodes the figures for the output format.

    Returns
    -------
    dict
        The template context: the shared sections, plus the task's (``task`` is
        ``"classification"`` or ``"regression"``).
    """
    metric = model.metric_
    higher = get_metric(metric).greater_is_better
    board: pd.DataFrame = model.leaderboard_
    trials: list[dict[str, Any]] = list(model.trials_)
    profile: dict[str, Any] = dict(getattr(model, "profile_", None) or {})
    timings: dict[str, Any] = dict(getattr(model, "timings_", None) or {})
    steps = list(getattr(model, "best_pipeline_steps_", None) or [])
    ensemble = list(getattr(model, "ensemble_", None) or [])
    task = (_regression if is_regression(model) else _classification)(model, profile, sink)
    threshold, task_summary = task.pop("threshold"), task.pop("summary")
    figures = {
        **task.pop("figures"),
        "trace": sink.try_add(
            "search_trace",
            lambda: plots.search_trace(trials, metric, greater_is_better=higher),
            "Search trace",
        ),
        "budget": sink.try_add("budget", lambda: plots.budget_bars(timings), "Budget vs actual"),
        "steps": sink.try_add(
            "step_times",
            lambda: plots.step_times(
                _sum_step_times(trials), getattr(model, "refit_step_times_", None)
            ),
            "Time per step",
        ),
        "pipeline": sink.try_add(
            "pipeline",
            lambda: plots.pipeline_graph(
                steps,
                threshold=threshold,
                n_ensemble=len(ensemble),
                searched=_searched(getattr(model, "best_config_", None) or {}),
            ),
            "Winning pipeline",
        )
        if steps
        else None,
    }
    return {
        **task,
        "title": "AutoML run report" + (" (regression)" if task["task"] == "regression" else ""),
        "metric": metric,
        "summary": summary_rows(model, board, ensemble, timings, task_summary),
        "oof_scores": oof_scores(
            *_scored_oof(model),
            int(getattr(model, "pos_index_", 1) or 0),
            threshold,
            board,
            metric,
        ),
        "leaderboard": leaderboard(board, metric, ensemble),
        "n_trials": len(board),
        "shown_trials": min(len(board), LEADERBOARD_ROWS),
        "failed": failed_trials(board),
        "families": families_table(board, metric, higher),
        "notes": [
            *map(str, getattr(model, "notes_", None) or profile.get("notes") or []),
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
            getattr(model, "best_config_", {}), indent=2, default=str, sort_keys=True
        ),
        "search_space": search_space(getattr(model, "graph_description_", None) or {}),
        "figures": figures,
        "explain": explain_section(model, sink, task["task"] == "regression"),
    }


def _scored_oof(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """The true target and the out-of-fold predictions of the rows that have one.

    A final model chosen among trials below full fidelity (a search stopped before
    any trial ran on all rows) was scored on a subsample of each fold; the other
    rows' predictions are NaN.
    """
    proba, y = np.asarray(model.oof_proba_, dtype=float), np.asarray(model.oof_y_)
    rows = np.isfinite(proba).all(axis=1)
    return y[rows], proba[rows]


def _classification(model: Any, profile: dict[str, Any], sink: ImageSink) -> dict[str, Any]:
    """A classifier's own content: classes, threshold, class balance, ROC/PR, confusion."""
    classes = [str(c) for c in model.classes_]
    pos = int(getattr(model, "pos_index_", 1) or 0)
    threshold = getattr(model, "threshold_", None)
    y, proba = _scored_oof(model)
    balance = profile.get("class_balance") or _balance_from_labels(y, classes)
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
    }
    return {
        "task": "classification",
        "threshold": threshold,
        "summary": classification_rows(model, classes, threshold),
        "data": data_section(model, profile, balance=balance),
        "figures": figures,
    }


def _regression(model: Any, profile: dict[str, Any], sink: ImageSink) -> dict[str, Any]:
    """A regressor's own content: target statistics, OOF errors and their three figures."""
    y, pred = _scored_oof(model)
    y = y.astype(float)
    target = target_stats(profile, y)
    scores = score_all(y, pred, names=REPORTED_REGRESSION)
    figures = {
        "predicted_vs_actual": sink.try_add(
            "predicted_vs_actual",
            lambda: plots.predicted_vs_actual(y, pred),
            "Predicted vs actual (out of fold)",
        ),
        "residuals": sink.try_add(
            "residuals", lambda: plots.residuals_plot(y, pred), "Residuals vs predicted"
        ),
        "error_by_decile": sink.try_add(
            "error_by_decile",
            lambda: plots.error_by_decile(y, pred),
            "Mean absolute error by decile of the target",
        ),
    }
    return {
        "task": "regression",
        "threshold": None,
        "summary": regression_rows(target, scores),
        "data": data_section(model, profile, target=target),
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
