"""Offline experiment: one best decision threshold vs the bagged threshold.

:func:`automl.thresholds.bagged_threshold` (the median of thresholds tuned on bootstrap
resamples) replaced :func:`automl.thresholds.tune_threshold` (the single best threshold)
for the final model, because with few positives the single best threshold jumps with a
handful of rows. This script repeats that comparison: per data set, a model's
out-of-fold probabilities are halved at random many times; each threshold is tuned for
F1 on one half and scored on the other.

Run from the repository root (a minute or two)::

    python -m benchmarks.experiment_threshold                 # CSVs of ../shared/datasets
    python -m benchmarks.experiment_threshold --synthetic     # generated data
    python -m benchmarks.experiment_threshold --model hist_gb --resamples 100
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.metrics import f1_score

from automl.thresholds import bagged_threshold, tune_threshold

from .experiment_data import add_data_arguments, halves, load_datasets, models, oof_predictions
from .experiment_data import report as print_report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--model", default="logreg", choices=sorted(models(0)))
    args = parser.parse_args(argv)
    rows = []
    for name, X, y in load_datasets(args):
        proba = oof_predictions(X, y, [args.model], args.seed)[args.model][:, 1]
        single, bagged = [], []
        for k, (tune_on, score_on) in enumerate(halves(y, args.resamples, args.seed)):
            t_single = tune_threshold(y[tune_on], proba[tune_on], "f1")
            t_bagged = bagged_threshold(y[tune_on], proba[tune_on], "f1", random_state=k)
            truth, p = y[score_on], proba[score_on]
            single.append(f1_score(truth, p >= t_single, zero_division=0))
            bagged.append(f1_score(truth, p >= t_bagged, zero_division=0))
        rows.append((name, len(y), int(y.sum()), np.array(single), np.array(bagged)))
    print(f"model: {args.model}, {args.resamples} halvings per data set, seed {args.seed}")
    print_report("single best vs bagged", rows)


if __name__ == "__main__":
    main()
