"""Benchmark suites: named lists of datasets, stored as TOML data files.

Each ``suites/NAME.toml`` beside this module holds::

    description = "what the suite is for"
    extends = "shared"          # optional: start from another suite's datasets
    task = "classification"     # optional: "classification" (default) or "regression"

    [filter]                    # optional; every key is optional
    max_rows = 50000            # keep datasets with at most this many rows
    task = "binary"             # "binary" or "multiclass"
    max_minority_share = 0.2    # keep datasets whose smallest class share is below this
                                # (task and max_minority_share: classification only)

    [[datasets]]
    source = "csv:pc1"          # name defaults to the part after the colon

    [[datasets]]
    name = "synthetic_tiny"
    source = "synthetic:classification"
    params = { n_samples = 300, n_features = 8, random_state = 0 }

Filters look at the data themselves (rows, classes, minority share), so a suite
like ``small`` stays true when datasets are added. The suite's task applies to
every dataset it lists (an ``extends`` chain must keep one task): it decides how
targets are read, split and scored, and which system a name such as ``automl``
or ``hgb`` stands for.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from automl.exceptions import ConfigError, unknown_name_message

from .datasets import TASKS, DatasetInfo, DatasetSpec, load_dataset

_FILTER_KEYS = ("max_rows", "task", "max_minority_share")
_SUITE_KEYS = ("description", "extends", "task", "filter", "datasets")
_FILTER_TASKS = ("binary", "multiclass")


@dataclass(frozen=True)
class SuiteFilter:
    """Conditions a dataset must meet to stay in a suite (None = no condition)."""

    max_rows: int | None = None
    task: str | None = None
    max_minority_share: float | None = None

    def accepts(self, info: DatasetInfo) -> bool:
        """Whether a dataset with this shape and balance passes every condition."""
        if self.max_rows is not None and info.n_rows > self.max_rows:
            return False
        if self.task is not None and (info.n_classes == 2) != (self.task == "binary"):
            return False
        if (
            self.max_minority_share is not None
            and not info.minority_share < self.max_minority_share
        ):
            return False
        return True

    @property
    def is_empty(self) -> bool:
        """True when the filter has no condition (no data need be loaded)."""
        return self.max_rows is None and self.task is None and self.max_minority_share is None


@dataclass(frozen=True)
class Suite:
    """A named list of datasets with an optional filter.

    Attributes
    ----------
    name : str
    description : str
    datasets : tuple of DatasetSpec
        The candidates, before the filter; each carries the suite's task.
    filter : SuiteFilter
    task : {"classification", "regression"}
    """

    name: str
    description: str
    datasets: tuple[DatasetSpec, ...]
    filter: SuiteFilter = field(default_factory=SuiteFilter)
    task: str = "classification"


def _suite_dir() -> Path:
    return Path(str(resources.files(__package__).joinpath("suites")))


def suite_names() -> list[str]:
    """Names of the suites shipped with the package, sorted."""
    return sorted(p.stem for p in _suite_dir().glob("*.toml"))


def _parse_dataset(suite: str, entry: Any, task: str) -> DatasetSpec:
    if not isinstance(entry, dict) or "source" not in entry:
        raise ConfigError(
            f"Every [[datasets]] entry of suite {suite!r} needs a 'source'; got {entry!r}."
        )
    unknown = set(entry) - {"name", "source", "params"}
    if unknown:
        raise ConfigError(
            f"Dataset entry {entry!r} of suite {suite!r} has unknown keys {sorted(unknown)}; "
            "allowed: name, source, params."
        )
    source = str(entry["source"])
    name = entry.get("name") or source.partition(":")[2].rpartition("/")[2]
    if not name:
        raise ConfigError(f"Dataset entry {entry!r} of suite {suite!r} needs a name.")
    return DatasetSpec(
        name=str(name), source=source, params=dict(entry.get("params", {})), task=task
    )


def _parse_filter(suite: str, raw: Any, task: str) -> SuiteFilter:
    if not isinstance(raw, dict):
        raise ConfigError(f"[filter] of suite {suite!r} must be a table; got {raw!r}.")
    unknown = set(raw) - set(_FILTER_KEYS)
    if unknown:
        raise ConfigError(
            f"[filter] of suite {suite!r} has unknown keys {sorted(unknown)}; "
            f"allowed: {', '.join(_FILTER_KEYS)}."
        )
    if task == "regression":
        by_class = sorted(set(raw) & {"task", "max_minority_share"})
        if by_class:
            raise ConfigError(
                f"[filter] of regression suite {suite!r} has class conditions {by_class}; "
                "only max_rows applies to regression."
            )
    kind = raw.get("task")
    if kind is not None and kind not in _FILTER_TASKS:
        raise ConfigError(
            f"filter.task of suite {suite!r} must be one of {_FILTER_TASKS}; got {kind!r}."
        )
    return SuiteFilter(
        max_rows=raw.get("max_rows"), task=kind, max_minority_share=raw.get("max_minority_share")
    )


def load_suite(name_or_path: str | os.PathLike[str], _seen: tuple[str, ...] = ()) -> Suite:
    """Read a suite by name (shipped) or from a ``.toml`` path.

    Parameters
    ----------
    name_or_path : str or path
        A name from :func:`suite_names`, or a path to a TOML file of the same format.

    Returns
    -------
    Suite

    Raises
    ------
    ConfigError
        For an unknown name (with close matches), a malformed file, or an ``extends`` cycle.
    """
    text = str(name_or_path)
    if text.endswith(".toml"):
        path = Path(text)
        if not path.is_file():
            raise ConfigError(f"Suite file {text!r} does not exist.")
    else:
        path = _suite_dir() / f"{text}.toml"
        if not path.is_file():
            raise ConfigError(unknown_name_message("suite", text, suite_names()))
    name = path.stem
    if name in _seen:
        raise ConfigError(f"Suite {name!r} extends itself through {' -> '.join(_seen)}.")
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    unknown = set(raw) - set(_SUITE_KEYS)
    if unknown:
        raise ConfigError(
            f"Suite {name!r} has unknown keys {sorted(unknown)}; allowed: {', '.join(_SUITE_KEYS)}."
        )
    task = str(raw.get("task", "classification"))
    if task not in TASKS:
        raise ConfigError(f"The task of suite {name!r} must be one of {TASKS}; got {task!r}.")
    datasets: list[DatasetSpec] = []
    if "extends" in raw:
        parent = load_suite(raw["extends"], (*_seen, name))
        if parent.task != task:
            raise ConfigError(
                f"Suite {name!r} ({task}) extends {parent.name!r}, a {parent.task} suite; "
                "set the same task in both."
            )
        datasets.extend(parent.datasets)
    datasets.extend(_parse_dataset(name, e, task) for e in raw.get("datasets", []))
    names = [d.name for d in datasets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"Suite {name!r} lists datasets more than once: {', '.join(duplicates)}.")
    if not datasets:
        raise ConfigError(f"Suite {name!r} has no datasets; add [[datasets]] entries or 'extends'.")
    return Suite(
        name=name,
        description=str(raw.get("description", "")),
        datasets=tuple(datasets),
        filter=_parse_filter(name, raw.get("filter", {}), task),
        task=task,
    )


def resolve_datasets(
    suite: Suite,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    max_rows: int | None = None,
    only: Iterable[str] | None = None,
) -> list[tuple[DatasetSpec, DatasetInfo]]:
    """The datasets of a suite that pass its filter, with their shape and balance.

    Parameters
    ----------
    suite : Suite
    data_dir : path, optional
        The CSV folder; see :func:`benchmarks.datasets.resolve_data_dir`.
    max_rows : int, optional
        An extra row limit on top of the suite's own filter (``--max-rows``).
    only : iterable of str, optional
        Keep only these dataset names (``--datasets``); unknown names are an error.

    Returns
    -------
    list of (DatasetSpec, DatasetInfo)
        In suite order.
    """
    specs = list(suite.datasets)
    if only is not None:
        wanted = list(only)
        known = {d.name for d in specs}
        for name in wanted:
            if name not in known:
                raise ConfigError(
                    unknown_name_message(f"dataset of suite {suite.name!r}", name, known)
                )
        specs = [d for d in specs if d.name in wanted]
    extra = SuiteFilter(max_rows=max_rows)
    out = []
    for spec in specs:
        info = load_dataset(spec, data_dir).info
        if suite.filter.accepts(info) and extra.accepts(info):
            out.append((spec, info))
    return out
