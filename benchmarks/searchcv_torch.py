"""A user's PyTorch MLP tuned by SearchCV: Hyperband against random search at equal time.

The module is an ordinary ``torch.nn.Module`` (two hidden layers, dropout), wrapped in
:class:`automl.nets.TorchClassifier` behind median imputation and standard scaling
(both fitted inside each training fold). Both searches tune the learning rate, the
batch size, the width and the dropout with the same budget, metric (ROC AUC) and
cross-validation folds. Hyperband grows ``max_epochs`` as its resource (successive
halving from 2 to 50 epochs). ``random`` is the baseline of the Hyperband paper (Li et
al., 2018) and of scikit-learn's ``RandomizedSearchCV`` against ``HalvingRandomSearchCV``:
every configuration trains with the full resource (up to 50 epochs, early stopping on
its inner validation split as always). ``random_epochs`` also draws ``max_epochs`` (2 to
50) as one more dimension, a stronger random search that explores cheap short fits.
Each search's best cross-validated score, the ROC AUC of its refitted model on the
held-out 25 %, its trials and its wall time are printed per dataset, then the means.

The default datasets are the tables of ``../shared/PEERS.md`` with at most
10,000 rows. Run it on an otherwise idle machine; it measures time::

    python -m benchmarks.searchcv_torch --budget 60
    python -m benchmarks.searchcv_torch --datasets pc1 --budget 10   # smoke
"""

from __future__ import annotations

import argparse
from typing import Any

import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from benchmarks.search_cells import add_cell_arguments, held_out_auc, print_means, run_cells

#: Tables of PEERS.md with at most 10,000 rows (winequality_red has six classes).
DEFAULT_DATASETS = (
    "abalone_19",
    "oil_spill",
    "ozone_level_8hr",
    "pc1",
    "us_crime",
    "wine_quality_white_le4",
    "winequality_red",
    "yeast_me2",
)
#: The full resource: Hyperband's top rung, and every ``random`` configuration's epochs.
MAX_EPOCHS = 50
STRATEGIES = ("hyperband", "random", "random_epochs")


class MLP(nn.Module):
    """The user's module: two hidden layers with dropout, one logit per class."""

    def __init__(self, n_features: int, n_classes: int, hidden: int = 64, dropout: float = 0.1):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, n_classes),
        )

    def forward(self, x: Any) -> Any:
        return self.layers(x)


def make_net(seed: int) -> Pipeline:
    """Imputation and scaling, then the net (one torch thread; trials run in parallel)."""
    from automl.nets import TorchClassifier

    net = TorchClassifier(MLP, max_epochs=MAX_EPOCHS, n_threads=1, random_state=seed)
    return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(), net)


def space(strategy: str) -> dict[str, Any]:
    """The searched parameters; ``random_epochs`` also draws the epochs Hyperband grows."""
    from automl import Categorical, Integer, Real

    searched: dict[str, Any] = {
        "torchclassifier__lr": Real(1e-4, 1e-1, log=True),
        "torchclassifier__batch_size": Categorical([32, 64, 128]),
        "torchclassifier__module__hidden": Integer(16, 512, log=True),
        "torchclassifier__module__dropout": Real(0.0, 0.5),
    }
    if strategy == "random_epochs":
        searched["torchclassifier__max_epochs"] = Integer(2, MAX_EPOCHS)
    return searched


def run_search(strategy: str, X: Any, y: Any, cv: Any, budget: float, n_jobs: int, seed: int):
    from automl import SearchCV

    options: dict[str, Any] = {}
    if strategy == "hyperband":
        options = dict(
            resource="torchclassifier__max_epochs", min_resources=2, max_resources=MAX_EPOCHS
        )
    search = SearchCV(
        make_net(seed),
        space(strategy),
        search="random" if strategy.startswith("random") else strategy,
        time_budget=budget,
        scoring="roc_auc",
        cv=cv,
        n_jobs=n_jobs,
        random_state=seed,
        **options,
    ).fit(X, y)
    return search


def tune(strategy: str, cell: tuple, args: argparse.Namespace) -> tuple[float, float, int]:
    """Best CV score, held-out ROC AUC and trials of one search on one dataset's cell."""
    X_train, X_test, y_train, y_test, cv = cell
    found = run_search(strategy, X_train, y_train, cv, args.budget, args.n_jobs, args.seed)
    test = held_out_auc(y_test, found.predict_proba(X_test), found.classes_)
    return found.best_score_, test, found.n_trials_


def run(args: argparse.Namespace) -> pd.DataFrame:
    return run_cells("strategy", args.strategies, tune, args, args.datasets)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_DATASETS))
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES), choices=STRATEGIES)
    add_cell_arguments(parser, budget=60.0)
    parser.add_argument("--out", default=None, help="write the per-dataset rows to this CSV")
    args = parser.parse_args(argv)
    results = run(args)
    print_means(results, "strategy")
    wide = results.pivot(index="dataset", columns="strategy", values="test_roc_auc")
    for other in ("random", "random_epochs"):
        if {"hyperband", other} <= set(wide.columns):
            better = int((wide["hyperband"] > wide[other]).sum())
            print(f"\nHyperband's test ROC AUC above {other}'s on {better} of {len(wide)} datasets")
    if args.out:
        results.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
