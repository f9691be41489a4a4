"""Resuming a killed run: finished trials are kept, never re-run, and the search completes.

A fit runs in a subprocess (its own session, so its loky workers can be killed
with it), is SIGKILLed once a few trials are logged, and is then resumed here.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

from automl import AutoMLClassifier
from automl.exceptions import ConfigError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX signals and sessions")

ROOT = Path(__file__).resolve().parents[1]
MAX_TRIALS = 40
SETTINGS = dict(
    time_budget=None, max_trials=MAX_TRIALS, n_jobs=1, random_state=0, cv=3, models=["logreg"]
)


DATA = dict(n_samples=150, n_features=5, n_informative=3, class_sep=2.0, random_state=0)


def _data():
    return make_classification(**DATA)


SCRIPT = textwrap.dedent("""
    import sys
    from sklearn.datasets import make_classification
    from automl import AutoMLClassifier

    X, y = make_classification(**{data!r})
    AutoMLClassifier(log_dir=sys.argv[1], **{settings!r}).fit(X, y)
""").format(data=DATA, settings=SETTINGS)


def _complete_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return out


@pytest.fixture(scope="module")
def resumed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("resume")
    log_dir = tmp / "run"
    env = {
        **os.environ,
        "TMPDIR": str(tmp),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    stderr_file = tmp / "stderr.txt"
    with open(stderr_file, "wb") as stderr:  # a file, not a pipe that could fill and block
        proc = subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(log_dir)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    trials_file = log_dir / "trials.jsonl"
    try:
        deadline = time.monotonic() + 180
        while len(_complete_lines(trials_file)) < 3:
            if proc.poll() is not None:
                pytest.fail(
                    f"the fit ended before it could be killed (rc={proc.returncode}): "
                    f"{stderr_file.read_text(errors='replace')[-2000:]}"
                )
            if time.monotonic() > deadline:
                pytest.fail("no 3 trials logged within 180 s")
            time.sleep(0.05)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the fit and its loky workers
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = _complete_lines(trials_file)
    assert 3 <= len(before) < MAX_TRIALS
    X, y = _data()
    clf = AutoMLClassifier(log_dir=str(log_dir), resume=True, **SETTINGS).fit(X, y)
    return clf, before, log_dir


@pytest.mark.slow
def test_resume_keeps_finished_trials_and_completes(resumed):
    clf, before, log_dir = resumed
    by_id = {r["trial"]: r for r in clf.trials_}
    # the earlier trials are there, unchanged
    for old in before:
        new = by_id[old["trial"]]
        assert new["status"] == old["status"]
        assert new["config"] == old["config"]
        assert new["mean"] == old["mean"]
        assert new["fold_scores"] == old["fold_scores"]
    assert clf.trials_[: len(before)] == before
    # trial ids continue: no finished trial was run again under a new id
    ids = [r["trial"] for r in clf.trials_]
    assert ids == list(range(MAX_TRIALS))
    assert min(ids[len(before) :]) == max(r["trial"] for r in before) + 1
    # total trials == max_trials, all in the log on disk too
    assert len(clf.trials_) == MAX_TRIALS == len(clf.leaderboard_)
    assert len(_complete_lines(log_dir / "trials.jsonl")) == MAX_TRIALS
    # and the model predicts
    X, y = _data()
    assert clf.predict_proba(X).shape == (len(y), 2)
    assert (clf.predict(X) == y).mean() > 0.7


@pytest.mark.slow
def test_resume_does_not_rerun_a_finished_configuration(resumed):
    clf, before, _ = resumed
    old = [json.dumps(r["config"], sort_keys=True) for r in before]
    new = [json.dumps(r["config"], sort_keys=True) for r in clf.trials_[len(before) :]]
    assert not set(old) & set(new)


@pytest.mark.slow
@pytest.mark.parametrize("change, what", [("data", "fingerprint"), ("metric", "settings")])
def test_resume_against_other_data_or_settings_is_refused(resumed, change, what):
    _, _, log_dir = resumed
    X, y = _data()
    settings = dict(SETTINGS)
    if change == "data":
        X = X + np.random.default_rng(1).normal(scale=1e-3, size=X.shape)
    else:
        settings["metric"] = "log_loss"
    with pytest.raises(ConfigError, match=f"its {what} differs"):
        AutoMLClassifier(log_dir=str(log_dir), resume=True, **settings).fit(X, y)
