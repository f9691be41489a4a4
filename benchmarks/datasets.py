"""Benchmark datasets: where they come from, how they load, how they split.

A dataset is named by a *source* string, ``"scheme:name"``:

``csv:NAME``
    ``NAME.csv`` in the data folder (target = the column ``target``); ``NAME`` may
    name a subfolder, as in ``csv:regression/ames``.
``sklearn:NAME``
    A dataset bundled with scikit-learn (``breast_cancer``, ``wine``, ``digits``, ``iris``).
``synthetic:classification``
    ``sklearn.datasets.make_classification(**params)``; the params carry their own
    ``random_state`` so the data are the same for every seed of a run.

A dataset's *task* (``DatasetSpec.task``, set by its suite) is "classification"
(default) or "regression". Binary targets are always 0/1 with 1 = the minority
class (the shared CSVs already are; other sources are mapped). Multiclass labels
are kept as given; regression targets are read as floats. The train/test split
is the one used everywhere: ``train_test_split(X, y, test_size=0.25,
stratify=y, random_state=seed)`` for classification, the same unstratified
(shuffled only) for regression.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.exceptions import ConfigError, unknown_name_message

#: Environment variable naming the data folder when ``--data-dir`` is not given.
DATA_DIR_ENV = "AUTOML_DATA_DIR"
#: The repository root: the folder that holds the ``benchmarks`` and ``automl`` packages.
REPO_ROOT = Path(__file__).resolve().parents[1]
#: The default data folder, relative to the repository root.
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "datasets"
TEST_SIZE = 0.25
#: The tasks a dataset can have.
TASKS = ("classification", "regression")


@dataclass(frozen=True)
class DatasetSpec:
    """A named dataset and where it comes from.

    Attributes
    ----------
    name : str
        The name used in results (``"pc1"``, ``"synthetic_imbalanced"``).
    source : str
        ``"csv:NAME"``, ``"sklearn:NAME"`` or ``"synthetic:classification"``.
    params : mapping
        Keyword arguments of the source (synthetic only).
    task : {"classification", "regression"}
        How the target is read, split and scored.
    """

    name: str
    source: str
    params: Mapping[str, Any] = field(default_factory=dict)
    task: str = "classification"

    @property
    def scheme(self) -> str:
        """The part of ``source`` before the colon."""
        return self.source.partition(":")[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly form, inverse of ``DatasetSpec(**d)``."""
        return {
            "name": self.name,
            "source": self.source,
            "params": dict(self.params),
            "task": self.task,
        }


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset: features ``X`` and target ``y`` (original labels, or floats)."""

    name: str
    X: pd.DataFrame
    y: pd.Series
    task: str = "classification"

    @property
    def info(self) -> DatasetInfo:
        """Shape and class balance (none for regression), as recorded in every result."""
        if self.task == "regression":
            return DatasetInfo(int(len(self.y)), int(self.X.shape[1]), None, None)
        counts = self.y.value_counts()
        return DatasetInfo(
            n_rows=int(len(self.y)),
            n_features=int(self.X.shape[1]),
            n_classes=int(len(counts)),
            minority_share=float(counts.min() / len(self.y)),
        )


@dataclass(frozen=True)
class DatasetInfo:
    """What filters and results need to know about a dataset (classes: None for regression)."""

    n_rows: int
    n_features: int
    n_classes: int | None
    minority_share: float | None

    def to_dict(self) -> dict[str, Any]:
        """The four fields as a dict."""
        return {
            "n_rows": self.n_rows,
            "n_features": self.n_features,
            "n_classes": self.n_classes,
            "minority_share": self.minority_share,
        }


def resolve_data_dir(data_dir: str | os.PathLike[str] | None = None) -> Path:
    """The folder holding the shared CSV files.

    Parameters
    ----------
    data_dir : path, optional
        Explicit folder (``--data-dir``). When None, the environment variable
        ``AUTOML_DATA_DIR``, else ``../shared/datasets`` beside the repository root.

    Raises
    ------
    ConfigError
        If the folder does not exist, saying where it looked and how to set it.
    """
    if data_dir is not None:
        path, how = Path(data_dir), "--data-dir"
    elif os.environ.get(DATA_DIR_ENV):
        path, how = Path(os.environ[DATA_DIR_ENV]), f"${DATA_DIR_ENV}"
    else:
        path, how = DEFAULT_DATA_DIR, "the default (../shared/datasets beside the repository)"
    if not path.is_dir():
        raise ConfigError(
            f"The data folder {str(path)!r} (from {how}) does not exist. "
            f"Pass --data-dir DIR or set {DATA_DIR_ENV} to the folder holding the CSV files."
        )
    return path


def _load_csv(
    name: str, params: Mapping[str, Any], data_dir: Path | None
) -> tuple[pd.DataFrame, pd.Series]:
    folder = resolve_data_dir(data_dir)
    path = folder / f"{name}.csv"
    if not path.is_file():
        where = path.parent
        prefix = name.rpartition("/")[0] + "/" if "/" in name else ""
        available = [prefix + p.stem for p in where.glob("*.csv")]
        raise ConfigError(unknown_name_message(f"CSV dataset in {where}", name, available))
    X = pd.read_csv(path)
    if "target" not in X.columns:
        raise ConfigError(
            f"{path} has no column named 'target'; the target must be the column 'target'."
        )
    y = X.pop("target")
    return X, y


_SKLEARN_LOADERS = ("breast_cancer", "wine", "digits", "iris")


def _load_sklearn(
    name: str, params: Mapping[str, Any], data_dir: Path | None
) -> tuple[pd.DataFrame, pd.Series]:
    from sklearn import datasets

    if name not in _SKLEARN_LOADERS:
        raise ConfigError(unknown_name_message("scikit-learn dataset", name, _SKLEARN_LOADERS))
    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    return bunch.data, bunch.target.rename("target")


def _load_synthetic(
    name: str, params: Mapping[str, Any], data_dir: Path | None
) -> tuple[pd.DataFrame, pd.Series]:
    from sklearn.datasets import make_classification

    if name != "classification":
        raise ConfigError(unknown_name_message("synthetic generator", name, ["classification"]))
    params = {"random_state": 0, **params}
    try:
        X, y = make_classification(**params)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"make_classification rejected the params {params}: {exc}") from exc
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    return X, pd.Series(y, name="target")


_LOADERS: dict[
    str, Callable[[str, Mapping[str, Any], Path | None], tuple[pd.DataFrame, pd.Series]]
] = {
    "csv": _load_csv,
    "sklearn": _load_sklearn,
    "synthetic": _load_synthetic,
}


def _minority_is_one(y: pd.Series) -> pd.Series:
    """Binary targets as 0/1 with 1 = the minority class (ties: the larger label)."""
    counts = y.value_counts()
    if len(counts) != 2:
        return y
    labels = sorted(counts.index)
    minority = labels[1] if counts[labels[0]] == counts[labels[1]] else counts.idxmin()
    return (y == minority).astype(np.int64).rename(y.name)


@lru_cache(maxsize=8)
def _load_cached(
    name: str, source: str, params_json: str, data_dir: str | None, task: str
) -> tuple[pd.DataFrame, pd.Series]:
    scheme, sep, source_name = source.partition(":")
    if not sep or scheme not in _LOADERS:
        raise ConfigError(
            f"The source of dataset {name!r} must be 'scheme:name' with scheme one of "
            f"{', '.join(sorted(_LOADERS))}; got {source!r}."
        )
    loader = _LOADERS[scheme]
    X, y = loader(source_name, json.loads(params_json), Path(data_dir) if data_dir else None)
    if task == "regression":
        try:
            return X, pd.to_numeric(y).astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"The target of regression dataset {name!r} is not numeric.") from exc
    return X, _minority_is_one(y)


def load_dataset(spec: DatasetSpec, data_dir: str | os.PathLike[str] | None = None) -> Dataset:
    """Load a dataset (cached per process; callers get copies).

    Parameters
    ----------
    spec : DatasetSpec
    data_dir : path, optional
        The CSV folder; see :func:`resolve_data_dir`.

    Returns
    -------
    Dataset
        Features and target; binary targets are 0/1 with 1 = minority,
        regression targets floats.

    Raises
    ------
    ConfigError
        For an unknown scheme, name or task, a missing data folder, or a
        regression target that is not numeric.
    """
    if spec.task not in TASKS:
        raise ConfigError(unknown_name_message("task", spec.task, TASKS))
    params_json = json.dumps(dict(spec.params), sort_keys=True)
    X, y = _load_cached(
        spec.name, spec.source, params_json, str(data_dir) if data_dir else None, spec.task
    )
    return Dataset(spec.name, X.copy(), y.copy(), spec.task)


def split(dataset: Dataset, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """The shared split: 25 % test, shuffled by ``seed``; stratified for classification only."""
    from sklearn.model_selection import train_test_split

    stratify = None if dataset.task == "regression" else dataset.y
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X, dataset.y, test_size=TEST_SIZE, stratify=stratify, random_state=seed
    )
    return X_train, X_test, y_train, y_test


def positive_index(y: np.ndarray | pd.Series) -> int:
    """Encoded label (index in ``np.unique(y)``) of the binary positive class.

    The minority class; on a tie, the larger label (index 1). For multiclass
    targets the value is unused by the metrics and is 1.
    """
    classes, counts = np.unique(np.asarray(y), return_counts=True)
    if len(classes) != 2 or counts[0] == counts[1]:
        return 1
    return int(np.argmin(counts))
