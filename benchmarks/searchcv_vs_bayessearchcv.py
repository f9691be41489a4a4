"""SearchCV against scikit-optimize's BayesSearchCV and scikit-learn's HalvingRandomSearchCV.

The same estimator (HistGradientBoostingClassifier), the same space, the same
cross-validation folds and the same metric (ROC AUC) on each shared dataset.
SearchCV and BayesSearchCV get the same wall-clock budget (BayesSearchCV through
``DeadlineStopper``, which it checks after each configuration; both refit the best
configuration on all training rows inside that time). HalvingRandomSearchCV has
no time budget: it runs its successive-halving schedule once, with as many
candidates as ``--halving-candidates`` and boosting rounds as the resource, and
its wall time is printed beside the budget. Each system's best cross-validated
score and the ROC AUC of its refitted model on the held-out 25 % are printed per
dataset, then their means.

Run it on an otherwise idle machine; it measures time::

    python -m benchmarks.searchcv_vs_bayessearchcv --budget 30
    python -m benchmarks.searchcv_vs_bayessearchcv --budget 120 --seed 1
    python -m benchmarks.searchcv_vs_bayessearchcv --datasets pc1 --budget 10   # smoke
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier

from benchmarks.search_cells import add_cell_arguments, held_out_auc, print_means, run_cells

#: Shared binary datasets (numeric, or with a few categorical columns coded as integers).
DEFAULT_DATASETS = (
    "pc1",
    "kc1",
    "phoneme",
    "spambase",
    "qsar_biodeg",
    "wilt",
    "ozone_level_8hr",
    "mammography",
    "pc3",
    "pc4",
)
SYSTEMS = ("searchcv", "bayessearchcv", "halving")


def estimator(seed: int) -> HistGradientBoostingClassifier:
    """The estimator every system tunes."""
    return HistGradientBoostingClassifier(max_iter=200, random_state=seed)


def automl_space() -> dict[str, Any]:
    """The space, in automl's dimensions."""
    from automl import Integer, Real

    return {
        "learning_rate": Real(0.01, 0.3, log=True),
        "max_leaf_nodes": Integer(8, 128, log=True),
        "min_samples_leaf": Integer(5, 100, log=True),
        "l2_regularization": Real(1e-6, 10.0, log=True),
    }


def skopt_space() -> dict[str, Any]:
    """The same space in scikit-optimize's dimensions."""
    from skopt.space import Integer, Real

    return {
        "learning_rate": Real(0.01, 0.3, prior="log-uniform"),
        "max_leaf_nodes": Integer(8, 128, prior="log-uniform"),
        "min_samples_leaf": Integer(5, 100, prior="log-uniform"),
        "l2_regularization": Real(1e-6, 10.0, prior="log-uniform"),
    }


def scipy_space() -> dict[str, Any]:
    """The same space as SciPy distributions, for HalvingRandomSearchCV."""
    from scipy.stats import loguniform

    return {
        "learning_rate": loguniform(0.01, 0.3),
        "max_leaf_nodes": loguniform(8, 128),
        "min_samples_leaf": loguniform(5, 100),
        "l2_regularization": loguniform(1e-6, 10.0),
    }


class _IntParams(HistGradientBoostingClassifier):
    """HistGradientBoostingClassifier that rounds the integer parameters SciPy draws as floats."""

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:  # noqa: D102
        self.max_leaf_nodes = int(round(self.max_leaf_nodes))
        self.min_samples_leaf = int(round(self.min_samples_leaf))
        return super().fit(X, y, sample_weight=sample_weight)


def run_searchcv(X, y, cv, budget, n_jobs, seed):
    from automl import SearchCV

    search = SearchCV(
        estimator(seed),
        automl_space(),
        time_budget=budget,
        scoring="roc_auc",
        cv=cv,
        n_jobs=n_jobs,
        random_state=seed,
    ).fit(X, y)
    return search.best_score_, search.best_estimator_, search.n_trials_


def run_bayessearchcv(X, y, cv, budget, n_jobs, seed):
    from skopt import BayesSearchCV
    from skopt.callbacks import DeadlineStopper

    search = BayesSearchCV(
        estimator(seed),
        skopt_space(),
        n_iter=10_000,
        scoring="roc_auc",
        cv=cv,
        n_jobs=n_jobs,
        random_state=seed,
    )
    # the deadline leaves room for the refit, as SearchCV's budget includes it
    search.fit(X, y, callback=DeadlineStopper(0.9 * budget))
    return search.best_score_, search.best_estimator_, len(search.cv_results_["params"])


def run_halving(X, y, cv, budget, n_jobs, seed, n_candidates: int = 64):
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingRandomSearchCV

    search = HalvingRandomSearchCV(
        _IntParams(max_iter=200, random_state=seed),
        scipy_space(),
        n_candidates=n_candidates,
        # boosting rounds as the resource: subsamples of a few dozen rows leave folds
        # without a positive on imbalanced data, where ROC AUC is undefined
        resource="max_iter",
        max_resources=200,
        min_resources="exhaust",
        scoring="roc_auc",
        cv=cv,
        n_jobs=n_jobs,
        random_state=seed,
    ).fit(X, y)
    return search.best_score_, search.best_estimator_, len(search.cv_results_["params"])


RUNNERS: dict[str, Callable[..., tuple[float, Any, int]]] = {
    "searchcv": run_searchcv,
    "bayessearchcv": run_bayessearchcv,
    "halving": run_halving,
}


def tune(system: str, cell: tuple, args: argparse.Namespace) -> tuple[float, float, int]:
    """Best CV score, held-out ROC AUC and trials of one system on one dataset's cell."""
    X_train, X_test, y_train, y_test, cv = cell
    kwargs = {"n_candidates": args.halving_candidates} if system == "halving" else {}
    best, model, n_trials = RUNNERS[system](
        X_train, y_train, cv, args.budget, args.n_jobs, args.seed, **kwargs
    )
    return best, held_out_auc(y_test, model.predict_proba(X_test), model.classes_), n_trials


def run(args: argparse.Namespace) -> pd.DataFrame:
    return run_cells("system", args.systems, tune, args, args.datasets)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_DATASETS))
    parser.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=SYSTEMS)
    add_cell_arguments(parser, budget=30.0)
    parser.add_argument("--halving-candidates", type=int, default=64)
    parser.add_argument("--out", default=None, help="write the per-dataset rows to this CSV")
    args = parser.parse_args(argv)
    results = run(args)
    print_means(results, "system")
    if args.out:
        results.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
