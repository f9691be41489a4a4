"""What the search comparisons share: the data of a cell, one timed search, the means.

``searchcv_vs_bayessearchcv`` (SearchCV, BayesSearchCV, HalvingRandomSearchCV on
histogram boosting) and ``searchcv_torch`` (Hyperband against random search on a
user's net) run the same protocol: each shared dataset split as the benchmark
splits it, categorical columns as integer codes, the same stratified folds for
every system; each search timed, its best CV score and held-out ROC AUC recorded,
a search that fails scored NaN without stopping the run.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from benchmarks.datasets import DatasetSpec, load_dataset, split

#: The columns of a cell's row, after the dataset and the system's name.
MEASURES = ["cv_roc_auc", "test_roc_auc", "trials", "wall_s", "wall_over_budget"]


def numeric_codes(X: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as integer codes (no target involved), so one estimator fits all."""
    out = X.copy()
    for name in out.columns:
        if not pd.api.types.is_numeric_dtype(out[name]):
            out[name] = out[name].astype("category").cat.codes
    return out


def load_cell(name: str, seed: int, n_folds: int) -> tuple[Any, Any, Any, Any, StratifiedKFold]:
    """``X_train, X_test, y_train, y_test, cv`` of a shared dataset, numeric-coded."""
    data = load_dataset(DatasetSpec(name=name, source=f"csv:{name}"))
    X_train, X_test, y_train, y_test = split(data, seed)
    cv = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    return numeric_codes(X_train), numeric_codes(X_test), y_train, y_test, cv


def held_out_auc(y: Any, proba: Any, classes: Any) -> float:
    """ROC AUC on held-out rows: binary, or macro one-vs-rest (as ``roc_auc`` is in the CV)."""
    proba = np.asarray(proba)
    if proba.shape[1] == 2:
        return float(roc_auc_score(y, proba[:, 1]))
    return float(roc_auc_score(y, proba, multi_class="ovr", labels=classes))


def timed_cell(
    dataset: str,
    key: str,
    system: str,
    budget: float,
    search: Callable[[], tuple[float, float, int]],
) -> dict[str, Any]:
    """Run ``search() -> (best CV score, test ROC AUC, trials)``, timed, and print its line.

    A search that raises scores NaN with 0 trials (its error is printed); the run goes on.
    Returns the row: ``dataset``, ``key`` (the system's name) and :data:`MEASURES`.
    """
    start = time.monotonic()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            best, test, n_trials = search()
    except Exception as exc:  # a search that produces no model scores NaN, the run goes on
        print(f"{dataset:24s} {system:14s} FAILED: {type(exc).__name__}: {exc}", flush=True)
        best, test, n_trials = float("nan"), float("nan"), 0
    wall = time.monotonic() - start
    print(
        f"{dataset:24s} {system:14s} cv={best:.4f} test={test:.4f} trials={n_trials:4d} "
        f"wall={wall:6.1f}s ({wall / budget:.2f}x budget)",
        flush=True,
    )
    values = [best, test, n_trials, wall, wall / budget]
    return {"dataset": dataset, key: system, **dict(zip(MEASURES, values, strict=True))}


def print_means(results: pd.DataFrame, key: str) -> None:
    """The mean of every measure per system, over the datasets."""
    print("\nMeans over datasets:")
    print(results.groupby(key)[MEASURES].mean().round(4).to_string())


def print_wins(results: pd.DataFrame, key: str, baseline: str, others: Sequence[str]) -> None:
    """For each CV and test measure, on how many datasets each of ``others`` beats ``baseline``.

    Systems missing from ``results`` are skipped.
    """
    for measure in ("cv_roc_auc", "test_roc_auc"):
        wide = results.pivot(index="dataset", columns=key, values=measure)
        for other in others:
            if other != baseline and {baseline, other} <= set(wide.columns):
                better = int((wide[other] > wide[baseline]).sum())
                print(f"{other}'s {measure} above {baseline}'s on {better} of {len(wide)} datasets")


def run_cells(
    key: str,
    systems: Sequence[str],
    tune: Callable[[str, tuple, argparse.Namespace], tuple[float, float, int]],
    args: argparse.Namespace,
    datasets: Sequence[str],
) -> pd.DataFrame:
    """Every system on every dataset, one timed search each (:func:`timed_cell`).

    Each dataset's cell is loaded once (``args.seed``, ``args.cv``) and handed to
    ``tune(system, cell, args)``; the rows are keyed by ``key`` (``"system"``, ...).
    """
    rows = []
    for name in datasets:
        cell = load_cell(name, args.seed, args.cv)
        for system in systems:
            search = partial(tune, system, cell, args)
            rows.append(timed_cell(name, key, system, args.budget, search))
    return pd.DataFrame(rows)


def add_cell_arguments(parser: argparse.ArgumentParser, budget: float) -> None:
    """The options every search comparison takes: budget, folds, workers, seed."""
    parser.add_argument("--budget", type=float, default=budget, help="seconds per search")
    parser.add_argument("--cv", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=-1)
    parser.add_argument("--seed", type=int, default=0)
