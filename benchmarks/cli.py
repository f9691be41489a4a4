"""Command line of the benchmark runner (python -m benchmarks.run).

Each cell (dataset x system x seed) runs in its own process; a progress line is
printed per cell and a summary table (dataset x system, mean test score over
seeds) at the end. Results are appended to ``OUT/NAME.jsonl`` (NAME defaults to
the suite); rerunning the same command skips the cells already ok.

The suite's task picks the systems behind the names (``automl`` is
``AutoMLRegressor`` in a regression suite), the default systems and the default
metric (``roc_auc``; ``rmse`` for regression)::

    python -m benchmarks.run --suite regression --budget 60 --seeds 0 1 2 \
        --systems automl hgb xgb ridge flaml --out results/regression.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from automl.exceptions import ConfigError
from automl.metrics import get_metric
from automl.report.records import score_names

from .compare import SCORE_PREFIX, to_frame
from .runner import default_timeout, plan_cells, run_cells
from .suites import load_suite, resolve_datasets, suite_names
from .systems import check_system_name, system_names

#: The systems run when ``--systems`` is not given, per task.
DEFAULT_SYSTEMS = {
    "classification": ("automl", "xgb", "hgb", "lr"),
    "regression": ("automl", "hgb", "xgb", "ridge"),
}
#: The metric optimised and shown when ``--metric`` is not given, per task.
DEFAULT_METRICS = {"classification": "roc_auc", "regression": "rmse"}
#: The score shown beside the run's metric in the summary, per task.
_SECOND_SCORE = {"classification": "roc_auc", "regression": "r2"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.run", description=__doc__.splitlines()[0]
    )
    p.add_argument(
        "--suite",
        default="quick",
        help=f"a suite name ({', '.join(suite_names())}) or a .toml file (default quick)",
    )
    p.add_argument("--budget", type=float, default=60.0, help="seconds per fit (default 60)")
    p.add_argument(
        "--seeds", type=int, nargs="+", default=[0], help="split/model seeds (default 0)"
    )
    p.add_argument(
        "--systems",
        nargs="+",
        default=None,
        help="systems to run: for classification "
        f"{', '.join(system_names('classification'))}; for regression "
        f"{', '.join(system_names('regression'))}; or module:Class (default "
        f"{' '.join(DEFAULT_SYSTEMS['classification'])}; for regression "
        f"{' '.join(DEFAULT_SYSTEMS['regression'])})",
    )
    p.add_argument(
        "--metric",
        default=None,
        help="metric the systems optimise and the summary shows "
        "(default roc_auc; rmse for a regression suite)",
    )
    p.add_argument(
        "--out", default="results", help="output folder, or a .jsonl file (default results/)"
    )
    p.add_argument(
        "--name", default=None, help="results file name without .jsonl (default: the suite)"
    )
    p.add_argument(
        "--data-dir",
        default=None,
        help="folder of the shared CSVs (default $AUTOML_DATA_DIR, else ../shared/datasets)",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        help="hard limit per cell in seconds (default 2 * budget + 60)",
    )
    p.add_argument(
        "--max-rows", type=int, default=None, help="skip datasets with more rows than this"
    )
    p.add_argument(
        "--datasets", nargs="+", default=None, help="run only these datasets of the suite"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=1,
        help="OMP/BLAS threads per cell (default 1; 0 leaves the environment alone)",
    )
    p.add_argument("--force", action="store_true", help="rerun cells already recorded as ok")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    return p


def run_metric(name: str | None, task: str) -> str:
    """The canonical name of the run's metric, checked against the suite's task.

    Parameters
    ----------
    name : str or None
        ``--metric``; None picks :data:`DEFAULT_METRICS` of ``task``.
    task : {"classification", "regression"}

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        For an unknown metric or one of the other task.
    """
    names = score_names(task)
    if name is None:
        return DEFAULT_METRICS[task]
    if name in names:
        return name
    canonical = get_metric(name).name
    if canonical not in names:
        raise ConfigError(
            f"--metric {name!r} is not a {task} metric; choose one of {', '.join(names)}."
        )
    return canonical


def results_path(out: str, name: str) -> Path:
    """``out`` itself when it ends in ``.jsonl``, else ``out/name.jsonl``."""
    path = Path(out)
    return path if path.suffix == ".jsonl" else path / f"{name}.jsonl"


def _progress(index: int, total: int, record: dict[str, Any], skipped: bool, metric: str) -> None:
    head = f"[{index}/{total}] {record['dataset']} | {record['system']} | seed {record['seed']}:"
    if skipped:
        print(f"{head} done before, skipped", flush=True)
    elif record["status"] == "ok":
        value = record["scores"].get(metric)
        shown = "n/a" if value is None else f"{value:.4f}"
        print(f"{head} ok {metric}={shown} fit {record['fit_time']:.1f}s", flush=True)
    else:
        reason = (record.get("error") or "").strip().splitlines()
        print(f"{head} {record['status'].upper()} {reason[0] if reason else ''}", flush=True)


def summary_tables(records: Sequence[dict[str, Any]], metric: str) -> str:
    """Dataset x system mean test score of ``metric`` and roc_auc (or r2), with failures."""
    frame = to_frame(records)
    if frame.empty:
        return "no results"
    parts = []
    ok = frame[frame["status"] == "ok"]
    task = get_metric(metric).task
    for name in dict.fromkeys([metric, _SECOND_SCORE[task]]):
        table = ok.pivot_table(
            index="dataset",
            columns="system",
            values=SCORE_PREFIX + name,
            aggfunc="mean",
            sort=False,
        )
        table = table.reindex(
            index=list(dict.fromkeys(frame["dataset"])),
            columns=list(dict.fromkeys(frame["system"])),
        )
        parts.append(
            f"Mean test {name} over seeds (blank: no ok cell):\n"
            + table.to_string(float_format="{:.4f}".format, na_rep="")
        )
    bad = frame[frame["status"] != "ok"]
    if len(bad):
        lines = [
            f"  {r.dataset} | {r.system} | seed {r.seed}: {r.status}" for r in bad.itertuples()
        ]
        parts.append(f"{len(bad)} cell(s) not ok:\n" + "\n".join(lines))
    return "\n\n".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a benchmark from the command line; returns the exit status.

    0 when every cell ran (whatever its status), 2 for a usage or configuration error.
    """
    args = build_parser().parse_args(argv)
    try:
        if args.budget <= 0:
            raise ConfigError(f"--budget must be > 0 seconds; got {args.budget}.")
        suite = load_suite(args.suite)
        metric = run_metric(args.metric, suite.task)
        systems = list(args.systems or DEFAULT_SYSTEMS[suite.task])
        for name in systems:
            check_system_name(name, suite.task)
        datasets = resolve_datasets(
            suite, data_dir=args.data_dir, max_rows=args.max_rows, only=args.datasets
        )
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = results_path(args.out, args.name or suite.name)
    cells = plan_cells(
        datasets, systems, args.seeds, suite=suite.name, budget=args.budget, metric=metric
    )
    timeout = args.timeout if args.timeout is not None else default_timeout(args.budget)
    if not args.quiet:
        print(
            f"suite {suite.name} ({suite.task}): {len(datasets)} datasets x {len(systems)} "
            f"systems x "
            f"{len(args.seeds)} seeds = {len(cells)} cells, budget {args.budget:g}s, "
            f"limit {timeout:g}s per cell -> {out}",
            flush=True,
        )
    progress = None if args.quiet else (lambda i, n, r, s: _progress(i, n, r, s, metric))
    records = run_cells(
        cells,
        out,
        data_dir=args.data_dir,
        timeout=timeout,
        threads=args.threads or None,
        force=args.force,
        on_result=progress,
    )
    print(summary_tables(records, metric))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
