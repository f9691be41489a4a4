"""Scale: how the AutoML classifier copes with 10^4 to 10^6 rows (issue 15, item 7).

For each data set (synthetic ``make_classification`` with 50 columns and 10 %
positives at the given row counts, and the largest shared tables) it prints:
the search strategy that ran (``--search``, default ``auto``), time to the first
finished trial, finished trials (all, and at full fidelity), peak PSS of the whole process
tree (the fit's process, holding the data set, and every worker, sampled every
0.2 s; shared pages counted once) against the training data's size and its growth
during the fit, each data set in a fresh process, fit time against the budget, and test
ROC AUC against a default ``HistGradientBoostingClassifier`` fitted in the same
run. 25 % of the rows are held out for the test score.

Run (small, to check it works)::

    python -m benchmarks.scale --rows 10000 100000 --budget 30

Memory alone, the same trials whatever the machine's load (old against new code)::

    python -m benchmarks.scale --rows 200000 --budget 900 --max-trials 4 --models logreg \
        --n-jobs 2 --no-shared

The acceptance run of issue 15 (on a quiet machine; about 6 minutes)::

    python -m benchmarks.scale --rows 1000000 --budget 300 --no-shared

``--breakdown`` also prints, under each row, the peak's PSS by kind of memory for
the fit's process and its workers (anonymous, the memory-mapped worker data, shared
libraries, other files): where the memory is. It reads every mapping at each new
peak, which costs CPU beside the fit, so leave it off for timings.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.memory import PeakTreePss, machine_load, tree_pss_mb

#: The shared tables with the most cells (rows x columns).
LARGEST_SHARED = ("adult", "default_credit_card")


def synthetic(rows: int, cols: int = 50, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """``make_classification`` with ``cols`` numeric columns and 10 % positives."""
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=rows,
        n_features=cols,
        n_informative=cols // 2,
        weights=[0.9, 0.1],
        random_state=seed,
    )
    return pd.DataFrame(X, columns=[f"f{i}" for i in range(cols)], copy=False), y


def shared(name: str) -> tuple[pd.DataFrame, np.ndarray]:
    """A table of the shared benchmark folder, target 0/1 with 1 = the minority."""
    from benchmarks.datasets import DatasetSpec, load_dataset

    data = load_dataset(DatasetSpec(name, f"csv:{name}"))
    return data.X, data.y.to_numpy()


def _split(X: pd.DataFrame, y: np.ndarray, seed: int) -> tuple[Any, Any, Any, Any]:
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=seed)


def baseline_auc(X_tr: pd.DataFrame, y_tr: np.ndarray, X_te: pd.DataFrame, y_te: np.ndarray):
    """Test ROC AUC and fit seconds of a default HistGradientBoostingClassifier."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    cats = [c for c in X_tr.columns if not pd.api.types.is_numeric_dtype(X_tr[c])]
    if cats:  # the baseline gets the categories as pandas categories, which HGB reads
        X_tr, X_te = X_tr.copy(), X_te.copy()
        for c in cats:
            kind = pd.CategoricalDtype(X_tr[c].astype("category").cat.categories)
            X_tr[c], X_te[c] = X_tr[c].astype(kind), X_te[c].astype(kind)
    start = time.perf_counter()
    model = HistGradientBoostingClassifier(random_state=0, categorical_features="from_dtype")
    model.fit(X_tr, y_tr)
    seconds = time.perf_counter() - start
    return roc_auc_score(y_te, model.predict_proba(X_te)[:, 1]), seconds


def measure(
    name: str,
    X_tr: pd.DataFrame,
    X_te: pd.DataFrame,
    y_tr: np.ndarray,
    y_te: np.ndarray,
    args: argparse.Namespace,
) -> dict:
    """Fit the AutoML classifier and the baseline on one split; the figures of one row."""
    from sklearn.metrics import roc_auc_score

    from automl import AutoMLClassifier

    data_mb = X_tr.memory_usage(deep=True).sum() / 2**20
    clf = AutoMLClassifier(
        time_budget=args.budget,
        max_trials=args.max_trials,
        models=args.models,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        search=args.search,
    )
    before = tree_pss_mb()
    with PeakTreePss(kinds=args.breakdown) as memory:
        start = time.monotonic()
        clf.fit(X_tr, y_tr)
        fit_seconds = time.monotonic() - start
    auc = roc_auc_score(y_te, clf.predict_proba(X_te)[:, 1])
    hgb_auc, hgb_seconds = baseline_auc(X_tr, y_tr, X_te, y_te)
    finished = [r for r in clf.trials_ if r["status"] == "ok"]
    first = min((r["finished"] for r in finished), default=float("nan"))
    main_mb, workers_mb = memory.peak_parts_mb or (float("nan"), float("nan"))
    return {
        "data": name,
        "rows": len(X_tr),
        "cols": X_tr.shape[1],
        "data_mb": data_mb,
        "first_s": first,
        "search": clf.search_,
        "ok": len(finished),
        "ok_full": sum("fidelity" not in r["config"] for r in finished),
        "trials": len(clf.trials_),
        "folds": max((len(r["fold_scores"].get("roc_auc", [])) for r in finished), default=0),
        "pss_before_mb": before,
        "peak_pss_mb": memory.peak_mb,
        "growth_mb": (memory.peak_mb or float("nan")) - (before or float("nan")),
        "pss_x_data": (memory.peak_mb or float("nan")) / data_mb,
        "peak_main_mb": main_mb,
        "peak_workers_mb": workers_mb,
        "peak_kinds_mb": memory.peak_kinds_mb,
        "fit_over_budget": fit_seconds / args.budget,
        "auc": auc,
        "hgb_auc": hgb_auc,
        "hgb_s": hgb_seconds,
    }


def _release_workers() -> None:
    """Stop automl's kept worker processes (directly on code older than release_workers,
    so the same script measures the code before this change)."""
    from automl.search import executor

    release = getattr(executor, "release_workers", None)
    if release is not None:
        release()
        return
    for index in range(len(executor._SLOT_POOLS)):
        executor._kill_slot(index)


def _load_and_measure(name: str, args: argparse.Namespace) -> dict:
    if name.startswith("synthetic_"):
        X, y = synthetic(int(name.split("_")[1]), args.cols, args.seed)
    else:
        X, y = shared(name)
    X_tr, X_te, y_tr, y_te = _split(X, y, args.seed)
    del X, y  # the tree measured holds the split only, as a user's script would
    try:
        return measure(name, X_tr, X_te, y_tr, y_te, args)
    finally:
        _release_workers()  # else this process waits for its idle workers to time out


def _isolated(name: str, args: argparse.Namespace) -> dict:
    """One data set in a fresh process: the tree measured holds this data set only
    (workers kept from an earlier fit would still hold theirs)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as pool:
        return pool.submit(_load_and_measure, name, args).result()


def main(argv: list[str] | None = None) -> list[dict]:
    """Run the scale benchmark and print one line per data set."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-trials", type=int, default=None, help="also stop after N trials")
    parser.add_argument("--models", nargs="+", default=None, help="model families (default: all)")
    parser.add_argument("--no-shared", action="store_true", help="skip the shared tables")
    parser.add_argument(
        "--search", default="auto", help="the classifier's search strategy (default auto)"
    )
    parser.add_argument(
        "--breakdown", action="store_true", help="print the peak's PSS by kind of memory"
    )
    args = parser.parse_args(argv)

    import automl

    print(f"automl from {automl.__file__}; {machine_load()}; budget {args.budget:g}s")
    sets: list[tuple[str, Any]] = [(f"synthetic_{r}", r) for r in args.rows]
    if not args.no_shared:
        sets += [(name, None) for name in LARGEST_SHARED]
    header = (
        f"{'data':>22} {'search':>9} {'rows':>8} {'cols':>4} {'data MB':>8} {'1st s':>6} "
        f"{'ok':>4} {'full':>4} "
        f"{'all':>4} {'folds':>5} {'before':>7} {'peak PSS':>9} {'main':>6} {'workers':>7} "
        f"{'xdata':>6} {'fit +MB':>8} {'fit/B':>6} "
        f"{'AUC':>7} {'HGB AUC':>7} {'HGB s':>6}"
    )
    print(header)
    rows = []
    for name, _ in sets:
        r = _isolated(name, args)
        rows.append(r)
        print(
            f"{r['data']:>22} {r['search']:>9} {r['rows']:>8} {r['cols']:>4} "
            f"{r['data_mb']:>8.1f} {r['first_s']:>6.1f} {r['ok']:>4} {r['ok_full']:>4} "
            f"{r['trials']:>4} {r['folds']:>5} "
            f"{r['pss_before_mb'] or float('nan'):>7.0f} "
            f"{r['peak_pss_mb'] or float('nan'):>9.0f} {r['peak_main_mb']:>6.0f} "
            f"{r['peak_workers_mb']:>7.0f} {r['pss_x_data']:>6.1f} "
            f"{r['growth_mb']:>8.0f} "
            f"{r['fit_over_budget']:>6.2f} {r['auc']:>7.4f} {r['hgb_auc']:>7.4f} "
            f"{r['hgb_s']:>6.1f}",
            flush=True,
        )
        for process, kinds in (r.get("peak_kinds_mb") or {}).items():
            shares = ", ".join(f"{kind} {mb:.0f}" for kind, mb in kinds.items())
            print(f"{'':>22} {process:>7} MB: {shares}")
    print(machine_load())
    return rows


if __name__ == "__main__":
    main()
