"""The batch report over benchmark JSONL."""

from __future__ import annotations

import json
import re

import pytest

from automl.exceptions import ConfigError, DataError
from automl.report import write_batch_report

SECTIONS = (
    "Overview",
    "roc_auc (higher is better)",
    "f1 (higher is better)",
    "log_loss (lower is better)",
    "Budget adherence",
    "Failures",
)


pytestmark = pytest.mark.filterwarnings("ignore:Skipping malformed line")


@pytest.fixture()
def quiet_results(results_dir):
    return results_dir


def test_html_report(quiet_results, tmp_path):
    html = write_batch_report(quiet_results, tmp_path / "bench.html").read_text()
    for s in SECTIONS:
        assert f"<h2>{s}</h2>" in html
    images = re.findall(
        r'<img src="data:image/png;base64,[^"]+" alt="[^"]*" data-figure="([^"]+)"', html
    )
    assert set(images) == {
        "cd_roc_auc",
        "cd_f1",
        "cd_average_precision",
        "cd_log_loss",
        "budget_adherence",
    }
    assert html.count("<img ") == len(images)
    assert html.count("<strong>") >= 6  # a best score per dataset at least
    assert "MemoryError: unable to allocate 3.1 GiB" in html
    assert "exceeded budget by more than 50%" in html
    assert "Friedman test p =" in html and "Nemenyi critical difference" in html
    assert "system \\ baseline" in html
    assert "48 (45 ok, 3 failed or timed out)" in html


def test_markdown_report_and_options(quiet_results, tmp_path):
    path = write_batch_report(
        quiet_results, tmp_path / "bench.md", metrics=["roc_auc"], baselines=["constant"], tol=0.01
    )
    text = path.read_text()
    assert "## roc_auc (higher is better)" in text and "## f1" not in text
    assert "(bench_files/cd_roc_auc.png)" in text
    assert (tmp_path / "bench_files" / "budget_adherence.png").read_bytes()[:4] == b"\x89PNG"
    wtl = text[text.index("| system \\ baseline |") :]
    assert wtl.splitlines()[0] == "| system \\ baseline | constant |"
    assert "| automl | 6/0/0 |" in wtl and "| constant | — |" in wtl
    scores = text[text.index("## roc_auc") : text.index("### Mean rank")]
    rows = [ln for ln in scores.splitlines() if ln.startswith("| dataset_")]
    assert len(rows) == 6 and all(ln.count("**") == 2 for ln in rows)
    assert "within 0.01 are ties" in text


def test_single_system_and_single_file(tmp_path):
    cell = {
        "dataset": "d",
        "system": "only",
        "seed": 0,
        "status": "ok",
        "budget_ratio": 0.5,
        "scores": {"roc_auc": 0.8, "f1": 0.7, "average_precision": 0.7, "log_loss": 0.4},
    }
    src = tmp_path / "one.jsonl"
    src.write_text(json.dumps(cell) + "\n")
    html = write_batch_report(src, tmp_path / "one.html").read_text()
    assert "cd_roc_auc" not in html and "<h2>Failures</h2>" in html
    assert "Nothing to show." in html


def test_errors(quiet_results, tmp_path):
    with pytest.raises(ConfigError, match="Unknown metric 'auc_roc'"):
        write_batch_report(quiet_results, tmp_path / "b.html", metrics=["auc_roc"])
    with pytest.raises(ConfigError, match="Did you mean 'flaml'"):
        write_batch_report(quiet_results, tmp_path / "b.html", baselines=["flam"])
    with pytest.raises(ConfigError, match=r"\.html or \.md"):
        write_batch_report(quiet_results, tmp_path / "b.txt")
    with pytest.raises(FileNotFoundError):
        write_batch_report(tmp_path / "missing", tmp_path / "b.html")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError):
        write_batch_report(tmp_path / "empty", tmp_path / "b.html")
