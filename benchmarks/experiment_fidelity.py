"""Offline experiment: Bayesian search vs Hyperband vs BOHB at the same time budget.

Per data set (and seed) the rows are split 70/30, stratified; each strategy fits an
``AutoMLClassifier(search=..., metric="roc_auc", time_budget=...)`` on the 70 % and
is scored on the 30 %. The table gives per strategy the mean cross-validated ROC AUC
of the final model (``cv_score_``), the mean held-out ROC AUC, and the trials run at
each fidelity. Data under about 1,500 rows gets a single full-fidelity rung (the
smallest rung keeps about 500 rows per fold), so multi-fidelity matters on the
larger sets: pass ``--rows`` for generated data of chosen sizes.

Run from the repository root (each fit takes ``--budget`` seconds)::

    python -m benchmarks.experiment_fidelity --synthetic --rows 20000 60000 --budget 60
    python -m benchmarks.experiment_fidelity --datasets pc4 kc1 wilt --budget 60 --seeds 0 1
    python -m benchmarks.experiment_fidelity --synthetic --rows 3000 --budget 10   # a smoke run
"""

from __future__ import annotations

import argparse
from collections import Counter

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier
from automl.fidelity import fidelity_label, fidelity_of

from .experiment_data import add_data_arguments, load_datasets

STRATEGIES = ("bayes", "hyperband", "bohb")


def generated(rows: list[int], seed: int) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Imbalanced binary data (10 % positives, 20 columns) of the given sizes."""
    out = []
    for n in rows:
        X, y = make_classification(
            n_samples=n,
            n_features=20,
            n_informative=8,
            weights=[0.9, 0.1],
            flip_y=0.02,
            random_state=seed,
        )
        out.append((f"synth_{n}", X, y))
    return out


def run_one(
    strategy: str, X: np.ndarray, y: np.ndarray, budget: float, seed: int, n_jobs: int
) -> dict[str, object]:
    """One fit: its CV score, held-out ROC AUC and trials per fidelity."""
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)
    clf = AutoMLClassifier(
        search=strategy, metric="roc_auc", time_budget=budget, random_state=seed, n_jobs=n_jobs
    ).fit(X_tr, y_tr)
    test = roc_auc_score(y_te, clf.predict_proba(X_te)[:, 1])
    per_fidelity = Counter(fidelity_of(r) for r in clf.trials_)
    return {"cv": float(clf.cv_score_), "test": float(test), "fidelities": per_fidelity}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--rows", type=int, nargs="+", help="generated data of these sizes")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per fit")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args(argv)
    datasets = generated(args.rows, args.seed) if args.rows else load_datasets(args)
    results: dict[str, list[dict[str, object]]] = {s: [] for s in args.strategies}
    print(f"{'data':<22}{'seed':>5}  {'strategy':<10}{'cv AUC':>8}{'test AUC':>10}  trials")
    for name, X, y in datasets:
        for seed in args.seeds:
            for strategy in args.strategies:
                row = run_one(strategy, X, y, args.budget, seed, args.n_jobs)
                results[strategy].append(row)
                counts = row["fidelities"]
                assert isinstance(counts, Counter)
                trials = ", ".join(f"{fidelity_label(f)}: {n}" for f, n in sorted(counts.items()))
                print(
                    f"{name:<22}{seed:>5}  {strategy:<10}{row['cv']:>8.4f}"
                    f"{row['test']:>10.4f}  {trials}"
                )
    print(f"\nmean over {len(datasets)} data sets x {len(args.seeds)} seeds, {args.budget:g} s:")
    for strategy, rows in results.items():
        cv = np.mean([float(r["cv"]) for r in rows])  # type: ignore[arg-type]
        test = np.mean([float(r["test"]) for r in rows])  # type: ignore[arg-type]
        print(f"  {strategy:<10} cv AUC {cv:.4f}   test AUC {test:.4f}")


if __name__ == "__main__":
    main()
