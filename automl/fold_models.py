"""Keeping the fold models of the search's trials, for a bagged final model.

When the final model may be bagged (``final_model="bag"``, or ``"auto"`` with at
least three k-fold folds; see :func:`decide_final_model`), each worker dumps the
fitted fold pipelines of a trial that succeeded at full fidelity to one joblib
file in the fit's scratch folder, and the trial's record gets its path
(``record["fold_models"]``); the fitted models never travel back through the
result (the main process would hold every trial's K models).

Where the folder lives: with ``log_dir``, ``log_dir/fold_models`` (a killed run keeps
its finished trials' fold models, and a resumed run bags them); otherwise a
temporary folder. Either way it is removed when ``fit`` ends, on an error too.

Disk is bounded twice:

- only the best :data:`KEEP_BEST` full-fidelity trials by CV score keep their file;
  the main process deletes a file as soon as its trial falls out of that set;
- data of more than :data:`BAG_MAX_CELLS` cells (rows x columns) keep none (the
  final model is refitted), and a single trial's file over :data:`MAX_FILE_MB` is
  dropped by the worker. K fold models cost K times a refitted model's memory in the
  final model and K times its prediction time; on small and medium data that is
  cheap, on large data a forest's K copies are gigabytes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from . import metrics as M
from .bagging import BaggedPipeline
from .ensemble import MAX_CANDIDATES
from .fidelity import is_full
from .run_context import Folds, RunContext

#: Full-fidelity trials (best CV score first) whose fold models are kept: greedy
#: ensemble selection picks members among the best 20 trials only
#: (:data:`automl.ensemble.MAX_CANDIDATES`), so a 21st could never be bagged.
KEEP_BEST = MAX_CANDIDATES
#: Largest training data (rows x columns) whose fold models are kept: 1,000,000 cells
#: (say 50,000 rows x 20 columns). Above it K copies of a forest grown on those rows
#: weigh gigabytes, and the refit is the sensible final model (large data also
#: runs with fewer folds, see :mod:`automl.large_data`).
BAG_MAX_CELLS = 1_000_000
#: A trial's fold models bigger than this on disk are not kept (megabytes).
MAX_FILE_MB = 512
#: Fewest folds with which ``final_model="auto"`` bags: a 2-fold bag averages two
#: models trained on half the rows each, weaker than one refit on all rows.
AUTO_MIN_FOLDS = 3
#: The choices of the ``final_model`` parameter.
CHOICES = ("auto", "refit", "bag")


def _is_partition(folds: Folds, n_rows: int) -> bool:
    """Whether every row is validated by exactly one fold (k-fold, not time series)."""
    counts = np.zeros(n_rows, dtype=int)
    for _, test in folds:
        counts[test] += 1
    return bool(np.all(counts == 1))


def decide_final_model(
    choice: str, folds: Folds, n_rows: int, n_cols: int
) -> tuple[str, list[str]]:
    """``"bag"`` or ``"refit"`` for the estimator's ``final_model``, and notes on why.

    Parameters
    ----------
    choice : {"auto", "refit", "bag"}
        The estimator's parameter.
    folds : list of (train, test)
        The fit's folds.
    n_rows, n_cols : int
        Size of the training data.

    Returns
    -------
    kind : str
        ``"bag"``: the trials keep their fold models and the members that have them
        are bagged; ``"refit"``: today's refit on all rows.
    notes : list of str
    """
    if choice == "refit":
        return "refit", []
    if n_rows * n_cols > BAG_MAX_CELLS:
        note = (
            f"Fold models are not kept on data of {n_rows} x {n_cols} cells (over "
            f"{BAG_MAX_CELLS:,}): the final model is refitted on all rows."
        )
        return "refit", [note]
    if choice == "bag":
        return "bag", []
    if len(folds) < AUTO_MIN_FOLDS or not _is_partition(folds, n_rows):
        # a 2-fold, holdout or time-series bag is weak, or leaves rows out: refit
        return "refit", [
            f"Final model refitted on all rows: bagging needs at least {AUTO_MIN_FOLDS} "
            f"k-fold folds (this fit has {len(folds)}). Pass final_model='bag' to bag anyway."
        ]
    return "bag", []


def dump_fold_models(
    folder: str | None, pipelines: list[Any], result: dict[str, Any], n_folds: int
) -> None:
    """In the worker: write a full-fidelity successful trial's fold pipelines.

    ``result["fold_models"]`` gets the file's path; nothing is kept (and the key
    is absent) for other trials, when ``folder`` is None, or when the file passes
    :data:`MAX_FILE_MB`.
    """
    if folder is None or result["status"] != "ok" or result.get("fidelity", 1.0) < 1.0:
        return
    if len(pipelines) != n_folds:
        return
    import joblib

    path = Path(folder) / f"trial_{result['trial']:06d}.joblib"
    tmp = path.with_name(path.name + ".tmp")
    try:
        joblib.dump(pipelines, tmp)
        if tmp.stat().st_size > MAX_FILE_MB * 2**20:
            tmp.unlink(missing_ok=True)
            result["notes"].append(f"fold models over {MAX_FILE_MB} MB: not kept")
            return
        os.replace(tmp, path)  # complete or absent, never half-written
    except Exception as exc:  # a model that cannot be pickled: it is refitted instead
        tmp.unlink(missing_ok=True)
        result["notes"].append(f"fold models not kept ({type(exc).__name__}: {exc})")
        return
    result["fold_models"] = str(path)


def has_fold_models(record: dict[str, Any]) -> bool:
    """Whether a trial's fold models are on disk."""
    path = record.get("fold_models")
    return isinstance(path, str) and os.path.exists(path)


def prune_fold_models(records: list[dict[str, Any]], metric: str) -> None:
    """Delete the fold models of the trials outside the best :data:`KEEP_BEST`.

    Ranked as the final model ranks them (full fidelity, CV loss, then trial id).
    The records are left as logged (the path stays; :func:`has_fold_models` reads
    the disk), so the in-memory log stays equal to the log on disk.
    """
    kept = [r for r in records if r.get("fold_models") and r["status"] == "ok"]
    kept = [r for r in kept if is_full(r.get("config"))]
    kept.sort(key=lambda r: (M.to_loss(metric, r["mean"][metric]), r["trial"]))
    for record in kept[KEEP_BEST:]:
        Path(record["fold_models"]).unlink(missing_ok=True)


@contextmanager
def fold_model_store(run: RunContext, log_dir: Path | None) -> Iterator[RunContext]:
    """The run with its fold-model folder set when it bags; the folder is removed on exit.

    Parameters
    ----------
    run : RunContext
        ``run.final_model == "bag"`` gets a folder; otherwise ``run`` comes back as is.
    log_dir : Path or None
        The trial log's folder: the fold models live in ``log_dir/fold_models``.
    """
    if run.final_model != "bag":
        yield run
        return
    if log_dir is not None:
        folder = Path(log_dir) / "fold_models"
        folder.mkdir(parents=True, exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="automl-folds-"))
    try:
        yield replace(run, fold_models=str(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_bags(
    records: dict[int, dict[str, Any]], trials: list[int], run: RunContext, notes: list[str]
) -> dict[int, tuple[BaggedPipeline, dict[str, float]]]:
    """The bagged members of ``trials`` whose fold models are kept, with (no) refit step times.

    A trial without kept fold models (pruned, too large, a cluster run, a file that
    cannot be read) is left out here, with a note, and refitted by the caller.
    """
    import joblib

    bags: dict[int, tuple[BaggedPipeline, dict[str, float]]] = {}
    for trial in trials:
        record = records[trial]
        if not has_fold_models(record):
            notes.append(f"Trial {trial} kept no fold models; it is refitted on all rows.")
            continue
        try:
            pipelines = joblib.load(record["fold_models"])
        except Exception as exc:
            notes.append(
                f"Trial {trial}'s fold models could not be read ({type(exc).__name__}); "
                "it is refitted on all rows."
            )
            continue
        bag = BaggedPipeline(pipelines, run.n_classes, regression=run.is_regression)
        bags[trial] = (bag, {})  # no refit step ran (its CV times are in its record)
    return bags


def final_model_kind(n_bagged: int, n_refitted: int) -> tuple[str, str]:
    """``final_model_kind_`` ("bagged", "refit" or "mixed") and the note saying so."""
    members = f"{n_bagged} member{'s' if n_bagged != 1 else ''}"
    if n_bagged and n_refitted:
        return "mixed", (
            f"Final model: bagged fold models of {members}, {n_refitted} refitted on all rows."
        )
    if n_bagged:
        return "bagged", f"Final model: bagged fold models of {members}."
    return "refit", "Final model: refitted on all rows."
