"""Exceptions raised by automl.

Every error a user can trigger descends from :class:`AutoMLError` and from the
matching built-in exception, so callers can catch either.
"""

from __future__ import annotations

from collections.abc import Iterable
from difflib import get_close_matches

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError


class AutoMLError(Exception):
    """Base class of every error automl raises on purpose."""


class DataError(AutoMLError, ValueError):
    """X or y cannot be used as given (shape, dtype, missing target, ...)."""


class ConfigError(AutoMLError, ValueError):
    """A parameter, preset or model name is invalid."""


class NotFittedError(AutoMLError, _SklearnNotFittedError):
    """The estimator is used before ``fit``."""


class SearchError(AutoMLError, RuntimeError):
    """The search produced no usable model (for example every trial failed)."""


class MetricError(AutoMLError, RuntimeError):
    """A user's metric raised an exception or gave a score that is not a finite number."""


class ModelFileError(AutoMLError, ValueError):
    """A saved model file is corrupted, truncated or from an incompatible version."""


def unknown_name_message(kind: str, name: object, valid: Iterable[str]) -> str:
    """Build the message for an unknown name, with close matches as a hint.

    Parameters
    ----------
    kind : str
        What was looked up, e.g. ``"model family"``.
    name : object
        The name received.
    valid : iterable of str
        The names that exist.

    Returns
    -------
    str
        A one-line message naming the valid choices and close matches.
    """
    valid = sorted(valid)
    close = get_close_matches(str(name), valid, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"Unknown {kind} {name!r}. Valid names: {', '.join(valid)}.{hint}"


class MissingDependencyError(AutoMLError, ImportError):
    """An optional package a feature needs is not installed; the message says how to add it."""


class ExportError(AutoMLError, ValueError):
    """A fitted model (or a part of it) cannot be exported, e.g. to ONNX."""
