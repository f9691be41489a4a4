"""Loading benchmark JSONL and the summary tables built from it."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.exceptions import AutoMLError, ConfigError, DataError
from automl.metrics import REPORTED
from automl.report.results import (
    budget_adherence,
    failures,
    friedman_pvalue,
    load_results,
    markdown_table,
    mean_ranks,
    nemenyi_cd,
    score_table,
    system_summary,
    wins_ties_losses,
)


def _cell(dataset, system, seed, status="ok", roc=0.9, ratio=0.8, error=None):
    return {
        "dataset": dataset,
        "suite": "s",
        "system": system,
        "system_version": "1",
        "seed": seed,
        "budget": 10.0,
        "metric": "roc_auc",
        "status": status,
        "error": error,
        "scores": None
        if status != "ok"
        else {"roc_auc": roc, "f1": roc - 0.1, "log_loss": 1 - roc},
        "cv_score": None,
        "fit_time": 8.0,
        "predict_time": 0.1,
        "peak_memory_mb": 100.0,
        "budget_ratio": ratio,
        "n_rows": 100,
        "n_features": 5,
        "n_classes": 2,
        "minority_share": 0.3,
        "timestamp": "t",
    }


def _write(path, cells, tail=""):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(json.dumps(c) for c in cells) + "\n" + tail)
    return path


@pytest.fixture()
def small(tmp_path):
    cells = [
        _cell("d1", "a", 0, roc=0.90),
        _cell("d1", "a", 1, roc=0.80),
        _cell("d1", "b", 0, roc=0.70),
        _cell("d1", "b", 1, status="failed", error="boom"),
        _cell("d2", "a", 0, roc=0.60),
        _cell("d2", "b", 0, status="timeout", ratio=1.5, error="too slow"),
    ]
    return load_results(_write(tmp_path / "r.jsonl", cells))


def test_load_flattens_scores_into_metric_columns(small):
    for m in REPORTED:
        assert m in small.columns and small[m].dtype == float
    assert "scores" not in small.columns
    assert small.loc[0, "roc_auc"] == 0.9 and small.loc[0, "f1"] == pytest.approx(0.8)
    assert np.isnan(small.loc[0, "mcc"])  # absent from the cell's scores
    assert small["source"].str.endswith("r.jsonl").all()


def test_load_directory_recursively_and_skip_malformed_lines(results_dir):
    with pytest.warns(UserWarning, match="baselines.jsonl:37"):
        df = load_results(results_dir)
    assert len(df) == 48 and set(df["system"]) == {"automl", "flaml", "random_forest", "constant"}
    with pytest.warns(UserWarning):
        assert len(load_results(str(results_dir / "nested" / "baselines.jsonl"))) == 36


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope"):
        load_results(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="No \\*.jsonl"):
        load_results(tmp_path / "empty")
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n")
    with pytest.raises(DataError, match="No benchmark cells") as info:
        load_results(blank)
    assert isinstance(info.value, (AutoMLError, ValueError))


def test_score_table_means_finished_seeds(small):
    table = score_table(small, "roc_auc")
    assert list(table.index) == ["d1", "d2"] and list(table.columns) == ["a", "b"]
    assert table.loc["d1", "a"] == pytest.approx(0.85)
    assert table.loc["d1", "b"] == pytest.approx(0.70)  # the failed seed does not count
    assert np.isnan(table.loc["d2", "b"])  # never finished
    with pytest.raises(ConfigError, match="metric column"):
        score_table(small, "rocauc")


def test_mean_ranks_ties_nan_and_direction():
    table = pd.DataFrame(
        {"a": [0.9, 0.5, 0.7], "b": [0.8, 0.5, np.nan], "c": [0.7, 0.4, 0.6]},
        index=["d1", "d2", "d3"],
    )
    ranks = mean_ranks(table)
    assert ranks.index[0] == "a"
    assert ranks["a"] == pytest.approx((1 + 1.5 + 1) / 3)
    assert ranks["b"] == pytest.approx((2 + 1.5 + 3) / 3)  # NaN ranks last
    assert ranks.is_monotonic_increasing
    lower = mean_ranks(table, greater_is_better=False)
    assert lower["c"] == pytest.approx(1.0)


def test_wins_ties_losses():
    table = pd.DataFrame(
        {
            "x": [0.90, 0.80, 0.70, np.nan, 0.5, np.nan],
            "y": [0.80, 0.803, 0.75, 0.6, np.nan, np.nan],
        }
    )
    assert wins_ties_losses(table, "x", "y") == (2, 1, 2)
    assert wins_ties_losses(table, "y", "x") == (2, 1, 2)
    assert wins_ties_losses(table, "x", "y", tol=0.1) == (1, 3, 1)  # NaN rows still count
    assert wins_ties_losses(table, "x", "y", greater_is_better=False) == (2, 1, 2)
    with pytest.raises(ConfigError, match="Did you mean 'x'"):
        wins_ties_losses(table, "xx", "y")


def test_budget_adherence_and_failures(small):
    budget = budget_adherence(small)
    assert list(budget.columns) == ["runs", "mean", "median", "max", "over_budget"]
    assert budget.loc["b", "max"] == 1.5 and budget.loc["b", "over_budget"] == pytest.approx(1 / 3)
    assert budget.loc["a", "over_budget"] == 0.0
    bad = failures(small)
    assert list(bad.columns) == ["dataset", "system", "seed", "status", "error"]
    assert set(zip(bad["status"], bad["error"], strict=True)) == {
        ("failed", "boom"),
        ("timeout", "too slow"),
    }
    summary = system_summary(small)
    assert summary.loc["b", "failed"] == 1 and summary.loc["b", "timeout"] == 1
    assert summary.loc["a", "ok"] == 3


def test_markdown_table_bolds_best_per_row():
    table = pd.DataFrame(
        {"a": [0.9, 0.1, np.nan], "b|c": [0.8, 0.2, 0.5]},
        index=pd.Index(["d1", "d2", "d3"], name="dataset"),
    )
    text = markdown_table(table)
    lines = text.strip().splitlines()
    assert lines[0] == "| dataset | a | b\\|c |"
    assert lines[1] == "|---|---:|---:|"
    assert lines[2] == "| d1 | **0.9000** | 0.8000 |"
    assert lines[3] == "| d2 | 0.1000 | **0.2000** |"
    assert lines[4] == "| d3 | — | **0.5000** |"
    assert "| d1 | 0.9000 | **0.8000** |" in markdown_table(table, best="min")
    assert "**" not in markdown_table(table, best=None)
    tie = pd.DataFrame({"a": [0.5], "b": [0.5]})
    assert markdown_table(tie).count("**") == 4
    with pytest.raises(ConfigError):
        markdown_table(table, best="best")


def test_nemenyi_cd_and_friedman():
    assert nemenyi_cd(4, 6) == pytest.approx(2.569 * np.sqrt(4 * 5 / 36), abs=2e-3)
    assert nemenyi_cd(2, 10) == pytest.approx(1.960 * np.sqrt(6 / 60), abs=2e-3)
    assert np.isnan(nemenyi_cd(1, 5))
    rng = np.random.default_rng(0)
    clear = pd.DataFrame(
        {
            "a": rng.uniform(0.9, 1, 10),
            "b": rng.uniform(0.5, 0.6, 10),
            "c": rng.uniform(0.1, 0.2, 10),
        }
    )
    assert friedman_pvalue(clear) < 0.001
    assert np.isnan(friedman_pvalue(clear[["a", "b"]]))
    same = pd.DataFrame({"a": [0.5, 0.5], "b": [0.5, 0.5], "c": [0.5, 0.5]})
    assert friedman_pvalue(same) == 1.0
