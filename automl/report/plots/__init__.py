"""Figures for the run and batch reports, drawn from stored results only.

Every function returns a :class:`matplotlib.figure.Figure` built without
``pyplot``, so no matplotlib global (backend, rcParams) changes. Use
:func:`figure_to_png` to encode one. Nothing here fits a model.
"""

from __future__ import annotations

from ._figure import figure_to_png
from .benchmark import budget_adherence_plot, critical_difference
from .explain import importance_bars, partial_dependence_plot
from .pipeline import pipeline_graph
from .predictions import class_balance, confusion_matrix_plot, pr_curves, roc_curves
from .regression import error_by_decile, predicted_vs_actual, residuals_plot
from .timing import budget_bars, search_trace, step_times

__all__ = [
    "budget_adherence_plot",
    "budget_bars",
    "class_balance",
    "confusion_matrix_plot",
    "critical_difference",
    "error_by_decile",
    "figure_to_png",
    "importance_bars",
    "partial_dependence_plot",
    "pipeline_graph",
    "pr_curves",
    "predicted_vs_actual",
    "residuals_plot",
    "roc_curves",
    "search_trace",
    "step_times",
]
