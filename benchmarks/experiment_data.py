"""Data sets and out-of-fold predictions for the offline experiments (``experiment_*.py``).

The experiments behind design choices of :mod:`automl` read small imbalanced binary
data sets: the CSV files of the shared data folder when it is there (target in the
column ``target``, else the last column; numeric columns only), otherwise data made
by :func:`sklearn.datasets.make_classification` with skewed class weights. Each
experiment fits a few plain scikit-learn models once, by 5-fold cross-validation,
and then studies many random halvings of their out-of-fold predictions: decide on
one half, score on the other. No search runs, so a whole experiment takes a minute
or two.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit, cross_val_predict
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

#: The shared data folder beside the repository.
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"
#: Small imbalanced binary CSVs of the shared folder (2 % to 16 % positives).
DEFAULT_CSV = ("pc1", "pc3", "pc4", "kc1", "ozone_level_8hr", "wilt", "yeast_me2", "oil_spill")
#: Synthetic stand-ins when there is no data folder: (rows, positive share, class_sep).
SYNTHETIC = {
    "synth_600_10pc": (600, 0.10, 0.8),
    "synth_1000_5pc": (1000, 0.05, 1.0),
    "synth_1500_8pc": (1500, 0.08, 0.6),
    "synth_800_15pc": (800, 0.15, 0.7),
    "synth_2000_3pc": (2000, 0.03, 1.2),
    "synth_1200_12pc": (1200, 0.12, 0.5),
}

Dataset = tuple[str, np.ndarray, np.ndarray]


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    """The options every experiment shares."""
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument(
        "--datasets", nargs="+", default=list(DEFAULT_CSV), help="CSV names in --data-dir"
    )
    parser.add_argument(
        "--synthetic", action="store_true", help="use generated data even if --data-dir exists"
    )
    parser.add_argument("--max-rows", type=int, default=5000, help="subsample larger data sets")
    parser.add_argument("--resamples", type=int, default=50, help="random halvings per data set")
    parser.add_argument("--seed", type=int, default=0)


def load_datasets(args: argparse.Namespace) -> list[Dataset]:
    """``(name, X, y)`` per data set: binary, 1 = the minority class, numeric features."""
    if args.synthetic or not args.data_dir.is_dir():
        why = "--synthetic" if args.synthetic else f"no folder {args.data_dir}"
        print(f"data: synthetic ({why})")
        return [_synthetic(name, *spec) for name, spec in SYNTHETIC.items()]
    print(f"data: CSV files in {args.data_dir}")
    out = []
    for name in args.datasets:
        path = args.data_dir / f"{name}.csv"
        if not path.exists():
            print(f"  skipped {name}: no {path.name}")
            continue
        frame = pd.read_csv(path)
        target = "target" if "target" in frame.columns else frame.columns[-1]
        labels = frame.pop(target)
        if labels.nunique() != 2:
            print(f"  skipped {name}: not binary")
            continue
        counts = labels.value_counts()
        y = (labels == counts.index[-1]).to_numpy(dtype=int)  # 1 = the minority class
        X = frame.select_dtypes("number").to_numpy(dtype=float)
        out.append(_subsample(name, X, y, args.max_rows, args.seed))
    return out


def _synthetic(name: str, n: int, positive: float, sep: float) -> Dataset:
    X, y = make_classification(
        n_samples=n,
        n_features=10,
        n_informative=4,
        weights=[1 - positive, positive],
        flip_y=0.02,
        class_sep=sep,
        random_state=n,
    )
    return name, X, y


def _subsample(name: str, X: np.ndarray, y: np.ndarray, max_rows: int, seed: int) -> Dataset:
    if len(y) <= max_rows:
        return name, X, y
    keep, _ = next(StratifiedShuffleSplit(1, train_size=max_rows, random_state=seed).split(X, y))
    return name, X[keep], y[keep]


def models(seed: int) -> dict[str, object]:
    """Plain, quick models of different kinds (missing values imputed, scaled where needed)."""

    def imputed(*steps: object) -> object:
        return make_pipeline(SimpleImputer(strategy="median"), *steps)

    return {
        "logreg": imputed(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000)),
        "hist_gb": HistGradientBoostingClassifier(max_iter=100, random_state=seed),
        "forest": imputed(RandomForestClassifier(100, min_samples_leaf=2, random_state=seed)),
        "knn": imputed(StandardScaler(), KNeighborsClassifier(25)),
        "naive_bayes": imputed(GaussianNB()),
    }


def oof_predictions(
    X: np.ndarray, y: np.ndarray, names: list[str], seed: int
) -> dict[str, np.ndarray]:
    """Out-of-fold class probabilities of each named model (5 stratified folds)."""
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    zoo = models(seed)
    # one thread: OpenMP spinning on small data is slower, and badly so on shared cores
    with threadpool_limits(limits=1):
        return {
            name: cross_val_predict(clone(zoo[name]), X, y, cv=folds, method="predict_proba")
            for name in names
        }


def halves(y: np.ndarray, n: int, seed: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``n`` stratified random halvings of the rows: (decide on, score on)."""
    return StratifiedShuffleSplit(n, test_size=0.5, random_state=seed).split(np.zeros(len(y)), y)


def report(title: str, rows: list[tuple[str, int, int, np.ndarray, np.ndarray]]) -> None:
    """Print per data set and overall the mean held-out F1 of two methods ``"a vs b"``,
    and how often b beat a and lost to it over the halvings (the rest are ties).

    ``rows`` holds ``(name, n_rows, n_positives, f1_a, f1_b)`` with one F1 per halving.
    """
    a_name, b_name = title.split(" vs ")
    print(f"\nheld-out F1, mean over halvings: {title}")
    print(
        f"{'data set':<18}{'rows':>6}{'pos':>5}{a_name:>14}{b_name:>14}{'b - a':>9}"
        f"{'b > a':>7}{'b < a':>7}"
    )
    diffs = []
    for name, n, pos, f1_a, f1_b in rows:
        diffs.append(float(np.mean(f1_b - f1_a)))
        print(
            f"{name:<18}{n:>6}{pos:>5}{np.mean(f1_a):>14.4f}{np.mean(f1_b):>14.4f}"
            f"{diffs[-1]:>+9.4f}{np.mean(f1_b > f1_a):>7.0%}{np.mean(f1_b < f1_a):>7.0%}"
        )
    mean_a = np.mean([np.mean(r[3]) for r in rows])
    mean_b = np.mean([np.mean(r[4]) for r in rows])
    better = sum(d > 0 for d in diffs)
    print(
        f"{'mean':<29}{mean_a:>14.4f}{mean_b:>14.4f}{np.mean(diffs):>+9.4f}"
        f"   ({b_name} better on {better} of {len(rows)} data sets)"
    )
