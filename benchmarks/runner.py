"""Run benchmark cells, each in its own process, and append their records to JSONL.

A cell is one (dataset, system, seed) at a given budget and metric. Each runs as
``python -m benchmarks.cell`` with a hard wall-clock limit (default
``2 * budget + 60`` seconds); the whole process group is killed at the limit.
A crash, a non-zero exit or a timeout becomes a record with status "failed" or
"timeout" and the reason; the run goes on. Cells already recorded as ok in the
output file are skipped unless ``force`` is set, so an interrupted run resumes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automl.report.records import append_record, done_keys, new_record, read_records, record_key

from .datasets import REPO_ROOT, DatasetInfo, DatasetSpec

#: Environment variables that cap the threads of BLAS / OpenMP in each cell.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


@dataclass(frozen=True)
class Cell:
    """One unit of benchmark work."""

    dataset: DatasetSpec
    info: DatasetInfo
    suite: str
    system: str
    seed: int
    budget: float
    metric: str

    def base_record(self) -> dict[str, Any]:
        """A record with the cell's identity and dataset shape filled in."""
        return new_record(
            dataset=self.dataset.name,
            suite=self.suite,
            task=self.dataset.task,
            system=self.system,
            seed=int(self.seed),
            budget=float(self.budget),
            metric=self.metric,
            **self.info.to_dict(),
        )

    @property
    def key(self) -> tuple[str, str, int, float, str]:
        """See :func:`automl.report.records.record_key`."""
        return record_key(self.base_record())


def default_timeout(budget: float) -> float:
    """The hard limit of a cell: twice the budget plus a minute for start-up and prediction."""
    return 2.0 * budget + 60.0


def plan_cells(
    datasets: Iterable[tuple[DatasetSpec, DatasetInfo]],
    systems: Sequence[str],
    seeds: Sequence[int],
    *,
    suite: str,
    budget: float,
    metric: str,
) -> list[Cell]:
    """Every cell of a run, ordered dataset, then seed, then system."""
    return [
        Cell(spec, info, suite, system, int(seed), float(budget), metric)
        for spec, info in datasets
        for seed in seeds
        for system in systems
    ]


def _child_env(threads: int | None) -> dict[str, str]:
    env = dict(os.environ)
    path = [str(REPO_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(path)
    if threads is not None:
        env.update(dict.fromkeys(THREAD_VARIABLES, str(threads)))
    return env


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _tail(path: Path, chars: int = 2000) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")[-chars:].strip()
    except OSError:
        return ""


def run_cell_process(
    cell: Cell,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    threads: int | None = 1,
) -> dict[str, Any]:
    """Run one cell in a fresh Python process and return its full record.

    Parameters
    ----------
    cell : Cell
    data_dir : path, optional
        The CSV folder, passed to the cell.
    timeout : float, optional
        Hard wall-clock limit in seconds; default :func:`default_timeout`.
    threads : int or None
        Value of ``OMP_NUM_THREADS`` and friends in the cell; None leaves them alone.

    Returns
    -------
    dict
        A record following :data:`automl.report.records.FIELDS`.
    """
    limit = default_timeout(cell.budget) if timeout is None else float(timeout)
    record = cell.base_record()
    task = {
        "dataset": cell.dataset.to_dict(),
        "system": cell.system,
        "seed": cell.seed,
        "budget": cell.budget,
        "metric": cell.metric,
        "data_dir": None if data_dir is None else str(Path(data_dir).resolve()),
    }
    with tempfile.TemporaryDirectory(prefix="automl-bench-") as tmp:
        task_path, result_path, log_path = (
            Path(tmp) / n for n in ("task.json", "result.json", "log.txt")
        )
        task_path.write_text(json.dumps(task), encoding="utf-8")
        command = [sys.executable, "-m", "benchmarks.cell", str(task_path), str(result_path)]
        start = time.perf_counter()
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                env=_child_env(threads),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                proc.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                record.update(
                    status="timeout",
                    error=f"killed at the hard limit of {limit:.0f} s "
                    f"({time.perf_counter() - start:.0f} s after start)",
                )
                return record
            except BaseException:  # Ctrl-C: take the cell down with us
                _kill_group(proc)
                raise
        if result_path.exists():
            result = json.loads(result_path.read_text(encoding="utf-8"))
            record.update({k: v for k, v in result.items() if k in record and v is not None})
            record["error"] = result.get("error")
        else:
            record.update(
                status="failed",
                error=f"the cell process exited with code {proc.returncode} and no result; "
                f"output tail:\n{_tail(log_path)}",
            )
    if record["status"] == "ok" and record["fit_time"] is not None and cell.budget > 0:
        record["budget_ratio"] = record["fit_time"] / cell.budget
    return record


def run_cells(
    cells: Sequence[Cell],
    out_path: str | os.PathLike[str],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    timeout: float | None = None,
    threads: int | None = 1,
    force: bool = False,
    on_result: Callable[[int, int, dict[str, Any], bool], None] | None = None,
) -> list[dict[str, Any]]:
    """Run cells one after another, appending each record to ``out_path`` as it ends.

    Parameters
    ----------
    cells : sequence of Cell
    out_path : path
        The JSONL file (created with its folder if missing).
    data_dir, timeout, threads
        See :func:`run_cell_process`.
    force : bool
        Rerun cells already recorded as ok (the new record is appended; readers use the last).
    on_result : callable, optional
        ``on_result(index, total, record, skipped)`` after each cell, for progress output.

    Returns
    -------
    list of dict
        One record per cell, in order: the new one, or for a skipped cell the
        last ok record from the file.
    """
    existing = read_records(out_path)
    done = set() if force else done_keys(existing)
    last_ok = {record_key(r): r for r in existing if r.get("status") == "ok"}
    records = []
    for index, cell in enumerate(cells, 1):
        if cell.key in done:
            record, skipped = last_ok[cell.key], True
        else:
            record, skipped = (
                run_cell_process(cell, data_dir=data_dir, timeout=timeout, threads=threads),
                False,
            )
            append_record(out_path, record)
        records.append(record)
        if on_result is not None:
            on_result(index, len(cells), record, skipped)
    return records
