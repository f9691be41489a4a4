"""The two-revision benchmark runs each revision's own code, paired per dataset."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from benchmarks.revisions import main, paired_order

# A stand-in for benchmarks/run.py: records one cell whose score tells the revisions apart.
FAKE_RUN = """
import argparse, os
from automl.report.records import append_record, new_record
SCORE = {score}
p = argparse.ArgumentParser()
p.add_argument("--datasets", nargs="+")
p.add_argument("--out")
p.add_argument("--budget", type=float)
p.add_argument("--systems", nargs="+")
p.add_argument("--quiet", action="store_true")
a = p.parse_args()
with open(os.environ["ORDER_LOG"], "a") as f:
    f.write(f"{{a.datasets[0]}} {{SCORE}} {{os.environ['AUTOML_DATA_DIR']}}\\n")
rec = new_record(dataset=a.datasets[0], suite="t", system="automl", seed=0,
                 budget=a.budget, metric="roc_auc", status="ok")
rec["scores"].update(roc_auc=SCORE, f1=SCORE - 0.3)
append_record(a.out, rec)
"""


def _git(repo: Path, *args: str) -> str:
    cmd = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path):
    """A repository with two commits whose benchmarks.run scores 0.80 and 0.90."""
    root = tmp_path / "repo"
    (root / "benchmarks").mkdir(parents=True)
    (root / "benchmarks" / "__init__.py").write_text("")
    _git(root, "init", "-q")
    commits = []
    for score in (0.80, 0.90):
        (root / "benchmarks" / "run.py").write_text(FAKE_RUN.format(score=score))
        _git(root, "add", ".")
        _git(root, "commit", "-q", "-m", f"score {score}")
        commits.append(_git(root, "rev-parse", "--short", "HEAD"))
    return root, commits


def test_runs_both_revisions_paired_and_compares(repo, tmp_path, monkeypatch, capsys):
    root, (base, head) = repo
    order_log = tmp_path / "order.log"
    monkeypatch.setenv("ORDER_LOG", str(order_log))
    data = tmp_path / "data"
    data.mkdir()
    out = tmp_path / "res" / "ab.jsonl"
    argv = ["--base", base, "--head", head, "--out", str(out), "--datasets", "d1", "d2"]
    argv += ["--repo", str(root), "--data-dir", str(data), "--metrics", "roc_auc"]
    assert main([*argv, "--", "--budget", "5", "--systems", "automl"]) == 0
    runs = [line.split() for line in order_log.read_text().splitlines()]
    # each dataset on both revisions, back to back, the first one alternating
    assert [(d, float(s)) for d, s, _ in runs] == [
        ("d1", 0.8),
        ("d1", 0.9),
        ("d2", 0.9),
        ("d2", 0.8),
    ]
    assert {Path(p) for *_, p in runs} == {data.resolve()}  # the data folder reaches both
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted((r["system"], r["dataset"]) for r in records) == sorted(
        [
            (f"automl@{base}", "d1"),
            (f"automl@{base}", "d2"),
            (f"automl@{head}", "d1"),
            (f"automl@{head}", "d2"),
        ]
    )
    text = capsys.readouterr().out
    assert f"## automl: {head} against {base}, roc_auc" in text
    assert "mean difference: +0.1000 over 2 datasets" in text
    assert f"automl@{head} is better by more than 0.005: 2 (d1, d2)" in text
    # the temporary worktrees are gone
    assert _git(root, "worktree", "list").count("\n") == 0


def test_bad_revision_and_own_options_are_clear_errors(repo, tmp_path, capsys):
    root, (base, head) = repo
    out = str(tmp_path / "ab.jsonl")
    common = ["--out", out, "--repo", str(root), "--data-dir", str(tmp_path)]
    assert main(["--base", "nosuchrev", "--head", head, *common]) == 2
    assert "'nosuchrev' is not a commit of the repository" in capsys.readouterr().err
    assert main(["--base", head, "--head", head, *common]) == 2
    assert "the same commit" in capsys.readouterr().err
    assert main(["--base", base, "--head", head, *common, "--", "--out", "x.jsonl"]) == 2
    assert "--out is set by this script" in capsys.readouterr().err


def test_paired_order_alternates_which_revision_runs_first():
    assert paired_order(["a", "b", "c"], "old", "new") == [
        ("a", "old"),
        ("a", "new"),
        ("b", "new"),
        ("b", "old"),
        ("c", "old"),
        ("c", "new"),
    ]
