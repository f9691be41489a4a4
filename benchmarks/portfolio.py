"""Learn a portfolio of configurations offline, from CV scores on training splits only.

For each dataset (the training part of the benchmark's seed-0 split, the test part
never read; optionally subsampled, stratified for classes) every candidate is
cross-validated exactly as the search does (:func:`automl.evaluate.run_trial` on
the graph's compiled pipeline, the same folds for every candidate). The
candidates of each family are its default, its hand-written portfolio and
``--candidates-per-family`` points drawn with a fixed seed from the graph's space
for the family (node choices such as ``impute``, ``scale`` and the regression
``target`` transform drawn too). Scores are normalised per dataset
(:mod:`benchmarks.portfolio_select`) and the portfolio is chosen greedily, starting
from the defaults, which always run first. Leaving each dataset out of the
selection in turn gives the honest (left-out) gain beside the in-sample one.

Raw CV scores are appended to a JSONL file as each finishes (one line per dataset x
configuration, keyed by a hash of the resolved configuration), so a killed run
resumes where it stopped. The result is written as data that
``portfolio = "learned"`` in a preset reads (:mod:`automl.graph.portfolio`)::

    python -m benchmarks.portfolio --task classification --suite shared \\
        --candidates-per-family 16 --size 24 --max-rows 5000 --folds 3 --seed 0 \\
        --out pipelines/portfolio_classification.json

``--preset`` draws the candidates from another graph of the task: ``--preset
imbalanced --suite imbalanced`` learns entries with resampling and class weights, on
the tables that preset is meant for, for a preset whose ``portfolio`` key names the
file written (a ``.json`` path).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from automl.exceptions import ConfigError
from automl.graph import PipelineGraph
from automl.graph.portfolio import PORTFOLIO_FORMAT
from automl.models import ModelContext

from .datasets import REPO_ROOT, load_dataset, split
from .portfolio_eval import (
    METRICS,
    Candidate,
    ResultCache,
    loss_matrix,
    make_candidates,
    prepare,
    subsample,
)
from .portfolio_select import Selection, normalise, select_with_left_out
from .suites import load_suite, resolve_datasets

#: Per task: the preset whose graph is searched.
PRESETS = {"classification": "default", "regression": "regression"}


def _git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "automl"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return rev + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def learn_portfolio(
    datasets: list[tuple[str, Any, Any]],
    *,
    task: str,
    candidates_per_family: int,
    size: int,
    n_folds: int = 3,
    seed: int = 0,
    families: Sequence[str] | None = None,
    preset: str | None = None,
    results: str | Path | None = None,
    trial_time: float | None = None,
    n_jobs: int = 1,
    max_rows: int | None = None,
    command: str = "",
    verbose: bool = False,
) -> dict[str, Any]:
    """Evaluate the candidates on every dataset and select the portfolio.

    Parameters
    ----------
    datasets : list of (name, X, y)
        Training rows only (already split off their test part and subsampled).
    task : {"classification", "regression"}
    candidates_per_family, size, n_folds, seed : int
        Random draws per family, most configurations selected, CV folds, seed.
    families : sequence of str or None
        Families of the preset to use; None: all of them.
    preset : str or None
        The graph whose space the candidates are drawn from and whose defaults run
        first (a preset name or ``.toml`` path of the task); None: the task's
        default (``default`` or ``regression``). ``imbalanced`` draws resampling
        and class weights too, for a portfolio that preset points to.
    results : path or None
        The JSONL cache of raw CV scores (resumed when it exists).
    trial_time : float or None
        Seconds one candidate may take on one dataset; past it, it counts as worst.
    n_jobs : int
        Candidates evaluated at once.
    max_rows : int or None
        Recorded in the provenance and the cache keys (the caller subsampled).
    command : str
        The command line, for the provenance.
    verbose : bool
        Print a line per finished evaluation.

    Returns
    -------
    dict
        The portfolio file's content: ``format``, ``task``, ``configs`` (entries in
        selection order) and ``provenance``; plus ``selection`` and ``candidates``
        for printing (not written).
    """
    preset = preset or PRESETS[task]
    graph = PipelineGraph.from_preset(preset)
    if graph.task != task:
        raise ConfigError(
            f"The preset {preset!r} is a {graph.task} graph; the portfolio is for {task}."
        )
    if families is not None:
        graph = graph.with_families(list(families))
    ref = ModelContext(
        task="regression" if task == "regression" else "binary",
        n_classes=1 if task == "regression" else 2,
        n_rows=max_rows or 10_000,
        random_state=seed,
    )
    candidates = make_candidates(graph, candidates_per_family, seed, ref)
    preps = [prepare(n, X, y, task, graph, n_folds, seed) for n, X, y in datasets]
    setting = f"rows={max_rows}|folds={n_folds}|seed={seed}"
    cache = ResultCache(results)
    t0 = time.perf_counter()
    losses = loss_matrix(preps, candidates, cache, setting, trial_time, n_jobs, verbose)
    scores = normalise(losses)
    start = [i for i, c in enumerate(candidates) if c.is_default]
    sel = select_with_left_out(scores, start, size)
    names = [p.name for p in preps]
    return {
        "format": PORTFOLIO_FORMAT,
        "task": task,
        "configs": [{**candidates[c].entry, "_id": candidates[c].id} for c in sel.added],
        "provenance": {
            "command": command,
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "git_revision": _git_revision(),
            "preset": preset,
            "families": list(graph.families),
            "metric": METRICS[task],
            "normalisation": "per dataset: clip((median - loss) / (median - best), 0, 1)",
            "datasets": names,
            "candidates_per_family": candidates_per_family,
            "n_candidates": len(candidates),
            "size": size,
            "folds": n_folds,
            "max_rows": max_rows,
            "seed": seed,
            "split": "train part of benchmarks.datasets.split(dataset, seed=0); test never read",
            "in_sample_gain": float(np.mean(sel.in_sample_gain)),
            "left_out_gain": float(np.mean(sel.left_out_gain)),
            "per_dataset": {
                p.name: {
                    "n_rows": len(p.run.folds[0][0]) + len(p.run.folds[0][1]),
                    "in_sample_gain": float(a),
                    "left_out_gain": float(b),
                }
                for p, a, b in zip(preps, sel.in_sample_gain, sel.left_out_gain, strict=True)
            },
            "seconds": round(time.perf_counter() - t0, 1),
        },
        "selection": sel,
        "candidates": candidates,
    }


def report(result: dict[str, Any]) -> str:
    """The selected configurations and the per-dataset gains, as text."""
    sel: Selection = result["selection"]
    prov = result["provenance"]
    cands: list[Candidate] = result["candidates"]
    lines = [f"selected ({len(sel.added)}): " + ", ".join(cands[c].id for c in sel.added), ""]
    lines.append(
        f"{'dataset':<28} {'in-sample gain':>15} {'left-out gain':>14}  selected without it"
    )
    for (name, g), c in zip(prov["per_dataset"].items(), sel.left_out, strict=True):
        picked = ", ".join(cands[i].id for i in c[:4]) + (" ..." if len(c) > 4 else "")
        lines.append(
            f"{name:<28} {g['in_sample_gain']:>15.3f} {g['left_out_gain']:>14.3f}  {picked}"
        )
    lines.append(f"{'mean':<28} {prov['in_sample_gain']:>15.3f} {prov['left_out_gain']:>14.3f}")
    return "\n".join(lines)


def write_portfolio(result: dict[str, Any], out: str | Path) -> None:
    """Write the portfolio file (``format``, ``task``, ``configs``, ``provenance``)."""
    data = {k: result[k] for k in ("format", "task", "configs", "provenance")}
    Path(out).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m benchmarks.portfolio --task ... --out ...``."""
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.portfolio",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--task", choices=sorted(PRESETS), default="classification")
    p.add_argument("--suite", default=None, help="default: shared, or regression for regression")
    p.add_argument("--datasets", nargs="+", default=None, help="only these datasets of the suite")
    p.add_argument("--families", nargs="+", default=None, help="default: every family of preset")
    p.add_argument(
        "--preset",
        default=None,
        help="graph to draw candidates from (default: default, or regression); "
        "e.g. imbalanced, with --suite imbalanced",
    )
    p.add_argument("--candidates-per-family", type=int, default=16)
    p.add_argument("--size", type=int, default=24, help="most configurations selected")
    p.add_argument("--max-rows", type=int, default=5000, help="subsample each training split")
    p.add_argument("--folds", type=int, default=3)
    p.add_argument("--seed", type=int, default=0, help="seed of the draws, folds and subsample")
    p.add_argument("--trial-time", type=float, default=300.0, help="seconds per candidate")
    p.add_argument("--n-jobs", type=int, default=1)
    p.add_argument("--data-dir", default=None)
    p.add_argument(
        "--results", default=None, help="JSONL cache (default results/portfolio_TASK.jsonl)"
    )
    p.add_argument(
        "--out",
        required=True,
        help="the portfolio file, e.g. pipelines/portfolio_classification.json",
    )
    args = p.parse_args(argv)
    suite = load_suite(args.suite or ("regression" if args.task == "regression" else "shared"))
    datasets = []
    for spec, _ in resolve_datasets(suite, data_dir=args.data_dir, only=args.datasets):
        X_train, _, y_train, _ = split(load_dataset(spec, args.data_dir), 0)  # test never used
        X_s, y_s = subsample(X_train, y_train, args.task, args.max_rows, args.seed)
        datasets.append((spec.name, X_s, y_s))
    result = learn_portfolio(
        datasets,
        task=args.task,
        candidates_per_family=args.candidates_per_family,
        size=args.size,
        n_folds=args.folds,
        seed=args.seed,
        families=args.families,
        preset=args.preset,
        results=args.results or f"results/portfolio_{args.task}.jsonl",
        trial_time=args.trial_time,
        n_jobs=args.n_jobs,
        max_rows=args.max_rows,
        command="python -m benchmarks.portfolio "
        + " ".join(sys.argv[1:] if argv is None else argv),
        verbose=True,
    )
    print(report(result))
    write_portfolio(result, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
