"""The trial log: append, reload, survive a cut line, refuse foreign or clobbered logs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from automl.exceptions import ConfigError
from automl.runlog import LOG_VERSION, RunLog

HEADER = {
    "fingerprint": "abc123",
    "settings": {"metric": "roc_auc", "families": ["logreg"], "random_state": 0, "pos_label": None},
}


def _record(trial, status="ok", score=0.8):
    return {
        "trial": trial,
        "status": status,
        "family": "logreg",
        "config": {"family": "logreg", "model.C": np.float64(0.5), "model.penalty": "l2"},
        "mean": {"roc_auc": np.float64(score)} if status == "ok" else {},
        "fold_scores": {"roc_auc": np.array([score, score])} if status == "ok" else {},
        "error": None if status == "ok" else "ValueError: boom",
        "duration": 0.25,
        "n_rows": np.int64(40),
    }


def _oof(seed):
    p = np.random.default_rng(seed).random(40)
    return np.c_[1 - p, p]


def _filled(tmp_path):
    log = RunLog(tmp_path, HEADER)
    log.append(_record(0, score=0.7), _oof(0))
    log.append(_record(1, status="failed"), None)
    log.append(_record(2, score=0.9), _oof(2))
    return log


def test_files_written(tmp_path):
    _filled(tmp_path)
    run = json.loads((tmp_path / "run.json").read_text())
    assert run == {"version": LOG_VERSION, **HEADER}
    lines = (tmp_path / "trials.jsonl").read_text().splitlines()
    assert [json.loads(line)["trial"] for line in lines] == [0, 1, 2]
    assert sorted(p.name for p in (tmp_path / "oof").iterdir()) == [
        "trial_000000.npy",
        "trial_000002.npy",
    ]


def test_append_then_reload(tmp_path):
    log = _filled(tmp_path)
    again = RunLog(tmp_path, HEADER, resume=True)
    assert again.resumed == 3 and again.next_trial == 3
    assert again.records == json.loads(
        json.dumps(log.records, default=lambda v: v.tolist() if hasattr(v, "tolist") else str(v))
    )
    assert again.records[0]["mean"]["roc_auc"] == 0.7
    assert again.records[0]["fold_scores"]["roc_auc"] == [0.7, 0.7]
    assert set(again.oof) == {0, 2}
    for trial in (0, 2):
        np.testing.assert_array_equal(again.oof[trial], log.oof[trial])
    # appending after a resume goes on in the same file
    again.append(_record(3), _oof(3))
    assert RunLog(tmp_path, HEADER, resume=True).next_trial == 4


def test_truncated_last_line_is_ignored(tmp_path):
    _filled(tmp_path)
    with open(tmp_path / "trials.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"trial": 3, "status": "ok", "mean": {"roc_a')  # killed mid-write
    log = RunLog(tmp_path, HEADER, resume=True)
    assert [r["trial"] for r in log.records] == [0, 1, 2]
    assert log.next_trial == 3


def test_ok_trial_without_its_predictions_is_dropped(tmp_path):
    _filled(tmp_path)
    (tmp_path / "oof" / "trial_000002.npy").unlink()
    log = RunLog(tmp_path, HEADER, resume=True)
    assert [r["trial"] for r in log.records] == [0, 1]
    assert set(log.oof) == {0}


def test_a_log_without_predictions_keeps_scores_and_resumes_them(tmp_path):
    # SearchCV's log: its trials send no predictions, and a resume must still count them
    log = RunLog(tmp_path, HEADER, predictions=False)
    log.append(_record(0, score=0.7), _oof(0))  # given by mistake: not kept either
    log.append(_record(1, status="failed"), None)
    log.append(_record(2, score=0.9), None)
    assert log.oof == {} and not (tmp_path / "oof").exists()
    again = RunLog(tmp_path, HEADER, resume=True, predictions=False)
    assert [r["trial"] for r in again.records] == [0, 1, 2]
    assert again.resumed == 3 and again.next_trial == 3 and again.oof == {}
    assert again.records[2]["mean"]["roc_auc"] == 0.9


@pytest.mark.parametrize(
    "key, other",
    [
        ("fingerprint", {**HEADER, "fingerprint": "zzz"}),
        ("settings", {**HEADER, "settings": {**HEADER["settings"], "metric": "f1"}}),
    ],
)
def test_resume_against_another_run_is_refused(tmp_path, key, other):
    _filled(tmp_path)
    with pytest.raises(ConfigError, match=f"its {key} differs"):
        RunLog(tmp_path, other, resume=True)
    # the log is left untouched
    assert len((tmp_path / "trials.jsonl").read_text().splitlines()) == 3


def test_existing_log_without_resume_is_refused(tmp_path):
    _filled(tmp_path)
    with pytest.raises(ConfigError, match="resume=True"):
        RunLog(tmp_path, HEADER, resume=False)
    assert len((tmp_path / "trials.jsonl").read_text().splitlines()) == 3


def test_empty_log_dir_is_fine_without_resume(tmp_path):
    RunLog(tmp_path, HEADER)  # writes an empty trials.jsonl
    log = RunLog(tmp_path, HEADER)
    assert log.records == []


def test_resume_without_a_previous_log_starts_fresh(tmp_path):
    log = RunLog(tmp_path / "new", HEADER, resume=True)
    assert log.records == [] and log.resumed == 0 and log.next_trial == 0
    assert (tmp_path / "new" / "run.json").exists()


def test_in_memory_log(tmp_path):
    log = RunLog(None, HEADER)
    log.append(_record(0), _oof(0))
    log.append(_record(1, status="failed"), None)
    assert log.next_trial == 2 and set(log.oof) == {0}
    assert list(tmp_path.iterdir()) == []
