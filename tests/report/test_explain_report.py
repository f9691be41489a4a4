"""The run report's Explain section: stored importances shown, or how to get them."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from automl.explain import Explanation, PartialDependence
from automl.report import write_run_report
from automl.report.plots import importance_bars, partial_dependence_plot


def _explanation(method: str = "permutation") -> Explanation:
    table = pd.DataFrame(
        {
            "importance": [0.21, 0.08, 0.0004],
            "stddev": [0.02, 0.01, 0.001],
            "p_value": [0.001, 0.01, 0.4],
            "n": 5,
        },
        index=pd.Index(["worst radius", "mean texture", "fractal dim"], name="feature"),
    )
    grid = np.linspace(10, 30, 8)
    pd_records = (
        PartialDependence(
            "worst radius",
            [f"{g:.4g}" for g in grid],
            grid,
            True,
            np.linspace(0.1, 0.9, 8).reshape(-1, 1),
            ["P(malignant)"],
        ),
        PartialDependence(
            "mean texture",
            ["low", "high"],
            np.arange(2.0),
            False,
            np.array([[0.3], [0.6]]),
            ["P(malignant)"],
        ),
    )
    return Explanation(
        table,
        method,
        "roc_auc" if method == "permutation" else "",
        0.97 if method == "permutation" else float("nan"),
        143,
        5,
        pd_records,
        "probability of class 'malignant'",
    )


def _with(run: SimpleNamespace, explanation: Explanation | None) -> SimpleNamespace:
    return SimpleNamespace(**{**vars(run), "explanation_": explanation})


def _figures(html: str) -> set[str]:
    return set(re.findall(r'data-figure="([^"]+)"', html))


def test_without_importances_the_report_says_how_to_get_them(binary_run, tmp_path):
    html = write_run_report(binary_run, tmp_path / "r.html").read_text()
    assert 'id="explain"' in html and "Importances were not computed" in html
    assert "clf.feature_importance(X_test, y_test)" in html
    assert not {"importance", "partial_dependence"} & _figures(html)
    md = write_run_report(_with(binary_run, None), tmp_path / "r.md").read_text()
    assert "clf.feature_importance(X_test, y_test)" in md


def test_stored_importances_are_shown_with_their_figures(binary_run, tmp_path):
    run = _with(binary_run, _explanation())
    html = write_run_report(run, tmp_path / "r.html").read_text()
    section = html[html.index('id="explain"') : html.index('id="leaderboard"')]
    assert "Importances were not computed" not in section
    assert "drop in roc_auc" in section and "143 rows" in section and "0.97" in section
    assert (
        section.index("worst radius") < section.index("mean texture") < section.index("fractal dim")
    )
    assert {"importance", "partial_dependence"} <= _figures(section)
    md_path = write_run_report(run, tmp_path / "r.md")
    md = md_path.read_text()
    assert "| worst radius | 0.21 |" in md and "## Explain" in md
    assert (tmp_path / "r_files" / "importance.png").is_file()
    assert (tmp_path / "r_files" / "partial_dependence.png").is_file()


def test_a_loss_is_described_as_a_rise_and_shap_as_shap(binary_run, tmp_path):
    e = _explanation()
    loss = Explanation(e.importance, "permutation", "log_loss", 0.2, 143, 5, (), e.prediction)
    html = write_run_report(_with(binary_run, loss), tmp_path / "l.html").read_text()
    assert "rise in log_loss" in html and "partial_dependence" not in _figures(html)
    html = write_run_report(_with(binary_run, _explanation("shap")), tmp_path / "s.html")
    assert "Mean absolute SHAP value" in html.read_text()


def test_regression_hint_names_the_regressor(tmp_path):
    from automl.report._explain import explain_section

    section = explain_section(SimpleNamespace(), sink=None, regression=True)
    assert section == {"present": False, "hint": section["hint"]}
    assert section["hint"].startswith("reg.feature_importance(X_test, y_test)")


def test_importance_bars_draw_spread_and_cap_the_columns():
    table = _explanation().importance
    fig = importance_bars(table, "drop in roc_auc when shuffled", top=2)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["mean texture", "worst radius"]
    assert "top 2 of 3" in ax.get_title()
    bars = [c for c in ax.containers if hasattr(c, "has_xerr")][0]  # one error bar per bar
    errorbars = bars.lines[2][0].get_segments()
    assert [round(float(seg[1][0] - seg[0][0]), 3) for seg in errorbars] == [0.02, 0.04]
    with pytest.raises(ValueError):
        importance_bars(table.iloc[:0], "x")


def test_partial_dependence_plot_one_panel_per_column():
    records = _explanation().partial_dependence
    fig = partial_dependence_plot(records, "probability of class 'malignant'")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_xlabel() for ax in visible] == ["worst radius", "mean texture"]
    assert [t.get_text() for t in visible[1].get_xticklabels()] == ["low", "high"]
    with pytest.raises(ValueError):
        partial_dependence_plot([], "x")
