"""Tune a small PyTorch net on a bundled dataset: learning rate, batch size, epochs and width.

The net is an ordinary ``torch.nn.Module``; :class:`automl.nets.TorchClassifier`
builds it as ``MLP(n_features, n_classes, **module__params)`` and trains it with
early stopping, so any scikit-learn tool takes it. The net sits in a pipeline that
scales the features within each fold; :class:`automl.SearchCV` tunes it with grid,
random, Bayesian and Hyperband search at the same time budget, and the script prints
the four results (best CV ROC AUC, held-out ROC AUC, trials) beside the untuned net.

``SPACE`` is the search space over the pipeline's parameters (nested names, as
``set_params`` takes them): ``lr``, ``batch_size``, ``max_epochs`` (the resource of a
multi-fidelity search) and the module's own ``hidden`` width.

Run from the repository root: ``python examples/tune_torch_net.py [SECONDS]`` (each
search gets SECONDS, 30 by default).
"""

from __future__ import annotations

import time

from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from automl import Categorical, Integer, Real, SearchCV
from automl.nets import TorchClassifier


class MLP(nn.Module):
    """Two hidden layers of ``hidden`` units with dropout; one logit per class."""

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

    def forward(self, x):
        return self.layers(x)


#: What a search tunes, by the pipeline's nested parameter names.
SPACE = {
    "torchclassifier__lr": Real(1e-4, 1e-1, log=True),
    "torchclassifier__batch_size": Categorical([32, 64, 128]),
    "torchclassifier__max_epochs": Integer(2, 50),
    "torchclassifier__module__hidden": Integer(16, 512, log=True),
}


def make_net(random_state: int = 0) -> Pipeline:
    """Scaling, then the net (the scaler is fitted inside each training fold).

    One torch thread: a net this small trains faster on one core than split across
    several, and parallel trials or folds each get their own.
    """
    net = TorchClassifier(MLP, n_threads=1, random_state=random_state)
    return make_pipeline(StandardScaler(), net)


def search(strategy: str, budget: float) -> SearchCV:
    """A search of ``strategy`` over :data:`SPACE`, for ``budget`` seconds.

    Grid search needs a number of points on each range; Hyperband treats
    ``max_epochs`` as its resource (2 to 50 epochs) instead of searching it.
    """
    space = dict(SPACE)
    options: dict = {}
    if strategy == "grid":
        space = {
            "torchclassifier__lr": Real(1e-4, 1e-1, log=True, n_points=4),
            "torchclassifier__batch_size": Categorical([32, 128]),
            "torchclassifier__max_epochs": Categorical([10, 40]),
            "torchclassifier__module__hidden": Categorical([32, 256]),
        }
    elif strategy == "hyperband":
        del space["torchclassifier__max_epochs"]
        options = dict(resource="torchclassifier__max_epochs", min_resources=2, max_resources=50)
    return SearchCV(
        make_net(),
        space,
        search=strategy,
        time_budget=budget,
        scoring="roc_auc",
        cv=5,
        n_jobs=-1,
        random_state=0,
        **options,
    )


def main(budget: float = 30.0) -> None:
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    print(f"breast cancer: {len(y_train)} training rows, {len(y_test)} test rows")
    print(f"{'search':<10} {'CV AUC':>7} {'test AUC':>8} {'trials':>6} {'seconds':>8}")
    start = time.perf_counter()
    untuned = make_net().fit(X_train, y_train)
    cv_auc = cross_val_score(make_net(), X_train, y_train, cv=cv, scoring="roc_auc").mean()
    test_auc = roc_auc_score(y_test, untuned.predict_proba(X_test)[:, 1])
    wall = time.perf_counter() - start
    print(f"{'untuned':<10} {cv_auc:7.4f} {test_auc:8.4f} {1:6d} {wall:8.1f}")
    for strategy in ("grid", "random", "bayes", "hyperband"):
        start = time.perf_counter()
        found = search(strategy, budget).fit(X_train, y_train)
        test_auc = roc_auc_score(y_test, found.predict_proba(X_test)[:, 1])
        seconds = time.perf_counter() - start
        print(
            f"{strategy:<10} {found.best_score_:7.4f} {test_auc:8.4f} "
            f"{found.n_trials_:6d} {seconds:8.1f}"
        )


if __name__ == "__main__":
    import sys

    main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0)
