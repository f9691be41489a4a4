"""The benchmark record format: one JSON object per cell, appended to a JSONL file.

The benchmark harness (``benchmarks/`` in the source checkout, not installed)
writes records through this module and the batch report
(:mod:`automl.report.results`) reads them through it, so the format is defined
here only.

The record schema (every key always present; ``None`` where unknown)::

    dataset, suite, task, system, system_version, seed, budget, metric,
    status ("ok" | "failed" | "timeout"), error,
    scores {name: value for every name of score_names(task)},
    score_se, cv_score, fit_time, predict_time, peak_memory_mb, budget_ratio, n_trials,
    n_rows, n_features, n_classes, minority_share, timestamp

``task`` is "classification" or "regression"; files written before it existed
lack it (or hold null), and :func:`record_task` reads them as classification.
The scores of a record are the names of :func:`automl.metrics.reported` for
its task: ``automl.metrics.REPORTED`` for classification,
``automl.metrics.REPORTED_REGRESSION`` (``rmse, mae, r2, mape, rmsle,
median_ae``) for regression, each computed by the metric's function in
:data:`automl.metrics.METRICS`. ``n_classes`` and ``minority_share`` are null for
regression. ``n_trials`` is the number of pipelines the system tried (automl;
null for systems that do not say). ``metric`` is the metric the system
optimised and ``cv_score`` its own estimate of it, in the metric's units (an
RMSE is positive).

A score that cannot be computed (and every score of a cell that is not ok) is
``null``. ``score_se`` is the bootstrap standard deviation of the test score of
``metric`` (null in files written before it existed). ``timestamp`` is UTC ISO
8601. Lines are flushed and fsync'ed one at a time, so a killed run leaves at
most one truncated last line, which readers skip.

A cell is identified by :data:`KEY_FIELDS`; a file may hold several records of
one cell (a rerun), of which :func:`latest` keeps the last ok one.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..metrics import reported

__all__ = [
    "FIELDS",
    "KEY_FIELDS",
    "STATUSES",
    "TASKS",
    "Key",
    "append_record",
    "clean",
    "done_keys",
    "latest",
    "new_record",
    "now",
    "read_records",
    "record_key",
    "record_task",
    "score_names",
]

#: The values of a record's ``status``.
STATUSES = ("ok", "failed", "timeout")
#: The values of a record's ``task``.
TASKS = ("classification", "regression")
#: Every key of a record, in the order they are written.
FIELDS = (
    "dataset",
    "suite",
    "task",
    "system",
    "system_version",
    "seed",
    "budget",
    "metric",
    "status",
    "error",
    "scores",
    "score_se",
    "cv_score",
    "fit_time",
    "predict_time",
    "peak_memory_mb",
    "budget_ratio",
    "n_trials",
    "n_rows",
    "n_features",
    "n_classes",
    "minority_share",
    "timestamp",
)
#: The fields that identify a cell: a rerun skips a key already recorded as ok.
KEY_FIELDS = ("dataset", "system", "seed", "budget", "metric")

#: The value of :func:`record_key`: dataset, system, seed, budget, metric.
Key = tuple[str, str, int, float, str]


def now() -> str:
    """The current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_task(record: Mapping[str, Any]) -> str:
    """The task of a record: its ``task``, or "classification" for files older than the field."""
    return str(record.get("task") or "classification")


def score_names(task: str | None = None) -> tuple[str, ...]:
    """The names of a record's ``scores`` for ``task`` (None: classification).

    Raises
    ------
    ValueError
        For a task not in :data:`TASKS`.
    """
    task = task or "classification"
    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}; got {task!r}.")
    return tuple(reported(task))


def new_record(**fields: Any) -> dict[str, Any]:
    """A record with every schema field, ``None`` (scores: all ``None``) unless given.

    The score names follow the ``task`` field (see :func:`score_names`).

    Raises
    ------
    KeyError
        For a field that is not in the schema.
    """
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise KeyError(f"Not result fields: {sorted(unknown)}; the schema is {FIELDS}.")
    record: dict[str, Any] = dict.fromkeys(FIELDS)
    record["scores"] = dict.fromkeys(score_names(fields.get("task")))
    record["timestamp"] = now()
    record.update(fields)
    return record


def clean(value: Any) -> Any:
    """NaN and infinities to ``None`` (JSON has no NaN), recursively; numpy scalars to Python."""
    if isinstance(value, Mapping):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def record_key(record: Mapping[str, Any]) -> Key:
    """The identity of a cell: dataset, system, seed, budget, metric (absent budget: -1)."""
    budget = record.get("budget")
    return (
        str(record.get("dataset")),
        str(record.get("system")),
        int(record.get("seed") or 0),
        -1.0 if budget is None else float(budget),
        str(record.get("metric")),
    )


def append_record(path: str | os.PathLike[str], record: Mapping[str, Any]) -> None:
    """Append one record as a JSON line; flushed and fsync'ed before returning."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(clean(record), allow_nan=False, sort_keys=False)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(line + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def read_records(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Every record of a JSONL file (none if missing); bad lines are skipped with a warning."""
    path = Path(path)
    if not path.exists():
        return []
    records = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                warnings.warn(
                    f"{path}:{number}: skipped a line that is not JSON (truncated write?)",
                    stacklevel=2,
                )
    return records


def done_keys(records: Iterable[Mapping[str, Any]]) -> set[Key]:
    """Keys of the cells recorded with status ok."""
    return {record_key(r) for r in records if r.get("status") == "ok"}


def latest(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One record per cell: the last ok one, else the last one (file order)."""
    chosen: dict[Key, dict[str, Any]] = {}
    for r in records:
        key = record_key(r)
        if r.get("status") == "ok" or chosen.get(key, {}).get("status") != "ok":
            chosen[key] = dict(r)
    return list(chosen.values())
