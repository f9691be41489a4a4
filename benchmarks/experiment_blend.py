"""Offline experiment: ensemble selection by the target metric vs by log loss.

For a label metric such as F1, :func:`automl.ensemble.greedy_selection` picks the blend
by log loss (a proper scoring rule) and the threshold is tuned afterwards; before, it
picked the blend by F1 at its best threshold, which chases noise when positives are
few. This script repeats that comparison with the library's own greedy selection: per
data set, a few plain models give out-of-fold probabilities, which are halved at random
many times; on one half the models are ranked, the blend is selected (by each rule) and
the F1 threshold tuned; the blend is scored on the other half at that threshold.

Run from the repository root (a minute or two)::

    python -m benchmarks.experiment_blend                     # CSVs of ../shared/datasets
    python -m benchmarks.experiment_blend --synthetic         # generated data
    python -m benchmarks.experiment_blend --models logreg hist_gb forest --resamples 100
"""

from __future__ import annotations

import argparse
from unittest import mock

import numpy as np
from sklearn.metrics import f1_score

from automl import ensemble
from automl.ensemble import blend, greedy_selection
from automl.thresholds import best_threshold_score, tune_threshold

from .experiment_data import add_data_arguments, halves, load_datasets, models, oof_predictions
from .experiment_data import report as print_report


def f1_at_best_threshold(y: np.ndarray, proba: np.ndarray, metric: str, pos_index: int) -> float:
    """The selection rule before log loss: the blend's F1 at its best threshold."""
    return best_threshold_score(y, proba[:, pos_index], "f1", pos_index=pos_index)


def held_out_f1(
    oof: dict[int, np.ndarray], y: np.ndarray, select_on: np.ndarray, score_on: np.ndarray
) -> tuple[float, float]:
    """Held-out F1 of the blend selected by F1 and of the one selected by log loss."""
    half = {k: p[select_on] for k, p in oof.items()}
    ranked = sorted(half, key=lambda k: -best_threshold_score(y[select_on], half[k][:, 1], "f1"))
    by_log_loss = greedy_selection(half, ranked, y[select_on], "f1", 1)
    with mock.patch.object(ensemble, "blend_score", f1_at_best_threshold):
        by_f1 = greedy_selection(half, ranked, y[select_on], "f1", 1)
    scores = []
    for weights in (by_f1, by_log_loss):
        threshold = tune_threshold(y[select_on], blend(half, weights)[:, 1], "f1")
        held_out = blend({k: oof[k][score_on] for k in weights}, weights)[:, 1]
        scores.append(f1_score(y[score_on], held_out >= threshold, zero_division=0))
    return scores[0], scores[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_arguments(parser)
    parser.add_argument("--models", nargs="+", default=sorted(models(0)), choices=sorted(models(0)))
    args = parser.parse_args(argv)
    rows = []
    for name, X, y in load_datasets(args):
        named = oof_predictions(X, y, args.models, args.seed)
        oof = {k: named[m] for k, m in enumerate(args.models)}
        pairs = [held_out_f1(oof, y, a, b) for a, b in halves(y, args.resamples, args.seed)]
        f1_sel, log_sel = (np.array(v) for v in zip(*pairs, strict=True))
        rows.append((name, len(y), int(y.sum()), f1_sel, log_sel))
    print(f"models: {', '.join(args.models)}; {args.resamples} halvings per data set")
    print_report("by F1 vs by log loss", rows)


if __name__ == "__main__":
    main()
