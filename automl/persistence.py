"""Saving and loading fitted estimators, safely.

A model file is a joblib pickle. **Loading one runs code from the file: load
only files from a source you trust.** Files are written atomically (a
temporary file, then a rename), carry the library versions they were made
with, and are checked on load.
"""

from __future__ import annotations

import os
import platform
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

from .exceptions import ModelFileError

FORMAT = "automl-model"
FORMAT_VERSION = 1
_PACKAGES = (
    "automl-tabular",
    "scikit-learn",
    "imbalanced-learn",
    "xgboost",
    "lightgbm",
    "catboost",
    "torch",
    "numpy",
    "pandas",
)


def library_versions() -> dict[str, str | None]:
    """Versions of Python and of the libraries a fitted model depends on."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def save(estimator: Any, path: str | os.PathLike[str]) -> str:
    """Write ``estimator`` to ``path`` atomically, with library versions.

    Returns
    -------
    str
        The path written.
    """
    import joblib

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": library_versions(),
        "estimator": estimator,
    }
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        joblib.dump(payload, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return str(path)


def load(path: str | os.PathLike[str]) -> Any:
    """Load an estimator saved with :func:`save`.

    Only load files you trust: unpickling runs code.

    Parameters
    ----------
    path : str or os.PathLike
        The model file written by :func:`save` (or ``AutoMLClassifier.save``).

    Returns
    -------
    object
        The fitted estimator, ready to ``predict``.

    Raises
    ------
    ModelFileError
        When the file is missing, truncated, corrupted, not an automl model
        file, or was written by another major version of automl.
    """
    import joblib

    path = Path(path)
    if path.is_dir():
        raise ModelFileError(f"{str(path)!r} is a directory, not a model file.")
    if not path.is_file():
        raise ModelFileError(f"Model file {str(path)!r} does not exist.")
    try:
        payload = joblib.load(path)
    except (AttributeError, ImportError) as exc:  # an object the file refers to is not here
        raise ModelFileError(
            f"Model file {str(path)!r} refers to something that cannot be found here "
            f"({type(exc).__name__}: {exc}). A custom metric, family or estimator defined "
            "in your own code must be importable (or defined in the script's __main__) "
            "under the same name when the model is loaded."
        ) from None
    except Exception as exc:  # any failure to unpickle means the file cannot be used
        raise ModelFileError(
            f"Model file {str(path)!r} is truncated or corrupted and cannot be read "
            f"({type(exc).__name__}: {exc})."
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ModelFileError(
            f"{str(path)!r} is not an automl model file (saved with automl's save())."
        )
    if payload.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{str(path)!r} uses model-file format {payload.get('format_version')}; "
            f"this automl reads format {FORMAT_VERSION}. Refit with this version."
        )
    saved, current = payload.get("versions"), library_versions()
    if not isinstance(saved, dict):
        raise ModelFileError(
            f"{str(path)!r} has no library-version record; it was not written by "
            "automl's save() or is damaged."
        )
    if _major(saved.get("automl-tabular")) != _major(current.get("automl-tabular")):
        raise ModelFileError(
            f"{str(path)!r} was saved by automl {saved.get('automl-tabular')}, this is "
            f"{current.get('automl-tabular')}: refit the model with this version."
        )
    changed = {
        k: (saved.get(k), v) for k, v in current.items() if k != "python" and saved.get(k) != v
    }
    if changed:
        text = ", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items())
        warnings.warn(
            f"Model file {str(path)!r} was saved with other library versions ({text}); "
            "predictions may differ or fail. Refit to be safe.",
            UserWarning,
            stacklevel=2,
        )
    estimator = payload["estimator"]
    try:  # what the model was saved with, for exports that must match it (automl.export)
        estimator._automl_saved_versions = dict(saved)
    except AttributeError:
        pass
    return estimator


def _major(version: str | None) -> str | None:
    return None if version is None else version.split(".")[0]
