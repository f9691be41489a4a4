"""The CV gap on grouped rows: ``cv_score_`` against held-out groups, with and without groups.

Rows come in groups (a customer, a patient) of near-duplicates. Without ``groups``
a row's near-twins sit in the training part of its fold and the CV score is
optimistic; with ``groups`` the folds keep each group together and the estimate
matches the score on groups never seen.

Run from the repository root: ``python -m benchmarks.experiment_groups [--budget 30]``.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from automl import AutoMLClassifier


def grouped_data(
    n_groups: int = 200, per_group: int = 5, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Groups of near-duplicate rows whose label follows a noisy linear signal."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, 6))
    labels = (centres @ rng.normal(size=6) + rng.normal(scale=2.0, size=n_groups) > 0).astype(int)
    groups = np.repeat(np.arange(n_groups), per_group)
    X = pd.DataFrame(centres[groups] + rng.normal(scale=0.05, size=(len(groups), 6)))
    X.columns = [f"f{i}" for i in range(6)]
    return X, labels[groups], groups


def main(argv: list[str] | None = None) -> None:
    """Print the CV estimate and the held-out score with and without groups."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    X, y, groups = grouped_data(seed=args.seed)
    train = groups < 150  # the last 50 groups are held out
    for with_groups in (True, False):
        clf = AutoMLClassifier(time_budget=args.budget, random_state=args.seed)
        clf.fit(X[train], y[train], groups=groups[train] if with_groups else None)
        test = clf.evaluate(X[~train], y[~train])["roc_auc"]
        print(
            f"groups={with_groups!s:5}  cv_score_ {clf.cv_score_:.3f}  held-out groups "
            f"{test:.3f}  cv - test {clf.cv_score_ - test:+.3f}"
        )


if __name__ == "__main__":
    main()
