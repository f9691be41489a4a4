"""Acceptance experiment: tuning for a cost matrix against tuning for F1 and default XGBoost.

A missed positive costs ``--fn`` (default 50), a false alarm ``--fp`` (default 1). Per
data set of the suite (binary, few positives) three models are fitted on the same
training split and scored on the same test rows by the expected cost per row:

- ``cost``: ``AutoMLClassifier(metric=CostMatrix(fn, fp))``: the search ranks trials
  by expected cost and the threshold is tuned out of fold to the cheapest decision;
- ``f1``: the same search with ``metric="f1"`` (threshold tuned for F1);
- ``xgb@0.5``: a default XGBoost classifier at threshold 0.5.

Run from the repository root, alone on the machine::

    AUTOML_DATA_DIR=../shared/datasets python -m benchmarks.experiment_cost \\
        --suite imbalanced --budget 30 --seed 0
"""

from __future__ import annotations

import argparse

import numpy as np

from automl import AutoMLClassifier, CostMatrix

from .datasets import load_dataset, positive_index, split
from .prep import FrameEncoder
from .suites import load_suite, resolve_datasets


def expected_cost(
    y: np.ndarray, predicted: np.ndarray, positive: object, fn: float, fp: float
) -> float:
    """Mean cost per row of the decisions ``predicted`` against the truth ``y``."""
    pos_true = y == positive
    pos_pred = predicted == positive
    return float((fn * np.sum(pos_true & ~pos_pred) + fp * np.sum(~pos_true & pos_pred)) / len(y))


def _xgb_labels(X_tr, y_tr, X_te, positive, seed: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    from xgboost import XGBClassifier

    enc = FrameEncoder().fit(X_tr)
    model = XGBClassifier(random_state=seed, n_jobs=2, verbosity=0)
    target = (np.asarray(y_tr) == positive).astype(int)
    model.fit(enc.transform(X_tr), target)
    hit = model.predict_proba(enc.transform(X_te))[:, 1] >= 0.5
    negative = [c for c in np.unique(y_tr) if c != positive][0]
    return np.where(hit, positive, negative)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="imbalanced")
    parser.add_argument("--budget", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--fn", type=float, default=50.0)
    parser.add_argument("--fp", type=float, default=1.0)
    parser.add_argument("--datasets", nargs="*", help="only these data sets of the suite")
    args = parser.parse_args(argv)
    rows = []
    print(f"{'dataset':28s} {'cost':>9s} {'f1':>9s} {'xgb@0.5':>9s}  (expected cost per test row)")
    for spec, _ in resolve_datasets(load_suite(args.suite), only=args.datasets or None):
        X_tr, X_te, y_tr, y_te = split(load_dataset(spec), args.seed)
        positive = np.unique(y_tr)[positive_index(y_tr)]
        truth = np.asarray(y_te)
        line = {"dataset": spec.name}
        for name, metric in (("cost", CostMatrix(fn=args.fn, fp=args.fp)), ("f1", "f1")):
            clf = AutoMLClassifier(
                metric=metric, time_budget=args.budget, random_state=args.seed, pos_label=positive
            ).fit(X_tr, y_tr)
            line[name] = expected_cost(truth, clf.predict(X_te), positive, args.fn, args.fp)
        labels = _xgb_labels(X_tr, y_tr, X_te, positive, args.seed)
        line["xgb"] = expected_cost(truth, labels, positive, args.fn, args.fp)
        rows.append(line)
        print(
            f"{spec.name:28s} {line['cost']:9.4f} {line['f1']:9.4f} {line['xgb']:9.4f}", flush=True
        )
    if rows:
        for other in ("f1", "xgb"):
            wins = sum(r["cost"] < r[other] for r in rows)
            ties = sum(r["cost"] == r[other] for r in rows)
            ratio = np.mean([r["cost"] / r[other] for r in rows if r[other] > 0])
            print(
                f"cost vs {other}: lower on {wins} of {len(rows)} ({ties} ties); "
                f"mean ratio {ratio:.3f}"
            )


if __name__ == "__main__":
    main()
