"""Trials per minute on a 2-worker dask ``LocalCluster`` against the local executor.

Issue 15, item 5: the same fit (synthetic ``make_classification``, 50 columns,
10 % positives, 10^5 rows by default; a fixed number of seeded trials without a
time budget, so both executors run exactly the same trials) runs once with the
default local executor (loky worker processes, the data memory-mapped) and once
through joblib's dask backend on a ``LocalCluster`` of 2 single-threaded worker
processes (the data scattered to both workers once). It prints trials per minute
of search for each, and the machine's load.

Run::

    python -m benchmarks.dask_throughput --rows 100000 --trials 8
"""

from __future__ import annotations

import argparse
import time

from benchmarks.memory import machine_load
from benchmarks.scale import synthetic


def run_once(X, y, args: argparse.Namespace, on_dask: bool) -> dict:
    """One fit; its trials, the search's seconds and trials per minute."""
    import joblib

    from automl import AutoMLClassifier

    clf = AutoMLClassifier(
        time_budget=None,  # the same seeded trials on both executors, whatever the load
        max_trials=args.trials,
        models=args.models,
        cv=3,
        n_jobs=2,
        random_state=args.seed,
    )
    start = time.monotonic()
    if on_dask:
        from dask.distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster),
            joblib.parallel_backend("dask"),
        ):
            start = time.monotonic()  # the cluster's start-up is not the search's
            clf.fit(X, y)
    else:
        clf.fit(X, y)
    total = time.monotonic() - start
    search = clf.timings_["search"]
    ok = sum(r["status"] == "ok" for r in clf.trials_)
    return {
        "executor": "dask LocalCluster(2)" if on_dask else "local (loky, 2)",
        "trials": len(clf.trials_),
        "ok": ok,
        "search_s": search,
        "fit_s": total,
        "per_minute": 60 * len(clf.trials_) / search,
        "ok_per_minute": 60 * ok / search,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    """Run both executors on the same data and print a line each."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--models", nargs="+", default=["logreg", "hist_gb"])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    X, y = synthetic(args.rows, args.cols, args.seed)
    print(f"{args.rows} x {args.cols}, {args.trials} trials of {args.models}; {machine_load()}")
    rows = []
    for on_dask in (False, True):
        r = run_once(X, y, args, on_dask)
        rows.append(r)
        print(
            f"{r['executor']:>22}: {r['trials']:3d} trials ({r['ok']} ok) in "
            f"{r['search_s']:.0f}s of search, fit {r['fit_s']:.0f}s: "
            f"{r['per_minute']:.1f} trials/min ({r['ok_per_minute']:.1f} ok/min)",
            flush=True,
        )
    print(machine_load())
    return rows


if __name__ == "__main__":
    main()
