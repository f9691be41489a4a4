"""The run report: HTML and Markdown from a fitted run's stored attributes only."""

from __future__ import annotations

import base64
import copy
import io
import re
from types import SimpleNamespace

import matplotlib.image as mpimg
import numpy as np
import pytest

from automl.exceptions import ConfigError, NotFittedError
from automl.report import write_run_report

FIGURES = {
    "class_balance",
    "roc",
    "pr",
    "confusion",
    "search_trace",
    "budget",
    "step_times",
    "pipeline",
}
HEADINGS = (
    "Summary",
    "Data",
    "Performance of the final model",
    "Leaderboard",
    "Search",
    "Time",
    "Winning pipeline",
)


def _images(html: str) -> dict[str, str]:
    """``{figure name: base64 PNG}`` of every ``<img>``; fails on an image that is not inlined."""
    found = re.findall(
        r'<img src="data:image/png;base64,([^"]+)" alt="[^"]*" '
        r'data-figure="([^"]+)"',
        html,
    )
    assert len(found) == html.count("<img ")
    return {name: data for data, name in found}


@pytest.fixture(scope="module")
def rendered(binary_run, tmp_path_factory):
    """The binary run's HTML report, rendered once, and copies of the run taken before."""
    before = (
        binary_run.leaderboard_.copy(),
        copy.deepcopy(binary_run.trials_),
        binary_run.oof_proba_.copy(),
    )
    path = write_run_report(binary_run, tmp_path_factory.mktemp("run") / "run.html")
    return path, before


def test_html_is_self_contained_with_every_figure(rendered):
    path, _ = rendered
    assert path.name == "run.html"
    html = path.read_text()
    assert html.startswith("<!DOCTYPE html>")
    for h in HEADINGS:
        assert f"<h2>{h}</h2>" in html
    images = _images(html)
    assert set(images) == FIGURES
    for data in images.values():
        pixels = mpimg.imread(io.BytesIO(base64.b64decode(data)), format="png")
        assert pixels[..., :3].std() > 0.01
    assert "http://" not in html and "https://" not in html  # nothing fetched from outside
    assert not list(path.parent.glob("run_files"))


def test_html_content_reflects_the_run(binary_run, rendered):
    html = rendered[0].read_text()
    best = binary_run.leaderboard_.iloc[0]
    assert f"#{best['trial']} {best['family']}" in html
    assert f"{binary_run.cv_score_:.4f}" in html
    assert f"{binary_run.threshold_:.3f} ± 0.030" in html
    assert "ensemble of 2 pipelines" in html
    assert "12 (10 ok, 1 failed, 1 timed out)" in html
    assert "ValueError: Input X contains NaN." in html and "exceeded its 4.0 s budget" in html
    assert "LogisticRegression" in html and "C=0.8123" in html
    assert "unique identifier" in html and "mean radius" in html  # dropped, missing
    assert "stopped after 2 of 3 folds" in html
    assert "log-uniform [1e-3, 1e2]" in html  # search space
    assert "of a 60 s budget" in html


def test_reading_never_refits_or_mutates(binary_run, rendered):
    board, trials, oof = rendered[1]
    assert binary_run.leaderboard_.equals(board)
    assert binary_run.trials_ == trials
    assert np.array_equal(binary_run.oof_proba_, oof)
    assert not hasattr(binary_run, "fit") and not hasattr(binary_run, "predict_proba")


def test_html_escapes_text_from_the_run(binary_run, tmp_path):
    run = copy.copy(binary_run)
    run.leaderboard_ = binary_run.leaderboard_.copy()
    bad = run.leaderboard_["status"] != "ok"
    run.leaderboard_.loc[bad, "error"] = "<script>alert(1)</script>"
    html = write_run_report(run, tmp_path / "run.html").read_text()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_markdown_writes_pngs_beside_it(binary_run, tmp_path):
    path = write_run_report(binary_run, tmp_path / "sub" / "run.md")
    text = path.read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert {link.split("/")[-1][:-4] for link in links} == FIGURES
    for link in links:
        assert link.startswith("run_files/")
        assert (path.parent / link).read_bytes().startswith(b"\x89PNG")
    assert text.startswith("# AutoML run report")
    for h in HEADINGS:
        assert f"\n## {h}\n" in text
    assert "| trial | family | status | f1 (mean ± std) |" in text
    assert "**" in text  # ensemble members in bold
    assert "data:image" not in text


def test_multiclass_report(multiclass_run, tmp_path):
    html = write_run_report(multiclass_run, tmp_path / "multi.html").read_text()
    assert "most probable class" in html and "Positive class" not in html
    assert set(_images(html)) == FIGURES


def test_minimal_run_without_optional_attributes(binary_run, tmp_path):
    run = SimpleNamespace(
        classes_=binary_run.classes_,
        metric_="roc_auc",
        leaderboard_=binary_run.leaderboard_,
        trials_=binary_run.trials_,
        oof_proba_=binary_run.oof_proba_,
        oof_y_=binary_run.oof_y_,
    )
    html = write_run_report(run, tmp_path / "min.html").read_text()
    assert "single pipeline" in html and "Nothing to show." in html
    assert {"roc", "pr", "class_balance", "search_trace"} <= set(_images(html))
    assert "pipeline" not in _images(html)


def test_errors(binary_run, tmp_path):
    with pytest.raises(ConfigError, match=r"\.html or \.md.*'\.pdf'"):
        write_run_report(binary_run, tmp_path / "run.pdf")
    with pytest.raises(NotFittedError, match="not fitted"):
        write_run_report(SimpleNamespace(), tmp_path / "run.html")
    assert not list(tmp_path.iterdir())


@pytest.mark.slow
def test_real_estimator_end_to_end(tmp_path):
    from sklearn.datasets import load_breast_cancer

    from automl import AutoMLClassifier

    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    clf = AutoMLClassifier(max_trials=3, time_budget=20, random_state=0).fit(X, y)
    html = write_run_report(clf, tmp_path / "run.html").read_text()
    for h in HEADINGS:
        assert f"<h2>{h}</h2>" in html
    assert {"roc", "pr", "confusion", "search_trace", "budget", "pipeline"} <= set(_images(html))
    md = write_run_report(clf, tmp_path / "run.md")
    assert (tmp_path / "run_files" / "roc.png").is_file() and "## Leaderboard" in md.read_text()
    assert clf.report(str(tmp_path / "via_method.html")).endswith("via_method.html")
