"""One benchmark cell (dataset x system x seed), run in its own process.

``python -m benchmarks.cell TASK.json RESULT.json`` reads a task, runs it and
writes the result fields as JSON. The runner starts one such process per cell,
so a crash, a hang or a memory blow-up ends only that cell.

How every system is scored, identically, on the test split:

* labels are encoded in ``np.unique`` order of the *whole* dataset's target; the
  binary positive class is the minority class (label 1 in the shared CSVs);
* probability metrics (``roc_auc``, ``average_precision``, ``log_loss``) read the
  system's ``predict_proba``, its columns moved from the system's ``classes_``
  order to the encoded order (a class the system never saw gets probability 0);
* label metrics (``f1``, ``balanced_accuracy``, ``accuracy``, ``mcc``,
  ``precision``, ``recall``) read the system's own ``predict``, so a system
  that tunes its decision threshold is scored with that threshold;
* each value is ``automl.metrics.METRICS[name].fn(y, proba, labels, pos_index)``;
  one that cannot be computed is recorded as null;
* ``score_se`` is the bootstrap standard deviation of the test score of the run's
  metric: the sampling noise of that score, against which a difference between
  systems, or between a system's CV estimate and its test score, can be read.

A regression cell (the dataset's task) scores the system's ``predict`` with
every metric of ``automl.metrics.REPORTED_REGRESSION`` (``rmse, mae, r2, mape,
rmsle, median_ae``), each ``METRICS[name].fn(y, pred, pred, 0)``, null where it
cannot be computed; its ``score_se`` is the bootstrap standard deviation of the
run's metric.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any, cast

import numpy as np

from automl.metrics import REPORTED, REPORTED_REGRESSION, bootstrap_std, get_metric
from automl.report.records import clean

from .datasets import Dataset, DatasetSpec, load_dataset, positive_index, split
from .systems import BenchSystem, System, get_system


def _peak_memory_mb() -> float | None:
    """Peak resident memory of this process (and its waited-for children), in MiB."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    peak = max(
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    )
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs KiB


def _encode(values: np.ndarray, classes: np.ndarray, what: str) -> np.ndarray:
    values = np.asarray(values)
    index = np.searchsorted(classes, values)
    index = np.clip(index, 0, len(classes) - 1)
    bad = classes[index] != values
    if np.any(bad):
        raise ValueError(
            f"The system's {what} holds labels not in the dataset: {np.unique(values[bad])[:5]}."
        )
    return index


def encode_predictions(
    y_true: np.ndarray,
    labels: np.ndarray,
    proba: np.ndarray,
    *,
    system_classes: np.ndarray,
    classes: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One system's test predictions in the shared encoding.

    Parameters
    ----------
    y_true : array of shape (n,)
        True test labels (original values).
    labels : array of shape (n,)
        The system's ``predict`` output (original values).
    proba : array of shape (n, len(system_classes))
        The system's ``predict_proba`` output.
    system_classes : array
        The column order of ``proba`` (the system's ``classes_``).
    classes : array
        Sorted labels of the whole dataset; defines the encoding.

    Returns
    -------
    y, proba, predicted : ndarray
        Encoded true labels, probabilities with one column per class of
        ``classes`` (a class the system never saw gets 0), encoded predictions.
    """
    classes = np.asarray(classes)
    proba = np.asarray(proba, dtype=float)
    columns = _encode(np.asarray(system_classes), classes, "classes_")
    full = np.zeros((len(proba), len(classes)))
    full[:, columns] = proba
    y = _encode(y_true, classes, "test target")
    predicted = _encode(labels, classes, "predict output")
    return y, full, predicted


def score_predictions(
    y: np.ndarray, proba: np.ndarray, predicted: np.ndarray, *, pos_index: int
) -> dict[str, float | None]:
    """Every reported metric of encoded test predictions (see :func:`encode_predictions`).

    Returns
    -------
    dict
        ``{name: value}`` for every name in ``automl.metrics.REPORTED``; None when not computable.
    """
    return _scores(REPORTED, y, proba, predicted, pos_index)


def regression_scores(y: np.ndarray, pred: np.ndarray) -> dict[str, float | None]:
    """Every reported regression metric of test predictions ``pred`` of ``y``.

    Returns
    -------
    dict
        ``{name: value}`` for every name in ``automl.metrics.REPORTED_REGRESSION``;
        None when not computable (R² of a constant target, RMSLE of a target <= -1).
    """
    return _scores(REPORTED_REGRESSION, y, pred, pred, 0)


def _scores(
    names: tuple[str, ...], y: np.ndarray, values: np.ndarray, labels: np.ndarray, pos_index: int
) -> dict[str, float | None]:
    scores: dict[str, float | None] = {}
    for name in names:
        try:
            value = float(get_metric(name).fn(y, values, labels, pos_index))
        except ValueError:
            value = float("nan")
        scores[name] = value if np.isfinite(value) else None
    return scores


def _score_classifier(
    system: BenchSystem, dataset: Dataset, X_test: Any, y_test: Any, metric: str
) -> dict[str, Any]:
    """``scores``, ``score_se`` and ``predict_time`` of a fitted classification system."""
    start = time.perf_counter()
    proba = system.predict_proba(X_test)
    labels = system.predict(X_test)
    predict_time = time.perf_counter() - start
    y, proba, predicted = encode_predictions(
        y_test.to_numpy(),
        labels,
        proba,
        system_classes=np.asarray(system.classes_),
        classes=np.unique(dataset.y.to_numpy()),
    )
    pos_index = positive_index(dataset.y.to_numpy())
    return {
        "predict_time": predict_time,
        "scores": score_predictions(y, proba, predicted, pos_index=pos_index),
        "score_se": bootstrap_std(metric, y, proba, predicted, pos_index=pos_index),
    }


def _score_regressor(system: System, X_test: Any, y_test: Any, metric: str) -> dict[str, Any]:
    """``scores``, ``score_se`` and ``predict_time`` of a fitted regression system."""
    start = time.perf_counter()
    pred = np.asarray(system.predict(X_test), dtype=np.float64)
    predict_time = time.perf_counter() - start
    y = y_test.to_numpy(dtype=np.float64)
    return {
        "predict_time": predict_time,
        "scores": regression_scores(y, pred),
        "score_se": bootstrap_std(metric, y, pred, pred, pos_index=0),
    }


def run_cell(task: dict[str, Any]) -> dict[str, Any]:
    """Run one cell in this process and return the fields it measured.

    Parameters
    ----------
    task : dict
        ``dataset`` (a :class:`DatasetSpec` as dict, whose ``task`` picks the
        system and the scores), ``system``, ``seed``, ``budget``, ``metric`` and
        optionally ``data_dir``.

    Returns
    -------
    dict
        ``status`` ("ok" or "failed"), ``error``, ``system_version``, ``scores``,
        ``score_se`` (bootstrap standard deviation of the test score of ``metric``),
        ``cv_score``, ``n_trials``, ``fit_time``, ``predict_time``, ``peak_memory_mb``.
        Exceptions are caught and reported as status "failed".
    """
    out: dict[str, Any] = {"status": "failed", "error": None}
    try:
        dataset = load_dataset(DatasetSpec(**task["dataset"]), task.get("data_dir"))
        X_train, X_test, y_train, y_test = split(dataset, int(task["seed"]))
        system = get_system(task["system"], dataset.task)
        out["system_version"] = system.version()
        start = time.perf_counter()
        system.fit(
            X_train,
            y_train,
            budget=float(task["budget"]),
            seed=int(task["seed"]),
            metric=task["metric"],
        )
        out["fit_time"] = time.perf_counter() - start
        if dataset.task == "regression":
            out.update(_score_regressor(system, X_test, y_test, task["metric"]))
        else:
            classifier = cast(BenchSystem, system)
            out.update(_score_classifier(classifier, dataset, X_test, y_test, task["metric"]))
        out["cv_score"] = system.cv_score_
        out["n_trials"] = system.n_trials_
        out["status"] = "ok"
    except Exception as exc:  # a failing system must not stop the benchmark
        tb = traceback.format_exc(limit=-10)
        out["error"] = f"{type(exc).__name__}: {exc}\n{tb[-3000:]}"
    out["peak_memory_mb"] = _peak_memory_mb()
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point of the cell process: ``TASK.json RESULT.json``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m benchmarks.cell TASK.json RESULT.json", file=sys.stderr)
        return 2
    task = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = run_cell(task)
    tmp = Path(args[1] + ".tmp")
    tmp.write_text(json.dumps(clean(result)), encoding="utf-8")
    os.replace(tmp, args[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
