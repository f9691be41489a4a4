"""Fit time of each family's default configuration, relative to logistic regression.

The ``cost`` hints of the model families (1.0 = a logistic regression) guide the
scheduler before anything was measured. This script fits every named family's
default pipeline (preprocessing included, as a trial fold would) on four fifths of
a few thousand-row datasets, one thread, no time limit, and prints seconds and
the ratio to ``logreg``: the figures behind the hints of ``lightgbm`` and
``catboost`` (GitHub issue 18).

Run::

    python -m benchmarks.booster_costs --datasets phoneme spambase abalone_7 \
        --families logreg hist_gb xgboost lightgbm catboost --repeats 2
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from automl.data import infer_schema, validate_fit_data
from automl.graph import PipelineGraph
from automl.models import ModelContext

from .datasets import DEFAULT_DATA_DIR


def fit_seconds(name: str, families: list[str], repeats: int) -> dict[str, float]:
    """Fastest of ``repeats`` default fits per family on four fifths of dataset ``name``."""
    import pandas as pd

    frame = pd.read_csv(DEFAULT_DATA_DIR / f"{name}.csv")
    y = frame.pop("target").to_numpy()
    X_fit, _, y_fit, _ = train_test_split(frame, y, train_size=0.8, stratify=y, random_state=0)
    X_fit, y_fit = validate_fit_data(X_fit, y_fit)
    schema = infer_schema(X_fit)
    n_classes = len(np.unique(y_fit))
    ctx = ModelContext(
        task="binary" if n_classes == 2 else "multiclass",
        n_classes=n_classes,
        n_rows=len(y_fit),
        n_features=X_fit.shape[1],
        n_threads=1,
        random_state=0,
        device="cpu",
    )
    graph = PipelineGraph.from_preset("default").with_families(families)
    seconds = {}
    for family in families:
        config = graph.default_config(family, ctx)
        runs = []
        for _ in range(repeats):
            pipe = graph.compile(config, schema, ctx)
            start = time.perf_counter()
            pipe.fit(X_fit, y_fit)
            runs.append(time.perf_counter() - start)
        seconds[family] = min(runs)
    return seconds


def main(argv: list[str] | None = None) -> None:
    """Print a table of fit seconds and ratios to logreg."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=["phoneme", "spambase", "abalone_7"])
    parser.add_argument(
        "--families", nargs="+", default=["logreg", "hist_gb", "xgboost", "lightgbm", "catboost"]
    )
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args(argv)
    families = list(dict.fromkeys(["logreg", *args.families]))
    print(f"{'dataset':<14}" + "".join(f"{f:>18}" for f in families))
    with threadpool_limits(limits=1):
        for name in args.datasets:
            seconds = fit_seconds(name, families, args.repeats)
            cells = [
                f"{seconds[f]:7.2f}s ({seconds[f] / seconds['logreg']:5.1f}x)" for f in families
            ]
            print(f"{name:<14}" + "".join(f"{c:>18}" for c in cells))


if __name__ == "__main__":
    main()
