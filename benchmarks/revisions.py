"""Compare two git revisions of the project on a benchmark suite, paired per dataset.

Several acceptance lines read "above the current code's, measured in the same run".
This script measures exactly that: it checks out both revisions into temporary git
worktrees and runs ``python -m benchmarks.run`` from each one (each revision with its
own library *and* its own harness), one dataset at a time, the two revisions back to
back on each dataset and in alternating order (base first on the first dataset, head
first on the second, ...), so a slow drift of the machine weighs on both alike. Each
revision's records go to their own file beside ``--out``; the merged file ``--out``
names the systems ``<system>@<revision>``, and the comparison of head against base
is printed per metric with :mod:`benchmarks.compare`.

Rerunning the same command resumes: the runner skips the cells each revision's file
already holds. Nothing else should run on the machine meanwhile (the fits are timed).

Usage::

    python -m benchmarks.revisions --base 1aacfa2 --head HEAD --out results/ab60.jsonl \\
        -- --suite shared --budget 60 --seeds 0 --systems automl

Everything after ``--`` goes to ``benchmarks.run`` of both revisions, except
``--datasets`` and ``--data-dir`` (give them before ``--``) and ``--out`` (the script
sets it). The data folder is resolved here, as ``benchmarks.run`` would resolve it from
this checkout, and handed to both revisions by ``$AUTOML_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from automl.exceptions import ConfigError
from automl.report.records import append_record, read_records

from .cli import build_parser
from .compare import compare, to_markdown
from .datasets import DATA_DIR_ENV, resolve_data_dir
from .suites import load_suite, resolve_datasets

#: Options of ``benchmarks.run`` this script sets itself.
_OWN_OPTIONS = ("--out", "--datasets", "--name", "--data-dir")


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ConfigError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def resolve_revision(repo: Path, revision: str) -> str:
    """The short commit id of ``revision`` (a ``ConfigError`` naming it if unknown)."""
    try:
        return _git(repo, "rev-parse", "--short", "--verify", f"{revision}^{{commit}}")
    except ConfigError:
        raise ConfigError(f"{revision!r} is not a commit of the repository {repo}") from None


@contextmanager
def worktrees(repo: Path, commits: Sequence[str]) -> Iterator[dict[str, Path]]:
    """Detached worktrees of ``commits`` in a temporary folder, removed on exit."""
    with tempfile.TemporaryDirectory(prefix="automl-revisions-") as tmp:
        made: dict[str, Path] = {}
        try:
            for commit in commits:
                path = Path(tmp) / commit
                _git(repo, "worktree", "add", "--detach", "--force", str(path), commit)
                made[commit] = path
            yield made
        finally:
            for path in made.values():
                _git(repo, "worktree", "remove", "--force", str(path))


def paired_order(datasets: Sequence[str], base: str, head: str) -> list[tuple[str, str]]:
    """(dataset, commit) runs: both commits per dataset, which one first alternating."""
    runs = []
    for i, name in enumerate(datasets):
        first, second = (base, head) if i % 2 == 0 else (head, base)
        runs += [(name, first), (name, second)]
    return runs


def arm_path(out: Path, commit: str) -> Path:
    """Where one revision's own records go: ``OUT.<commit>.jsonl`` beside ``out``."""
    return out.with_name(f"{out.stem}.{commit}.jsonl")


def merge_arms(out: Path, commits: Sequence[str]) -> list[dict[str, Any]]:
    """Rewrite ``out`` with every arm's records, systems renamed ``<system>@<commit>``."""
    merged = []
    for commit in commits:
        path = arm_path(out, commit)
        for record in read_records(path) if path.exists() else []:
            merged.append({**record, "system": f"{record['system']}@{commit}"})
    out.unlink(missing_ok=True)
    for record in merged:
        append_record(out, record)
    return merged


def _check_run_args(run_args: Sequence[str]) -> argparse.Namespace:
    for arg in run_args:
        option = arg.split("=")[0]
        if option in _OWN_OPTIONS:
            raise ConfigError(
                f"{option} is set by this script; give --datasets and "
                "--data-dir before '--', and --out as this script's option."
            )
    return build_parser().parse_args(list(run_args))


def suite_datasets(run: argparse.Namespace, data_dir: Path) -> list[str]:
    """The datasets the run arguments select (this checkout's suite definition)."""
    suite = load_suite(run.suite)
    chosen = resolve_datasets(suite, data_dir=data_dir, max_rows=run.max_rows)
    return [spec.name for spec, _ in chosen]


def run_pairs(
    runs: Sequence[tuple[str, str]],
    trees: dict[str, Path],
    out: Path,
    run_args: Sequence[str],
    data_dir: Path,
) -> None:
    """Run ``benchmarks.run`` of each commit's worktree on each dataset, in order."""
    for dataset, commit in runs:
        tree = trees[commit]
        env = {**os.environ, "PYTHONPATH": str(tree), DATA_DIR_ENV: str(data_dir)}
        cmd = [sys.executable, "-m", "benchmarks.run", *run_args, "--quiet"]
        cmd += ["--datasets", dataset, "--out", str(arm_path(out, commit))]
        print(f"{dataset} @ {commit}", flush=True)
        done = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"  benchmarks.run exited {done.returncode}: {done.stderr[-800:]}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.revisions --base REV [--head REV] --out FILE -- RUN ARGS``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    run_args = argv[argv.index("--") + 1 :] if "--" in argv else []
    own = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.revisions", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--base", required=True, help="the revision compared against")
    parser.add_argument("--head", default="HEAD", help="the revision under test (default HEAD)")
    parser.add_argument("--out", required=True, help="the merged .jsonl file")
    parser.add_argument("--datasets", nargs="+", default=None, help="only these datasets")
    parser.add_argument(
        "--metrics", nargs="+", default=None, help="test metrics compared (default roc_auc f1)"
    )
    parser.add_argument(
        "--data-dir", default=None, help="folder of the CSVs (default as benchmarks.run)"
    )
    parser.add_argument("--repo", default=".", help="the git repository (default .)")
    args = parser.parse_args(own)
    try:
        repo = Path(args.repo).resolve()
        base, head = resolve_revision(repo, args.base), resolve_revision(repo, args.head)
        if base == head:
            raise ConfigError(f"--base and --head are the same commit ({base})")
        run = _check_run_args(run_args)
        data_dir = resolve_data_dir(args.data_dir).resolve()
        datasets = args.datasets or suite_datasets(run, data_dir)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with worktrees(repo, [base, head]) as trees:
        run_pairs(paired_order(datasets, base, head), trees, out, run_args, data_dir)
    records = merge_arms(out, [base, head])
    systems = sorted({r["system"].rsplit("@", 1)[0] for r in records})
    for system in systems:
        for metric in args.metrics or ["roc_auc", "f1"]:
            try:
                c = compare(
                    records,
                    system=f"{system}@{head}",
                    baseline=f"{system}@{base}",
                    metric=metric,
                    budget=run.budget,
                )
            except ConfigError as exc:
                print(f"{system}, {metric}: {exc}")
                continue
            print(f"\n## {system}: {head} against {base}, {metric}\n\n{to_markdown(c)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
