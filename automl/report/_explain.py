"""The run report's "Explain" section, from what ``feature_importance`` stored.

Nothing is measured here: without a stored explanation the section says how to
get one.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError
from ..metrics import get_metric
from . import plots
from ._render import ImageSink, Table

#: Rows of the importance table shown in the report.
TABLE_ROWS = 30


def explain_section(model: Any, sink: ImageSink, regression: bool) -> dict[str, Any]:
    """The template context of the section.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        A fitted run; ``explanation_`` is read when present.
    sink : ImageSink
        Encodes the figures.
    regression : bool
        Whether the run is a regression (names the estimator in the hint).

    Returns
    -------
    dict
        ``present``; with an explanation ``note``, ``table``, ``figures``
        (``importance``, ``pd``); without, ``hint`` (the call that computes it).
    """
    name = "reg" if regression else "clf"
    hint = (
        f"{name}.feature_importance(X_test, y_test)  # held-out rows; then {name}.report(...) again"
    )
    explanation = getattr(model, "explanation_", None)
    if explanation is None:
        return {"present": False, "hint": hint}
    table = explanation.importance
    if explanation.method == "shap":
        note = (
            f"Mean absolute SHAP value of each input column on {explanation.n_rows} rows "
            "passed to feature_importance, from the best tree member of the final model "
            "(its encoded columns summed back to the input column they come from)."
        )
        label = "mean |SHAP value|"
    else:
        change = _change(explanation.metric)
        note = (
            f"Permutation importance on the {explanation.n_rows} rows passed to "
            f"feature_importance: the {change} in {explanation.metric} when one input "
            f"column's values are shuffled, averaged over {explanation.n_repeats} shuffles "
            f"(error bars: their standard deviation). {explanation.metric} on the rows as "
            f"given: {explanation.baseline:.4g}."
        )
        label = f"{change} in {explanation.metric} when shuffled"
    pd_records = list(explanation.partial_dependence)
    figures = {
        "importance": sink.try_add(
            "importance",
            lambda: plots.importance_bars(table, label),
            "Importance of the input columns",
        ),
        "pd": sink.try_add(
            "partial_dependence",
            lambda: plots.partial_dependence_plot(pd_records, explanation.prediction),
            "Partial dependence of the most important columns",
        )
        if pd_records
        else None,
    }
    return {
        "present": True,
        "note": note,
        "pd_note": (
            f"The mean {explanation.prediction} of the final model when each of the "
            f"{len(pd_records)} most important columns is set to the value on the x axis "
            "for every row (a sample of up to 500 of the rows above)."
        ),
        "table": Table.from_frame(table.head(TABLE_ROWS), ".4g"),
        "n_features": len(table),
        "shown": min(len(table), TABLE_ROWS),
        "figures": figures,
    }


def _change(metric: str) -> str:
    """``"drop"`` for a score, ``"rise"`` for a loss (``"change"`` for an unknown metric)."""
    try:
        return "drop" if get_metric(metric).greater_is_better else "rise"
    except ConfigError:
        return "change"
