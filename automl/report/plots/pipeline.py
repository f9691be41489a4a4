"""The winning pipeline drawn as a chain of boxes with its parameters."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ._figure import _figure

_QUIET_PARAMS = frozenset({"verbose", "n_jobs", "copy", "warm_start", "verbose_feature_names_out"})


def _format_param(key: str, value: Any, width: int = 38) -> str:
    if isinstance(value, float):
        value = f"{value:.4g}"
    text = f"{key}={value}"
    return text if len(text) <= width else text[: width - 1] + "…"


def _shown_params(
    params: Mapping[str, Any] | None, searched: Iterable[str]
) -> list[tuple[str, Any]]:
    """Searched parameters first, then the rest; None values and plumbing left out."""
    tuned = set(searched)
    items = [
        (k, v)
        for k, v in sorted((params or {}).items())
        if k in tuned or (v is not None and k not in _QUIET_PARAMS)
    ]
    return sorted(items, key=lambda kv: kv[0] not in tuned)


def pipeline_graph(
    steps: Sequence[tuple[str, str, Mapping[str, Any]]],
    *,
    threshold: float | None = None,
    n_ensemble: int = 1,
    max_params: int = 4,
    searched: Mapping[str, Iterable[str]] | None = None,
) -> Figure:
    """The winning pipeline as a top-down chain of boxes joined by arrows.

    Parameters
    ----------
    steps : sequence of (step name, estimator class name, params)
        The fitted pipeline's steps, in order.
    threshold : float, optional
        Binary decision threshold, drawn in the output node.
    n_ensemble : int
        Number of pipelines in the final ensemble (noted in the output node).
    max_params : int
        Parameters shown per box; the rest are counted.
    searched : mapping of step name to parameter names, optional
        Parameters the search tuned; shown first in their box. ``None`` values
        and plumbing parameters (``verbose``, ``n_jobs``, ``copy``, …) are
        left out of the boxes.
    """
    searched = searched or {}
    nodes: list[tuple[str, list[str], str]] = [("input", ["X (tabular features)"], "#eeeeee")]
    for name, cls, params in steps:
        items = _shown_params(params, searched.get(name, ()))
        lines = [cls] + [_format_param(k, v) for k, v in items[:max_params]]
        if len(items) > max_params:
            lines.append(f"(+{len(items) - max_params} more)")
        nodes.append((name, lines, "#dbe9f6" if name != steps[-1][0] else "#fde2c8"))
    out = ["class probabilities"]
    if threshold is not None:
        out.append(f"label = positive if p ≥ {threshold:.3f}")
    if n_ensemble > 1:
        out.append(f"(averaged over an ensemble of {n_ensemble} pipelines)")
    nodes.append(("output", out, "#e4f3e0"))
    gap, line_h = 0.7, 0.32
    heights = [0.98 + line_h * (len(lines) - 1) for _, lines, _ in nodes]
    total = sum(heights) + gap * (len(nodes) - 1)
    fig = _figure(5.2, 0.35 + total * 0.62)
    ax = fig.subplots()
    ax.set(xlim=(0, 1), ylim=(0, total))
    ax.axis("off")
    top = total
    for i, ((name, lines, color), h) in enumerate(zip(nodes, heights, strict=True)):
        box = FancyBboxPatch(
            (0.08, top - h),
            0.84,
            h,
            boxstyle="round,pad=0.0,rounding_size=0.08",
            facecolor=color,
            edgecolor="#333333",
            lw=1.2,
        )
        ax.add_patch(box)
        ax.text(0.5, top - 0.3, name, ha="center", va="center", fontsize=10, fontweight="bold")
        for j, line in enumerate(lines):
            ax.text(
                0.5,
                top - 0.66 - j * line_h,
                line,
                ha="center",
                va="center",
                fontsize=8,
                family="monospace" if j or i in (0, len(nodes) - 1) else None,
            )
        if i < len(nodes) - 1:
            ax.annotate(
                "",
                xy=(0.5, top - h - gap + 0.02),
                xytext=(0.5, top - h - 0.02),
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.4},
            )
        top -= h + gap
    return fig
