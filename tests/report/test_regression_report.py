"""The run report of a regressor: its own sections and figures, none of a classifier's."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_friedman1

from automl import AutoMLClassifier, AutoMLRegressor
from automl.exceptions import NotFittedError
from automl.metrics import REPORTED_REGRESSION, score_all
from automl.report import plots, write_run_report
from automl.report.run_report import is_regression

from .test_run_report import HEADINGS, _images

REG_FIGURES = {
    "predicted_vs_actual",
    "residuals",
    "error_by_decile",
    "search_trace",
    "budget",
    "step_times",
    "pipeline",
}
CLASSIFICATION_ONLY = (
    "ROC",
    "Precision-recall",
    "Class balance",
    "Classes",
    "Positive class",
    "Decision rule",
    "Decision threshold",
    "confusion",
)
#: "threshold" as a word of its own (a step parameter such as sparse_threshold is fine).
THRESHOLD = re.compile(r"\bthreshold\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def regressor() -> AutoMLRegressor:
    X, y = make_friedman1(n_samples=300, random_state=0)
    return AutoMLRegressor(
        time_budget=None, max_trials=3, models=["linear", "hist_gb"], cv=3, n_jobs=1, random_state=0
    ).fit(X, y)


@pytest.fixture(scope="module")
def reports(regressor, tmp_path_factory):
    """The regressor's HTML and Markdown reports, written once."""
    folder = tmp_path_factory.mktemp("regression")
    html = regressor.report(str(folder / "run.html"))
    md = write_run_report(regressor, folder / "run.md")
    return folder, open(html, encoding="utf-8").read(), md.read_text(encoding="utf-8")


def _final_scores(reg) -> dict[str, float]:
    return score_all(reg.oof_y_, reg.oof_proba_, names=REPORTED_REGRESSION)


def test_html_has_the_regression_sections_and_figures(regressor, reports):
    _, html, _ = reports
    assert is_regression(regressor)
    for h in HEADINGS:
        assert f"<h2>{h}</h2>" in html
    assert "AutoML run report (regression)" in html
    assert set(_images(html)) == REG_FIGURES
    assert "<h3>Target</h3>" in html and "<h3>Target quantiles</h3>" in html
    assert "rmse (lower is better)" in html
    assert f"{regressor.cv_score_:.4f}" in html
    final = _final_scores(regressor)
    for name in ("rmse", "mae", "r2", "mape", "median_ae"):
        assert f"<td>{name}" in html and f"{final[name]:.4f}" in html
    target = regressor.profile_["target"]
    assert f"max {target['max']:.4g}" in html and f"skew {target['skew']:.2f}" in html
    text_only = re.sub(r"data:image/png;base64,[^\"]+", "", html)  # base64 may spell anything
    for text in CLASSIFICATION_ONLY:
        assert text not in text_only, text
    assert not THRESHOLD.search(text_only)


def test_leaderboard_lists_regression_metrics_best_first(regressor, reports):
    _, html, md = reports
    board = regressor.leaderboard_
    header = "| trial | family | status | rmse (mean ± std) | mae | r2 | mape | rmsle | median ae |"
    assert header in md
    rows = re.findall(
        r"^\| \**(\d+)\** \| \**(\w+)\** \|", md.split("## Leaderboard")[1], re.MULTILINE
    )
    assert [int(t) for t, _ in rows[: len(board)]] == board["trial"].tolist()
    ok = board[board["status"] == "ok"]["rmse_mean"].to_numpy()
    assert np.all(np.diff(ok) >= 0)  # lower is better: best first
    assert "roc auc" not in md and "log loss" not in md
    assert re.search(r'alt="Budget vs actual" data-figure="budget"', html)


def test_markdown_has_the_regression_sections_and_pngs(regressor, reports):
    folder, _, md = reports
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert {link.split("/")[-1][:-4] for link in links} == REG_FIGURES
    for link in links:
        assert (folder / link).read_bytes().startswith(b"\x89PNG")
    for h in HEADINGS:
        assert f"\n## {h}\n" in md
    assert "\n### Target\n" in md and "\n### Target quantiles\n" in md
    assert "| 50% |" in md and "| skew |" in md
    assert f"| rmse (optimized) | {_final_scores(regressor)['rmse']:.4f} |" in md
    for text in CLASSIFICATION_ONLY:
        assert text not in md, text
    assert not THRESHOLD.search(md)


def _constant_frame(n: int = 60) -> pd.DataFrame:
    return pd.DataFrame({"a": [1.0] * n, "b": ["x"] * n})


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_prior_only_model_writes_both_formats(kind, tmp_path):
    X, rng = _constant_frame(), np.random.default_rng(0)
    if kind == "regressor":
        model = AutoMLRegressor(
            time_budget=None, max_trials=2, models=["linear"], cv=3, n_jobs=1, random_state=0
        ).fit(X, rng.normal(10, 2, len(X)))
    else:
        model = AutoMLClassifier(
            time_budget=None, max_trials=2, cv=3, n_jobs=1, random_state=0
        ).fit(X, np.arange(len(X)) % 2)
    assert model.leaderboard_.empty and model.trials_ == []
    html = write_run_report(model, tmp_path / "prior.html").read_text()
    md = write_run_report(model, tmp_path / "prior.md").read_text()
    for text in (html, md):
        assert "prior model: no search was run" in text
        assert "0 (0 ok, 0 failed, 0 timed out)" in text
        assert "no feature carries information" in text  # the note that explains it
    if kind == "regressor":
        assert {"predicted_vs_actual", "residuals", "error_by_decile"} <= set(_images(html))
        assert "ROC curve" not in html
    else:
        assert "Class balance" in html


def test_task_follows_the_metric_without_a_task_kind(regressor, tmp_path):
    """A bare namespace of fitted attributes with a regression metric is a regression."""
    run = SimpleNamespace(
        metric_="mae",
        leaderboard_=regressor.leaderboard_,
        trials_=regressor.trials_,
        oof_proba_=regressor.oof_proba_,
        oof_y_=regressor.oof_y_,
    )
    html = write_run_report(run, tmp_path / "bare.html").read_text()
    assert "<h3>Target</h3>" in html and "single pipeline" in html
    assert {"predicted_vs_actual", "residuals", "error_by_decile"} <= set(_images(html))
    with pytest.raises(NotFittedError, match="oof_proba_"):
        write_run_report(
            SimpleNamespace(metric_="rmse", leaderboard_=regressor.leaderboard_, trials_=[]),
            tmp_path / "x.html",
        )


def test_error_by_decile_bars_are_the_mae_of_each_decile():
    rng = np.random.default_rng(0)
    y = rng.normal(0, 1, 1000)
    pred = y + rng.normal(0, 0.1 + np.abs(y))  # errors grow with |y|
    fig = plots.error_by_decile(y, pred.reshape(-1, 1))
    heights = [p.get_height() for p in fig.axes[0].patches]
    order = np.argsort(y)
    expected = [np.abs(y - pred)[g].mean() for g in np.array_split(order, 10)]
    assert np.allclose(heights, expected)
    assert heights[0] > heights[4] < heights[-1]


def test_regression_figures_draw_edge_cases():
    y = np.r_[np.zeros(50), np.ones(3)]  # heavy ties
    for draw in (plots.predicted_vs_actual, plots.residuals_plot, plots.error_by_decile):
        for target, pred in ((y, y + 0.1), (np.full(7, 3.0), np.full(7, 3.0))):
            assert plots.figure_to_png(draw(target, pred)).startswith(b"\x89PNG")
        with pytest.raises(ValueError):
            draw(np.array([]), np.array([]))
    big = np.random.default_rng(1).normal(size=20_000)
    fig = plots.predicted_vs_actual(big, big)
    assert "5000 of 20000 rows shown" in fig.axes[0].get_title()
    diagonal = fig.axes[0].get_lines()[0]
    assert np.allclose(diagonal.get_xdata(), diagonal.get_ydata())
