"""Offline experiment: does a kept stack beat the blend of the same members on held-out rows?

The final model stacks its members (a linear level-2 model on their out-of-fold
predictions) only when nested cross-validation says the stack beats their greedy
blend (:mod:`automl.stacking`). This script checks that rule where it matters, on
rows no part of the fit saw: per data set it fits the classifier (or regressor)
once, and when the fit kept a stack, scores both the stack and the blend of the
very same refitted members on the test split (a paired comparison: same search,
same members). It also counts how often the stack was kept.

Run from the repository root, alone on the machine for meaningful fit times::

    AUTOML_DATA_DIR=../shared/datasets python -m benchmarks.experiment_stacking \\
        --suite shared --budget 60 --seed 0
"""

from __future__ import annotations

import argparse

import numpy as np

from automl import AutoMLClassifier, AutoMLRegressor
from automl.data import validate_predict_data
from automl.ensemble import EnsembleModel
from automl.metrics import score
from automl.stacking import StackedModel

from .datasets import load_dataset, split
from .suites import load_suite, resolve_datasets


def _paired(model: object, X: object, y: np.ndarray, metric: str, pos: int) -> dict[str, float]:
    """Test scores of the kept stack and of the blend of the same members."""
    assert isinstance(model, StackedModel)
    blend = EnsembleModel(
        [(m, 1.0) for m in model.members], model.n_classes, regression=model.regression
    )
    out = {}
    for name, m in (("stack", model), ("blend", blend)):
        pred = m.predict_matrix(X)
        if model.regression:
            out[name] = float(np.sqrt(np.mean((pred[:, 0] - y) ** 2)))
        else:
            out[name] = score(metric, y, pred, pos_index=pos)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", default="shared")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--datasets", nargs="*", help="only these data sets of the suite")
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args(argv)
    rows = []
    for spec, _ in resolve_datasets(load_suite(args.suite), only=args.datasets or None):
        data = load_dataset(spec)
        X_tr, X_te, y_tr, y_te = split(data, args.seed)
        regression = spec.task == "regression"
        est = (AutoMLRegressor if regression else AutoMLClassifier)(
            time_budget=args.budget, random_state=args.seed, n_jobs=args.n_jobs
        )
        est.fit(X_tr, y_tr)
        kept = isinstance(est.final_model_, StackedModel)
        line = {"dataset": spec.name, "members": len(est.ensemble_), "stacked": kept}
        if kept:
            X_val = validate_predict_data(X_te, est.schema_)
            y_enc = (
                np.asarray(y_te, dtype=float)
                if regression
                else np.searchsorted(est.classes_, np.asarray(y_te))
            )
            metric = "rmse" if regression else "roc_auc"
            pos = 0 if regression else est.pos_index_
            line.update(_paired(est.final_model_, X_val, y_enc, metric, pos))
        rows.append(line)
        print(line, flush=True)
    stacked = [r for r in rows if r["stacked"]]
    print(f"stack kept on {len(stacked)} of {len(rows)} data sets")
    if stacked:
        gains = [r["stack"] - r["blend"] for r in stacked]
        gain = float(np.mean(gains))
        print(f"mean test gain of stack over blend (AUC, or RMSE for regression): {gain:+.4f}")


if __name__ == "__main__":
    main()
