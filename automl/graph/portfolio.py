"""Portfolios: known-good configurations that run after the defaults, before the search.

A graph's portfolio comes from one of two sources, named by the preset's
``portfolio`` key:

``true``
    Each family's hand-written portfolio (``ModelFamily.portfolio``), partial dicts of
    hyperparameters over the family's default, one entry of each family in turn.
``"learned"``
    The portfolio learned offline by ``benchmarks/portfolio.py`` and shipped as
    ``pipelines/portfolio_<task>.json``, in its selection order; while that file does
    not exist, the hand-written portfolios are used. A path to a ``.json`` file of the
    same format may be given instead of ``"learned"``.

A learned file holds ``{"format": ..., "task": ..., "configs": [...],
"provenance": {...}}``; each config is a (partial) configuration of the graph:
``"family"``, node choices (``"impute"``, ``"scale"``, ``"target"``, ...) and
``"model.<param>"`` hyperparameters. Every entry, hand-written or learned, is
overlaid on the family's default configuration in the graph at hand (see
:func:`overlay_entry`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..exceptions import ConfigError
from ..models import ModelContext, get_family
from ..space import Categorical, Dimension, Integer

if TYPE_CHECKING:
    from .graph import PipelineGraph

#: The ``format`` field of a learned portfolio file.
PORTFOLIO_FORMAT = "automl-portfolio/1"
#: The preset value that asks for the shipped learned portfolio.
LEARNED = "learned"


def clip_into(dim: Dimension, value: Any) -> Any:
    """``value`` moved into ``dim``'s range, or None for a choice ``dim`` does not hold.

    Parameters
    ----------
    dim : Dimension
        A dimension of a graph's space.
    value : object
        A value of that dimension, possibly outside the range.

    Returns
    -------
    object or None
    """
    if isinstance(dim, Categorical):
        return value if dim.contains(value) else None
    clipped = min(max(value, dim.low), dim.high)
    return int(round(clipped)) if isinstance(dim, Integer) else float(clipped)


def learned_path(task: str) -> Path:
    """Where the shipped learned portfolio of ``task`` lives (it may not exist yet).

    Parameters
    ----------
    task : {"classification", "regression"}

    Returns
    -------
    Path
        ``<presets>/portfolio_<task>.json``.
    """
    from .preset import PRESET_DIR

    return PRESET_DIR / f"portfolio_{task}.json"


def check_portfolio_setting(value: Any, graph: str) -> bool | str:
    """Validate a preset's ``portfolio`` key: true, false, ``"learned"`` or a ``.json`` path.

    Raises
    ------
    ConfigError
        For any other value, or a ``.json`` path that does not exist.
    """
    if isinstance(value, bool) or value == LEARNED:
        return value
    if isinstance(value, str) and value.endswith(".json"):
        if not Path(value).is_file():
            raise ConfigError(
                f"The model node's 'portfolio' of graph {graph!r} names {value!r}, which does "
                "not exist. Hint: build one with `python -m benchmarks.portfolio`."
            )
        return value
    raise ConfigError(
        f"The model node's 'portfolio' of graph {graph!r} must be true, false, 'learned' or a "
        f"path to a .json portfolio file; got {value!r}."
    )


def read_learned(path: str | Path, task: str) -> list[dict[str, Any]]:
    """The configurations of a learned portfolio file, in its order.

    Parameters
    ----------
    path : str or Path
        A file written by ``benchmarks/portfolio.py``.
    task : {"classification", "regression"}
        The graph's task; the file must be for the same one.

    Returns
    -------
    list of dict
        Partial configurations, each with a ``"family"``.

    Raises
    ------
    ConfigError
        When the file is not valid JSON, not of this format or task, or an entry
        has no family.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError(f"Portfolio file {str(path)!r} cannot be read: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != PORTFOLIO_FORMAT:
        raise ConfigError(
            f"Portfolio file {str(path)!r} is not an automl portfolio: its 'format' must be "
            f"{PORTFOLIO_FORMAT!r}."
        )
    if data.get("task") != task:
        raise ConfigError(
            f"Portfolio file {str(path)!r} is for task {data.get('task')!r}, not {task!r}."
        )
    configs = data.get("configs")
    if not isinstance(configs, list) or not all(
        isinstance(c, dict) and isinstance(c.get("family"), str) for c in configs
    ):
        raise ConfigError(
            f"Portfolio file {str(path)!r}: 'configs' must be a list of objects, each with a "
            "'family'."
        )
    return configs


def portfolio_entries(graph: PipelineGraph, family: str, ctx: ModelContext) -> list[dict[str, Any]]:
    """The graph's portfolio entries for ``family``, each with its rank in the portfolio.

    Parameters
    ----------
    graph : PipelineGraph
    family : str
    ctx : ModelContext

    Returns
    -------
    list of dict
        Partial configurations with keys in the graph's naming (``"model.<param>"``)
        and ``"_rank"``: the position in the learned file, or in the family's own
        hand-written list.
    """
    if not graph.portfolio:
        return []
    path: str | Path | None = None
    if graph.portfolio == LEARNED:
        path = learned_path(graph.task) if learned_path(graph.task).is_file() else None
    elif isinstance(graph.portfolio, str):
        path = graph.portfolio
    if path is None:  # the hand-written portfolio
        hand = get_family(family).portfolio(ctx)
        return [{**{f"model.{k}": v for k, v in e.items()}, "_rank": i} for i, e in enumerate(hand)]
    return [
        {**{k: v for k, v in entry.items() if k != "family"}, "_rank": i}
        for i, entry in enumerate(read_learned(path, graph.task))
        if entry["family"] == family
    ]


def overlay_entry(
    graph: PipelineGraph,
    family: str,
    entry: dict[str, Any],
    ctx: ModelContext,
    *,
    node_fallback: bool = True,
) -> dict[str, Any] | None:
    """A complete configuration: the family's default with ``entry`` laid over it.

    A numeric value outside the graph's range is moved to the nearest end of it. A
    categorical model value the graph does not offer leaves the entry out (None): the
    model would be another one. A preprocessing choice the graph does not offer (the
    ``imbalanced`` preset imputes with the median only; a portfolio learned on the
    ``default`` graph may ask for the mean), or one for a node this family does not
    search, keeps the graph's default choice: the entry's hyperparameters still run.

    Parameters
    ----------
    graph : PipelineGraph
    family : str
        A family of ``graph``.
    entry : dict
        ``"model.<param>"`` values and node choices; ``"family"`` and keys starting
        with ``_`` are ignored.
    ctx : ModelContext
        The fit's context.
    node_fallback : bool
        Whether a preprocessing choice the graph does not offer falls back to the
        default's (True, for a search) or leaves the entry out (False: the portfolio
        learner scores a candidate as not applicable where its choice is not offered,
        e.g. a log target on negative values, rather than as the default).

    Returns
    -------
    dict or None

    Raises
    ------
    ConfigError
        If the entry names a hyperparameter that is not in the family's space.
    """
    config = graph.default_config(family, ctx)
    space = graph.space(family, ctx)
    for name, value in entry.items():
        if name == "family" or name.startswith("_"):
            continue
        dim = space.get(name)
        if dim is None:
            if name.startswith("model."):
                params = sorted(k.removeprefix("model.") for k in space if k.startswith("model."))
                raise ConfigError(
                    f"The portfolio of family {family!r} sets {name.removeprefix('model.')!r}, "
                    f"which is not in its search space ({params})."
                )
            if not node_fallback and config.get(name) != value:
                return None
            continue  # a node with one choice here, or one this family does not search
        offered = clip_into(dim, value)
        if offered is not None:
            config[name] = offered
        elif name.startswith("model.") or not node_fallback:
            return None  # another model, or a learner that wants the choice itself
    return config
