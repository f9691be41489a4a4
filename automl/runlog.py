"""The trial log: the memory of a run, append-only, resumable.

With a directory, each finished trial is one JSON line in ``trials.jsonl``
(flushed and fsynced) and its out-of-fold predictions are a ``.npy`` file
written first and renamed into place, so every logged trial has its
predictions. ``run.json`` identifies the data and settings the log belongs to;
resuming against other data or settings is refused. Without a directory the
log lives in memory only.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .exceptions import ConfigError

LOG_VERSION = 1


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def _fsync_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class RunLog:
    """Trial records and their out-of-fold predictions.

    Parameters
    ----------
    log_dir : path or None
        Where to persist the log; None keeps it in memory.
    header : dict
        Identity of the run (data fingerprint, settings) and its seed; stored in
        ``run.json``. On resume the stored header wins, so the run keeps its seed.
    resume : bool
        Continue an existing log in ``log_dir`` instead of starting a new one.
    retain : callable or None
        ``retain(records)`` returns the trials whose out-of-fold predictions must stay
        in memory (see :mod:`automl.oof_retention`); the others are dropped from
        :attr:`oof` (not from disk) whenever it has grown to twice its size after the
        last drop, so it stays bounded. None keeps every trial's.
    predictions : bool, default=True
        Whether the log holds out-of-fold predictions at all. With False (a search
        that reads only scores, as ``SearchCV``) a successful trial is complete
        without them, so a resume keeps it although no ``.npy`` file exists.

    Attributes
    ----------
    records : list of dict
        One per finished trial, in the order they finished.
    oof : dict of int to ndarray
        Out-of-fold probabilities of successful trials (those ``retain`` keeps).
    resumed : int
        How many records were read back from disk.
    """

    def __init__(
        self,
        log_dir: str | os.PathLike[str] | None,
        header: dict[str, Any],
        resume: bool = False,
        retain: Callable[[list[dict[str, Any]]], set[int]] | None = None,
        predictions: bool = True,
    ) -> None:
        self.dir = Path(log_dir) if log_dir is not None else None
        self.header = header
        self.records: list[dict[str, Any]] = []
        self.oof: dict[int, np.ndarray] = {}
        self.resumed = 0
        self._retain = retain
        self._retained = 0  # len(self.oof) after the last drop
        self.predictions = predictions
        if self.dir is None:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        if predictions:
            (self.dir / "oof").mkdir(exist_ok=True)
        run_file, trials_file = self.dir / "run.json", self.dir / "trials.jsonl"
        if resume and run_file.exists():
            stored = json.loads(run_file.read_text(encoding="utf-8"))
            self._check_header(stored)
            self.header = {**header, **{k: v for k, v in stored.items() if k != "version"}}
            self._read(trials_file)
        else:
            if trials_file.exists() and trials_file.stat().st_size > 0 and not resume:
                raise ConfigError(
                    f"log_dir {str(self.dir)!r} already holds a trial log. Pass resume=True to "
                    "continue it, or choose an empty directory."
                )
            _fsync_write(
                run_file,
                json.dumps({"version": LOG_VERSION, **header}, indent=2, default=_json_default),
            )
            trials_file.write_text("", encoding="utf-8")

    def _check_header(self, stored: dict[str, Any]) -> None:
        for key in ("fingerprint", "settings"):
            if json.loads(json.dumps(self.header.get(key), default=_json_default)) != stored.get(
                key
            ):
                raise ConfigError(
                    f"Cannot resume from {str(self.dir)!r}: its {key} differs from this fit "
                    "(other data, groups or sample weights, or other settings). Use a new "
                    "log_dir, or the original data and settings."
                )

    def _oof_path(self, trial: int) -> Path:
        """Where a trial's out-of-fold predictions are saved (logs with a directory)."""
        assert self.dir is not None
        return self.dir / "oof" / f"trial_{trial:06d}.npy"

    def _read(self, trials_file: Path) -> None:
        if not trials_file.exists():
            return
        for line in trials_file.read_text(encoding="utf-8").splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by a kill: that trial is simply re-run
            if (
                self.predictions
                and record.get("status") == "ok"
                and not self._oof_path(record["trial"]).exists()
            ):
                continue  # its predictions are missing: the trial is re-run
            self.records.append(record)
        self.resumed = len(self.records)
        if not self.predictions:
            return
        # load only the predictions ``retain`` keeps: a long run's are not all read back
        ok = [r["trial"] for r in self.records if r.get("status") == "ok"]
        keep = set(ok) if self._retain is None else self._retain(self.records)
        self.oof = {t: np.load(self._oof_path(t)) for t in ok if t in keep}
        self._retained = len(self.oof)

    def _drop_unneeded_oof(self) -> None:
        """Drop the predictions ``retain`` no longer needs, once they have doubled."""
        if self._retain is None or len(self.oof) <= max(2 * self._retained, 1):
            return
        keep = self._retain(self.records)
        for trial in [t for t in self.oof if t not in keep]:
            del self.oof[trial]
        self._retained = len(self.oof)

    @property
    def next_trial(self) -> int:
        return max((r["trial"] for r in self.records), default=-1) + 1

    def append(self, record: dict[str, Any], oof: np.ndarray | None) -> None:
        """Add one finished trial (and persist it when the log has a directory)."""
        if not self.predictions:
            oof = None
        if oof is not None:
            self.oof[record["trial"]] = oof
        self.records.append(record)
        self._drop_unneeded_oof()
        if self.dir is None:
            return
        if oof is not None:
            path = self._oof_path(record["trial"])
            tmp = path.with_name(path.stem + ".tmp.npy")
            np.save(tmp, oof)
            os.replace(tmp, path)
        with open(self.dir / "trials.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, default=_json_default) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
