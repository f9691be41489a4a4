"""Which pipeline graph a fit searches: a preset by name or path, a graph, or "auto"."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from ..exceptions import ConfigError
from .graph import PipelineGraph

#: Below this ratio of the rarest to the most common class, ``pipeline="auto"`` picks "imbalanced".
IMBALANCE_RATIO = 0.25


def choose_graph(
    pipeline: Any, models: list[str] | None, y: np.ndarray
) -> tuple[PipelineGraph, list[str]]:
    """The graph for the estimator's ``pipeline`` and ``models`` parameters.

    Parameters
    ----------
    pipeline : str, os.PathLike or PipelineGraph
        ``"auto"``, a preset name, a ``.toml`` path or a graph. ``"auto"`` uses
        ``imbalanced`` when the rarest class is under :data:`IMBALANCE_RATIO` of the
        most common one, else ``default``.
    models : list of str or None
        Families to keep; None keeps the graph's.
    y : ndarray
        Encoded labels.

    Returns
    -------
    graph : PipelineGraph
    notes : list of str
        What was decided on the user's behalf.

    Raises
    ------
    ConfigError
        For a ``pipeline`` of another type.
    """
    notes: list[str] = []
    if isinstance(pipeline, PipelineGraph):
        graph = pipeline
    elif isinstance(pipeline, str) and pipeline == "auto":
        counts = np.bincount(y)
        ratio = counts.min() / counts.max()
        name = "imbalanced" if ratio < IMBALANCE_RATIO else "default"
        if name == "imbalanced":
            notes.append(
                f"Imbalanced classes (rarest/most common = {ratio:.3f} < "
                f"{IMBALANCE_RATIO}): using the 'imbalanced' pipeline. Pass "
                "pipeline='default' to opt out."
            )
        graph = PipelineGraph.from_preset(name)
    elif isinstance(pipeline, (str, os.PathLike)):
        graph = PipelineGraph.from_preset(str(pipeline))
    else:
        raise ConfigError(
            f"The 'pipeline' parameter must be 'auto', a preset name, a .toml path or "
            f"a PipelineGraph. Got {pipeline!r} instead."
        )
    if models is not None:
        graph = graph.with_families(list(models))
    return graph, notes
