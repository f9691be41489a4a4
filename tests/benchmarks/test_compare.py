"""The system-vs-baseline table reads stored records only."""

from __future__ import annotations

import numpy as np
import pytest

from automl.exceptions import ConfigError
from automl.report.records import append_record, new_record
from benchmarks.compare import compare, main, to_markdown


def _record(dataset, system, seed, auc, loss=0.3, status="ok", cv=None, budget=10.0, se=None):
    rec = new_record(
        dataset=dataset,
        suite="t",
        system=system,
        seed=seed,
        budget=budget,
        metric="roc_auc",
        status=status,
        cv_score=cv,
        score_se=se,
    )
    if status == "ok":
        rec["scores"].update(roc_auc=auc, log_loss=loss)
    return rec


RECORDS = [
    _record("a", "automl", 0, 0.90, cv=0.95, se=0.02),
    _record("a", "automl", 1, 0.92, cv=0.93, se=0.04),
    _record("a", "xgb", 0, 0.88),
    _record("a", "xgb", 1, 0.90),
    _record("b", "automl", 0, 0.70, loss=0.5, cv=0.80),
    _record("b", "xgb", 0, 0.75, loss=0.4),
    _record("c", "automl", 0, None, status="failed"),
    _record("c", "xgb", 0, 0.8),
]


def test_means_differences_and_summary():
    c = compare(RECORDS, system="automl", baseline="xgb", metric="roc_auc", cv_gap=True)
    assert c.table.loc["a", "system"] == pytest.approx(0.91)
    assert c.table.loc["a", "diff"] == pytest.approx(0.02)
    assert c.table.loc["b", "diff"] == pytest.approx(-0.05)
    assert "c" not in c.table.index and c.not_ok == {"automl": 1, "xgb": 0}
    assert list(c.worse) == ["b"] and list(c.better) == ["a"]
    assert c.cv_gap == pytest.approx((0.05 + 0.01 + 0.10) / 3)
    assert c.cv_bias == pytest.approx((0.05 + 0.01 + 0.10) / 3)  # every cv_score was above
    assert c.cv_gap_floor == pytest.approx(0.03 * np.sqrt(2 / np.pi))  # only cells with se
    text = to_markdown(c)
    assert "| a | 0.9100 | 0.8900 | +0.0200 | 2/2 |" in text
    assert "mean difference: -0.0150" in text and "worst dataset: b (-0.0500)" in text
    assert "automl is better by more than 0.005: 1 (a)" in text


def test_loss_metrics_count_higher_as_worse():
    c = compare(RECORDS, system="automl", baseline="xgb", metric="log_loss")
    assert list(c.worse) == ["b"] and not c.greater_is_better
    assert list(c.better) == []  # log loss 0.3 against 0.3 on a: level


def test_a_rerun_cell_counts_once_and_budgets_must_be_chosen():
    records = [*RECORDS, _record("a", "automl", 0, 0.99)]
    assert compare(records, system="automl", baseline="xgb").table.loc[
        "a", "system"
    ] == pytest.approx(0.955)
    mixed = [*RECORDS, _record("a", "xgb", 0, 0.5, budget=60.0)]
    with pytest.raises(ConfigError, match="--budget"):
        compare(mixed, system="automl", baseline="xgb")
    assert compare(mixed, system="automl", baseline="xgb", budget=10).table.loc[
        "a", "baseline"
    ] == pytest.approx(0.89)
    with pytest.raises(ConfigError, match="recorded systems"):
        compare(RECORDS, system="flaml", baseline="xgb")


def test_command_line(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    for rec in RECORDS:
        append_record(path, rec)
    assert main([str(path), "--baseline", "xgb", "--system", "automl", "--cv-gap"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| dataset | automl | xgb | diff | seeds |") and "cv_score" in out
    assert "test-set sampling alone" in out
    assert main([str(tmp_path / "missing.jsonl")]) == 2


def test_cv_gap_of_an_optimistic_and_a_pessimistic_cell_cancels_in_the_bias_only():
    records = [
        _record("a", "automl", 0, 0.80, cv=0.90),
        _record("b", "automl", 0, 0.80, cv=0.70),
        _record("a", "xgb", 0, 0.8),
        _record("b", "xgb", 0, 0.8),
    ]
    c = compare(records, system="automl", baseline="xgb", cv_gap=True)
    assert c.cv_gap == pytest.approx(0.10) and c.cv_bias == pytest.approx(0.0)
    assert c.cv_gap_floor is None  # no cell recorded its sampling noise
