"""SearchCV's ``scoring`` and ``refit``: one metric, or several as scikit-learn takes them.

Every trial already scores each of its task's reported metrics on every fold
(:func:`automl.metrics.reported`), so further metrics cost nothing: a list or dict
of metric names fills ``cv_results_`` with ``mean_test_<name>`` and friends for
each, as scikit-learn's multi-metric search does, while the search optimises the
one ``refit`` names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import metrics as M
from ..exceptions import ConfigError
from ._checks import resolve_scoring


@dataclass(frozen=True)
class Scoring:
    """What a search scores and optimises.

    Attributes
    ----------
    metrics : dict of str to str
        The user's key of each metric (``cv_results_``'s ``<name>``) to the metric
        the trials compute (canonical name; a user's metric under its own name).
    optimised : str
        The key of the metric the search optimises and ``best_*`` describe.
    custom : Metric or None
        The table entry of a user's metric (a scikit-learn scorer or CustomMetric).
    multimetric : bool
        Whether ``scoring`` named several metrics (scikit-learn's ``multimetric_``).
    """

    metrics: dict[str, str]
    optimised: str
    custom: M.Metric | None
    multimetric: bool

    @property
    def metric(self) -> str:
        """The optimised metric's name as the trials compute it."""
        return self.metrics[self.optimised]


def _several(scoring: Any) -> bool:
    return isinstance(scoring, (list, tuple, set, frozenset, Mapping))


def _entries(scoring: Any) -> list[tuple[str, Any]]:
    """``(key, metric)`` pairs of a list or dict ``scoring``, checked for shape."""
    if isinstance(scoring, Mapping):
        pairs = list(scoring.items())
        if not all(isinstance(k, str) for k, _ in pairs):
            raise ConfigError("A dict 'scoring' must map names (str) to metrics.")
    else:
        if isinstance(scoring, (set, frozenset)):
            scoring = sorted(scoring, key=str)
        if not all(isinstance(s, str) for s in scoring):
            raise ConfigError(
                "A list 'scoring' must hold metric names (str); name scorer objects in a dict "
                f"instead. Got {scoring!r}."
            )
        pairs = [(s, s) for s in scoring]
    keys = [k for k, _ in pairs]
    if not pairs:
        raise ConfigError("'scoring' names no metric: give at least one.")
    if len(set(keys)) != len(keys):
        raise ConfigError(f"'scoring' names a metric twice: {keys}.")
    return pairs


def _built_in(value: Any, kind: str) -> str | None:
    """The canonical name of a built-in metric of ``kind`` that ``value`` names, else None."""
    if not isinstance(value, str):
        return None
    name = M.ALIASES.get(value, value)
    known = M.METRICS.get(name)
    return name if known is not None and known.task == kind else None


def resolve_metrics(
    scoring: Any, refit: Any, kind: str, task: str, classes: np.ndarray | None
) -> Scoring:
    """Check ``scoring`` and ``refit`` together and say what the search computes.

    Parameters
    ----------
    scoring : str, scorer, CustomMetric, None, list of str or dict
        SearchCV's ``scoring``.
    refit : bool or str
        SearchCV's ``refit``: with several metrics, the key of the one optimised and
        refitted (or False: the first is optimised, nothing is refitted).
    kind : {"classification", "regression"}
    task : {"binary", "multiclass", "regression"}
    classes : ndarray or None
        The classes (classification).

    Returns
    -------
    Scoring

    Raises
    ------
    ConfigError
        An unknown or wrong-task metric, a scorer that is not the optimised one, an
        ambiguous ``refit=True`` with several metrics, a ``refit`` naming no metric.
    """
    if not _several(scoring):
        if isinstance(refit, str):
            raise ConfigError(
                f"refit={refit!r} names a metric, which needs several in 'scoring' (a list "
                "or dict); with one metric refit is True or False."
            )
        metric, single = resolve_scoring(scoring, kind, task, classes)
        return Scoring({metric: metric}, metric, single, multimetric=False)
    pairs = _entries(scoring)
    keys = [k for k, _ in pairs]
    if refit is True:
        raise ConfigError(
            f"With several metrics, refit must name the one to optimise and refit (one of "
            f"{keys}), or be False; refit=True is ambiguous."
        )
    optimised = keys[0] if refit is False else refit
    if optimised not in keys:
        raise ConfigError(f"refit={refit!r} is none of the metrics in 'scoring': {keys}.")
    metrics: dict[str, str] = {}
    custom: M.Metric | None = None
    allowed = sorted(set(M.reported(kind)) | set(M.optimizable(kind)))
    for key, value in pairs:
        name = _built_in(value, kind)
        if name is not None:
            metrics[key] = name
            continue
        if key != optimised:
            raise ConfigError(
                f"scoring[{key!r}] is not one of automl's {kind} metrics ({allowed}); among "
                "several metrics only the optimised one (the one refit names) may be a "
                "scorer or CustomMetric: the trials compute the others from their built-in "
                "table."
            )
        metrics[key], custom = resolve_scoring(value, kind, task, classes)
    if custom is None and not M.get_metric(metrics[optimised]).optimizable:
        raise ConfigError(
            f"{metrics[optimised]!r} cannot be optimised (it rewards predicting one class); "
            f"choose one of {list(M.optimizable(kind))} for refit."
        )
    return Scoring(metrics, optimised, custom, multimetric=True)
