"""The demo: fit on a bundled dataset, print the leaderboard and the held-out score.

Run ``python -m automl.demo [--budget SECONDS]``. The default dataset is
scikit-learn's breast cancer data (bundled with scikit-learn, no download).
"""

from __future__ import annotations

import argparse
import time

from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import train_test_split

DATASETS = {"breast_cancer": load_breast_cancer, "wine": load_wine}


def main(argv: list[str] | None = None) -> int:
    """Fit, print the leaderboard head and the test scores; returns an exit code."""
    from . import AutoMLClassifier

    parser = argparse.ArgumentParser(
        prog="python -m automl.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="breast_cancer")
    parser.add_argument("--budget", type=float, default=60.0, help="time budget in seconds")
    parser.add_argument("--metric", default="roc_auc")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)

    X, y = DATASETS[args.dataset](return_X_y=True, as_frame=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    clf = AutoMLClassifier(
        time_budget=args.budget,
        metric=args.metric,
        random_state=args.seed,
        verbose=0 if args.quiet else 1,
    )
    start = time.monotonic()
    clf.fit(X_train, y_train)
    wall = time.monotonic() - start
    cols = ["trial", "family", "status", f"{clf.metric_}_mean", f"{clf.metric_}_std", "duration"]
    print(f"\nLeaderboard ({len(clf.leaderboard_)} trials, top 10):")
    print(clf.leaderboard_[cols].head(10).to_string(index=False))
    print(
        f"\nFinal model: {len(clf.ensemble_)} member(s) "
        + ", ".join(f"trial {m['trial']} x{m['weight']:.2f}" for m in clf.ensemble_)
    )
    print(f"CV {clf.metric_}: {clf.cv_score_:.4f}")
    scores = clf.evaluate(X_test, y_test)
    print("Test scores: " + ", ".join(f"{k}={v:.4f}" for k, v in scores.items()))
    print(f"Fit wall time: {wall:.1f}s for a {args.budget:.0f}s budget ({wall / args.budget:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
