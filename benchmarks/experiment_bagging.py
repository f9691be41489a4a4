"""Offline experiment: the bagged fold models against the refit, as the final model.

Per data set and seed, the estimator is fitted twice at the same budget and seed on
the benchmark's training split, once with ``final_model="refit"`` (each member
refitted on all rows) and once with ``final_model="bag"`` (each member the average
of the fold models its cross-validation trained; see :mod:`automl.fold_models`),
and both are scored on the test split exactly as the benchmark cells score
(:mod:`benchmarks.cell`): ROC AUC and F1 for classification (F1 from ``predict``,
so with the tuned threshold), RMSE for regression. It prints both side by side, the
mean difference (bag - refit; for RMSE lower is better), what the bag run's final
model really was (``final_model_kind_``: "bagged", "mixed" or "refit"), each fit's
time over its budget, and the prediction time per 10,000 test rows (K fold models
cost about K times a refit's).

Run from the repository root, alone on the machine for meaningful fit times::

    AUTOML_DATA_DIR=../shared/datasets python -m benchmarks.experiment_bagging \\
        --suites shared regression --budget 60 --seeds 0

A 10-second smoke run on one small data set::

    python -m benchmarks.experiment_bagging --suites smoke --datasets breast_cancer \\
        --budget 10
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from automl import AutoMLClassifier, AutoMLRegressor

from .cell import encode_predictions, regression_scores, score_predictions
from .datasets import Dataset, load_dataset, positive_index, split
from .suites import load_suite, resolve_datasets

CHOICES = ("refit", "bag")


def _scores(est: Any, data: Dataset, X_te: Any, y_te: Any) -> dict[str, float | None]:
    """Test ROC AUC and F1 (classification) or RMSE (regression), and predict seconds."""
    start = time.perf_counter()
    if data.task == "regression":
        pred = np.asarray(est.predict(X_te), dtype=float)
        seconds = time.perf_counter() - start
        out = {"rmse": regression_scores(np.asarray(y_te, dtype=float), pred)["rmse"]}
    else:
        proba, labels = est.predict_proba(X_te), est.predict(X_te)
        seconds = time.perf_counter() - start
        y, full, predicted = encode_predictions(
            np.asarray(y_te),
            labels,
            proba,
            system_classes=np.asarray(est.classes_),
            classes=np.unique(data.y.to_numpy()),
        )
        scores = score_predictions(y, full, predicted, pos_index=positive_index(data.y))
        out = {"roc_auc": scores["roc_auc"], "f1": scores["f1"]}
    out["predict_s_per_10k"] = seconds * 10_000 / max(1, len(X_te))
    return out


def _fit(data: Dataset, choice: str, budget: float, seed: int, n_jobs: int) -> dict[str, Any]:
    X_tr, X_te, y_tr, y_te = split(data, seed)
    cls = AutoMLRegressor if data.task == "regression" else AutoMLClassifier
    est = cls(time_budget=budget, random_state=seed, n_jobs=n_jobs, final_model=choice)
    start = time.monotonic()
    est.fit(X_tr, y_tr)
    fit_time = time.monotonic() - start
    return {
        **_scores(est, data, X_te, y_te),
        "kind": est.final_model_kind_,
        "members": len(est.ensemble_),
        "fit/budget": fit_time / budget,
        "refit_s": est.timings_["refit"],
    }


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def _mean(values: list[float | None]) -> str:
    kept = [v for v in values if v is not None]
    return f"{np.mean(kept):+.4f} (n={len(kept)})" if kept else "n/a"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suites", nargs="+", default=["shared", "regression"])
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--datasets", nargs="*", help="only these data sets of the suites")
    parser.add_argument("--n-jobs", type=int, default=-1)
    args = parser.parse_args(argv)
    diffs: dict[str, list[float | None]] = {"roc_auc": [], "f1": [], "rmse": []}
    worst = 0.0
    for suite in args.suites:
        for spec, _ in resolve_datasets(load_suite(suite), only=args.datasets or None):
            data = load_dataset(spec)
            for seed in args.seeds:
                runs = {c: _fit(data, c, args.budget, seed, args.n_jobs) for c in CHOICES}
                refit, bag = runs["refit"], runs["bag"]
                metrics = ["rmse"] if data.task == "regression" else ["roc_auc", "f1"]
                line = {"dataset": spec.name, "seed": seed, "bag kind": bag["kind"]}
                for m in metrics:
                    line[f"{m} refit"], line[f"{m} bag"] = refit[m], bag[m]
                    diffs[m].append(_diff(refit[m], bag[m]))
                for key in ("members", "fit/budget", "refit_s", "predict_s_per_10k"):
                    line[f"{key} refit/bag"] = (round(refit[key], 3), round(bag[key], 3))
                worst = max(worst, refit["fit/budget"], bag["fit/budget"])
                print(line, flush=True)
    print("mean difference bag - refit (RMSE: lower is better):")
    for m, values in diffs.items():
        if values:
            print(f"  {m}: {_mean(values)}")
    print(f"worst fit/budget: {worst:.3f}")


if __name__ == "__main__":
    main()
