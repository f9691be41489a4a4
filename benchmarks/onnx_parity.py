"""ONNX export parity and throughput on the shared datasets (issue 19's acceptance check).

For each dataset: fit ``AutoMLClassifier`` with default settings at ``--budget``
seconds on the shared 75 % split, export it with ``export_onnx``, run the file in
onnxruntime on the held-out rows and print

- ``max_abs``: the largest |ONNX probability - ``predict_proba``|,
- ``labels``: the share of rows where ONNX ``label`` equals ``predict``,
- ``onnx_rows_s`` / ``native_rows_s``: batch throughput (rows per second, best of
  ``--repeats``) of onnxruntime and of ``predict_proba`` on the same rows, in the
  same run.

A dataset whose model cannot be exported prints the export error instead.

Run::

    python -m benchmarks.onnx_parity --datasets adult ecoli pc1 --budget 60
    python -m benchmarks.onnx_parity --datasets adult --final-model bag   # what bagging costs
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from automl import AutoMLClassifier
from automl.exceptions import ExportError
from automl.export import onnx_inputs
from benchmarks.datasets import DatasetSpec, load_dataset, split

DEFAULT_DATASETS = ("adult", "ecoli", "pc1", "glass", "mammography", "new_thyroid")


def _best_rate(run: Any, n_rows: int, repeats: int) -> float:
    """Rows per second of the fastest of ``repeats`` calls of ``run()``."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return n_rows / best


def check_dataset(
    name: str, budget: float, seed: int, repeats: int, data_dir: Any, final_model: str = "refit"
) -> dict:
    """Fit, export and compare on one dataset; one result row."""
    import onnxruntime as ort

    data = load_dataset(DatasetSpec(name, f"csv:{name}"), data_dir)
    X_train, X_test, y_train, _ = split(data, seed)
    clf = AutoMLClassifier(time_budget=budget, random_state=seed, final_model=final_model)
    clf.fit(X_train, y_train)
    row: dict[str, Any] = {
        "dataset": name,
        "final_model": clf.final_model_kind_,
        "rows": len(X_test),
        "classes": len(clf.classes_),
        "members": len(clf.ensemble_),
        "families": sorted(
            {clf.leaderboard_.set_index("trial").loc[m["trial"], "family"] for m in clf.ensemble_}
        ),
        "threshold": clf.threshold_,
    }
    # the native rate first, so a model that cannot be exported still reports it
    row["native_rows_s"] = _best_rate(lambda: clf.predict_proba(X_test), len(X_test), repeats)
    with tempfile.TemporaryDirectory() as folder:
        try:
            path = clf.export_onnx(str(Path(folder) / "model.onnx"))
        except ExportError as exc:
            return {**row, "error": str(exc)}
        session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed = onnx_inputs(clf, X_test)
    labels, proba = session.run(["label", "probabilities"], feed)
    expected = clf.predict_proba(X_test)
    row["max_abs"] = float(np.max(np.abs(proba - expected)))
    row["labels"] = float(np.mean(labels == clf.predict(X_test)))
    row["onnx_rows_s"] = _best_rate(lambda: session.run(None, feed), len(X_test), repeats)
    return row


def _print(row: dict) -> None:
    head = f"{row['dataset']:<14} rows={row['rows']:<6} classes={row['classes']} "
    head += f"members={row['members']} ({row['final_model']}) {'+'.join(row['families'])} "
    head += f"threshold={row['threshold']}"
    if "error" in row:
        native = f"native={row['native_rows_s']:,.0f} rows/s"
        print(f"{head}  {native}  EXPORT ERROR: {row['error']}", flush=True)
        return
    print(
        f"{head}  max_abs={row['max_abs']:.2e}  labels={row['labels']:.4f}  "
        f"onnx={row['onnx_rows_s']:,.0f} rows/s  native={row['native_rows_s']:,.0f} rows/s  "
        f"speed-up={row['onnx_rows_s'] / row['native_rows_s']:.1f}x",
        flush=True,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the check on each dataset and print one line per dataset."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=list(DEFAULT_DATASETS))
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per fit")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=5, help="timed calls; the best counts")
    parser.add_argument("--data-dir", default=None, help="CSV folder (default: shared)")
    parser.add_argument(
        "--final-model",
        default="refit",
        choices=("refit", "bag", "auto"),
        help="AutoMLClassifier's final_model: members refitted on all rows or bagged fold models",
    )
    args = parser.parse_args(argv)
    failures = 0
    for name in args.datasets:
        row = check_dataset(
            name, args.budget, args.seed, args.repeats, args.data_dir, args.final_model
        )
        _print(row)
        failures += "error" in row or row["max_abs"] > 1e-4 or row["labels"] < 1.0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
