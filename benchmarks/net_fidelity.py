"""The built-in tabular net tuned alone: Hyperband and BOHB (epochs as fidelity) against bayes.

Issue 15's check of the multi-fidelity strategies on nets: the ``mlp`` family's
estimator (:class:`automl.nets.TabularNetClassifier`, with the family's search space,
patience and epoch cap) is tuned by :class:`automl.SearchCV` with each strategy at the
same time budget, ROC AUC and the same stratified folds. ``bayes`` trains every
configuration with up to :data:`MAX_EPOCHS` epochs (early stopping on its inner
validation split, as the AutoML search does); ``hyperband`` and ``bohb`` grow
``max_epochs`` from :data:`MIN_EPOCHS` to :data:`MAX_EPOCHS` by successive halving, BOHB
proposing configurations from a surrogate fitted on the highest rung with enough
results. Each search's best cross-validated score, the held-out ROC AUC of its refitted
model, its trials and its wall time are printed per dataset, then the means and the
count of datasets where each multi-fidelity strategy beats ``bayes``.

The default datasets are the imbalanced suite (binary shared tables with a minority
under 20 %). Run it on an otherwise idle machine; it measures time::

    python -m benchmarks.net_fidelity --budget 60
    python -m benchmarks.net_fidelity --datasets pc1 --budget 10   # smoke
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd

from benchmarks.search_cells import (
    add_cell_arguments,
    held_out_auc,
    print_means,
    print_wins,
    run_cells,
)
from benchmarks.suites import load_suite, resolve_datasets

#: The full resource: the mlp family's epoch cap, and every ``bayes`` configuration's.
MAX_EPOCHS = 200
#: The smallest rung (about MAX_EPOCHS / 27, Hyperband's three halvings at eta = 3).
MIN_EPOCHS = 8
STRATEGIES = ("bayes", "hyperband", "bohb")


def make_net(seed: int, n_rows: int) -> Any:
    """The mlp family's net at its defaults (one torch thread; trials run in parallel)."""
    from automl.models.base import ModelContext
    from automl.models.mlp import _PATIENCE, mlp_default
    from automl.nets import TabularNetClassifier

    defaults = mlp_default(ModelContext(n_rows=n_rows, n_features=1, task="binary"))
    return TabularNetClassifier(
        **defaults, max_epochs=MAX_EPOCHS, patience=_PATIENCE, n_threads=1, random_state=seed
    )


def space() -> dict[str, Any]:
    """The mlp family's classification search space."""
    from automl.models.base import ModelContext
    from automl.models.mlp import mlp_space

    return dict(mlp_space(ModelContext(n_rows=1000, n_features=1, task="binary")))


def search_and_score(
    net: Any,
    grid: dict[str, Any],
    strategy: str,
    cell: tuple,
    args: argparse.Namespace,
    **options: Any,
) -> tuple[float, float, int]:
    """Tune ``net`` over ``grid`` on a cell: best CV ROC AUC, held-out ROC AUC, trials."""
    from automl import SearchCV

    X_train, X_test, y_train, y_test, cv = cell
    found = SearchCV(
        net,
        grid,
        search=strategy,
        time_budget=args.budget,
        scoring="roc_auc",
        cv=cv,
        n_jobs=args.n_jobs,
        random_state=args.seed,
        **options,
    ).fit(X_train, y_train)
    test = held_out_auc(y_test, found.predict_proba(X_test), found.classes_)
    return found.best_score_, test, found.n_trials_


def tune(strategy: str, cell: tuple, args: argparse.Namespace) -> tuple[float, float, int]:
    """Best CV score, held-out ROC AUC and trials of one search on one dataset's cell."""
    options: dict[str, Any] = {}
    if strategy != "bayes":
        options = dict(resource="max_epochs", min_resources=MIN_EPOCHS, max_resources=MAX_EPOCHS)
    net = make_net(args.seed, len(cell[0]))
    return search_and_score(net, space(), strategy, cell, args, **options)


def default_datasets() -> list[str]:
    """The imbalanced suite's tables found in the data folder."""
    return [spec.name for spec, _ in resolve_datasets(load_suite("imbalanced"))]


def run(args: argparse.Namespace) -> pd.DataFrame:
    return run_cells("strategy", args.strategies, tune, args, args.datasets or default_datasets())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    add_cell_arguments(parser, budget=60.0)
    parser.add_argument("--out", default=None, help="write the per-dataset rows to this CSV")
    args = parser.parse_args(argv)
    results = run(args)
    print_means(results, "strategy")
    print_wins(results, "strategy", "bayes", ("hyperband", "bohb"))
    if args.out:
        results.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
