"""The runner's smoke profile: real cells in their own processes, failures recorded, resumable.

The fake systems below are imported by the cell processes as ``test_runner:Name``
(the tests put this folder on ``PYTHONPATH``), so they exist in the worker too.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from automl.metrics import REPORTED
from automl.report.records import FIELDS, read_records
from benchmarks.cli import main
from benchmarks.datasets import DatasetSpec, load_dataset
from benchmarks.runner import plan_cells, run_cells
from benchmarks.systems import BenchSystem

HERE = Path(__file__).resolve().parent


class RaisingSystem(BenchSystem):
    """Fails in ``fit`` with an ordinary exception."""

    name = "test_raising"

    def fit(self, X, y, budget, seed, metric):
        raise RuntimeError("deliberate failure in fit")

    def predict_proba(self, X):  # pragma: no cover
        raise AssertionError

    def version(self):
        return "0"


class ExitingSystem(RaisingSystem):
    """Kills its own process: no result file, non-zero exit."""

    def fit(self, X, y, budget, seed, metric):
        os._exit(3)


class SleepingSystem(RaisingSystem):
    """Never finishes within any sensible limit."""

    def fit(self, X, y, budget, seed, metric):
        time.sleep(600)


def check_record(record: dict) -> None:
    assert set(record) == set(FIELDS)
    assert record["status"] == "ok", record["error"]
    assert set(record["scores"]) == set(REPORTED)
    for name, value in record["scores"].items():
        low, high = {"mcc": (-1, 1), "log_loss": (0, float("inf"))}.get(name, (0, 1))
        assert value is not None and low <= value <= high, (name, value)
    assert record["fit_time"] >= 0 and record["predict_time"] >= 0
    assert record["budget_ratio"] == pytest.approx(record["fit_time"] / record["budget"])
    assert record["peak_memory_mb"] > 0
    assert record["system_version"]
    assert record["n_rows"] > 0 and record["n_classes"] == 2 and 0 < record["minority_share"] <= 0.5


def smoke_argv(out: Path, *systems: str) -> list[str]:
    """Arguments of a quiet run of the smoke suite, 5 s budget, seed 0, results under ``out``."""
    return [
        "--suite",
        "smoke",
        "--budget",
        "5",
        "--systems",
        *systems,
        "--seeds",
        "0",
        "--out",
        str(out),
        "--quiet",
    ]


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    argv = smoke_argv(out, "lr", "hgb")
    assert main(argv) == 0
    return out / "smoke.jsonl", argv


def test_smoke_records_have_the_schema(smoke_run):
    path, _ = smoke_run
    records = read_records(path)
    assert len(records) == 4
    assert {(r["dataset"], r["system"]) for r in records} == {
        (d, s) for d in ("breast_cancer", "synthetic_tiny") for s in ("lr", "hgb")
    }
    for record in records:
        check_record(record)
        assert record["suite"] == "smoke" and record["metric"] == "roc_auc" and record["seed"] == 0
    # every line is plain JSON (no NaN)
    for line in path.read_text().splitlines():
        json.loads(line, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


def test_second_run_skips_done_cells(smoke_run, capsys):
    path, argv = smoke_run
    before = path.read_text()
    assert main(argv[:-1]) == 0  # not quiet: progress lines say "skipped"
    assert path.read_text() == before
    assert capsys.readouterr().out.count("skipped") == 4


def _cells(systems):
    spec = DatasetSpec(
        "synthetic_tiny",
        "synthetic:classification",
        {"n_samples": 300, "n_features": 8, "n_informative": 4, "weights": [0.8]},
    )
    return plan_cells(
        [(spec, load_dataset(spec).info)], systems, [0], suite="test", budget=1, metric="roc_auc"
    )


def test_crashing_cells_are_recorded_and_the_run_goes_on(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    path = tmp_path / "crash.jsonl"
    records = run_cells(
        _cells(["test_runner:RaisingSystem", "test_runner:ExitingSystem"]), path, timeout=120
    )
    assert [r["status"] for r in read_records(path)] == ["failed", "failed"]
    raised, exited = records
    assert "deliberate failure in fit" in raised["error"]
    assert "exited with code 3" in exited["error"]
    for record in records:
        assert set(record) == set(FIELDS) and all(v is None for v in record["scores"].values())


def test_a_cell_past_its_hard_limit_is_a_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(HERE))
    path = tmp_path / "timeout.jsonl"
    (record,) = run_cells(_cells(["test_runner:SleepingSystem"]), path, timeout=4)
    assert record["status"] == "timeout" and "hard limit" in record["error"]
    assert read_records(path)[0]["status"] == "timeout"


def test_unknown_system_is_a_usage_error(tmp_path, capsys):
    assert main(["--suite", "smoke", "--systems", "xgbb", "--out", str(tmp_path)]) == 2
    assert "Did you mean 'xgb'" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_automl_system_smoke(tmp_path):
    """The ``automl`` system through the runner, 5 s budget, on the smoke suite."""
    assert main(smoke_argv(tmp_path, "automl")) == 0
    records = read_records(tmp_path / "smoke.jsonl")
    assert len(records) == 2
    for record in records:
        check_record(record)
        assert record["cv_score"] is not None and 0 <= record["cv_score"] <= 1
