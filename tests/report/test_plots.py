"""Every figure draws from stored results, encodes to a non-blank PNG, changes no globals."""

from __future__ import annotations

import io

import matplotlib
import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from automl.report import plots
from automl.report.plots.benchmark import _cliques


def _pixels(fig: Figure) -> np.ndarray:
    png = plots.figure_to_png(fig)
    assert png.startswith(b"\x89PNG")
    return mpimg.imread(io.BytesIO(png), format="png")


def _assert_drawn(fig: Figure) -> None:
    assert isinstance(fig, Figure)
    pixels = _pixels(fig)
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels[..., :3].std() > 0.01  # not a blank canvas


def test_curves_binary_plot_the_positive_class_only(binary_run):
    r = binary_run
    for draw in (plots.roc_curves, plots.pr_curves):
        fig = draw(r.oof_y_, r.oof_proba_, r.classes_, pos_index=r.pos_index_)
        _assert_drawn(fig)
        labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
        assert any(lbl.startswith("malignant") for lbl in labels)
        assert not any(lbl.startswith("benign") for lbl in labels)


def test_curves_multiclass_one_vs_rest(multiclass_run):
    r = multiclass_run
    fig = plots.roc_curves(r.oof_y_, r.oof_proba_, r.classes_)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert sum(lbl.startswith("class_") for lbl in labels) == 3
    _assert_drawn(plots.pr_curves(r.oof_y_, r.oof_proba_, r.classes_))


def test_confusion_matrix_counts_match(binary_run):
    r = binary_run
    predicted = (r.oof_proba_[:, 1] >= r.threshold_).astype(int)
    fig = plots.confusion_matrix_plot(r.oof_y_, predicted, r.classes_, threshold=r.threshold_)
    _assert_drawn(fig)
    texts = [t.get_text() for t in fig.axes[0].texts]
    tp = int(((predicted == 1) & (r.oof_y_ == 1)).sum())
    assert any(t.startswith(f"{tp}\n") for t in texts)
    assert f"{r.threshold_:.3f}" in fig.axes[0].get_title()


def test_search_trace_best_so_far_is_monotone_and_skips_failures(binary_run):
    fig = plots.search_trace(binary_run.trials_, "f1")
    _assert_drawn(fig)
    best_line = [ln for ln in fig.axes[0].lines if ln.get_label() == "best so far"][0]
    y = np.asarray(best_line.get_ydata(), dtype=float)
    assert np.isfinite(y).all() and (np.diff(y) >= 0).all()


def test_search_trace_lower_is_better_and_all_failed():
    trials = [
        {"trial": i, "status": "ok", "mean": {"log_loss": v}, "started": i, "finished": i + 1}
        for i, v in enumerate([0.5, 0.3, 0.4])
    ]
    fig = plots.search_trace(trials, "log_loss", greater_is_better=False)
    y = [ln for ln in fig.axes[0].lines if ln.get_label() == "best so far"][0].get_ydata()
    assert list(y) == [0.5, 0.3, 0.3]
    failed = [{"trial": 0, "status": "failed", "mean": {}, "started": 0, "duration": 1.0}]
    _assert_drawn(plots.search_trace(failed, "f1"))


def test_time_figures(binary_run):
    _assert_drawn(plots.step_times({"model": 3.0, "impute": 0.2}, binary_run.refit_step_times_))
    _assert_drawn(plots.step_times({"model": 3.0}))
    fig = plots.budget_bars(binary_run.timings_)
    _assert_drawn(fig)
    assert "of budget" in fig.axes[0].get_title()
    over = plots.budget_bars({"budget": 10.0, "search": 11.0, "refit": 1.0, "total": 12.5})
    assert "125%" in over.axes[0].get_title()
    assert "no time budget" in plots.budget_bars({"budget": None, "total": 3.0}).axes[0].get_title()


def test_pipeline_graph_boxes_and_arrows(binary_run):
    steps = binary_run.best_pipeline_steps_
    fig = plots.pipeline_graph(steps, threshold=0.42, n_ensemble=2, max_params=2)
    _assert_drawn(fig)
    ax = fig.axes[0]
    assert len(ax.patches) == len(steps) + 2  # input + steps + output boxes
    texts = [t.get_text() for t in ax.texts]
    assert "LogisticRegression" in texts and "(+3 more)" in texts
    assert any("0.420" in t for t in texts) and any("ensemble of 2" in t for t in texts)
    assert len([c for c in ax.get_children() if type(c).__name__ == "Annotation"]) == len(steps) + 1


def test_class_balance(binary_run):
    fig = plots.class_balance(binary_run.profile_["class_balance"])
    _assert_drawn(fig)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["benign", "malignant"]


def test_critical_difference_diagram_and_cliques():
    ranks = pd.Series({"a": 1.2, "b": 1.9, "c": 3.1, "d": 3.8})
    assert _cliques(ranks.to_numpy(), 1.0) == [(0, 1), (2, 3)]
    assert _cliques(ranks.to_numpy(), 5.0) == [(0, 3)]
    assert _cliques(ranks.to_numpy(), 0.1) == []
    fig = plots.critical_difference(ranks, 1.0)
    _assert_drawn(fig)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "CD = 1.00" in texts and "a (1.20)" in texts and "d (3.80)" in texts
    _assert_drawn(plots.critical_difference(ranks[:2], float("nan")))


def test_budget_adherence_plot_marks_overruns():
    df = pd.DataFrame(
        {"system": ["x"] * 3 + ["y"] * 3, "budget_ratio": [0.5, 0.9, 1.3, 0.7, 0.8, np.nan]}
    )
    fig = plots.budget_adherence_plot(df)
    _assert_drawn(fig)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["x", "y"]


def test_no_matplotlib_global_changes(binary_run):
    backend, params = matplotlib.get_backend(), dict(matplotlib.rcParams)
    plots.figure_to_png(plots.class_balance(binary_run.profile_["class_balance"]))
    assert matplotlib.get_backend() == backend
    assert dict(matplotlib.rcParams) == params


@pytest.mark.parametrize("k", [2, 3, 5])
def test_figure_to_png_dpi(k):
    fig = plots.class_balance([{"label": i, "count": i + 1, "share": 0.1} for i in range(k)])
    default, low = _pixels(fig), mpimg.imread(io.BytesIO(plots.figure_to_png(fig, dpi=50)))
    assert low.shape[0] < default.shape[0]
