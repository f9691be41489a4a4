"""The interface every search strategy implements: ask for configurations, tell losses."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from ..graph import PipelineGraph
from ..models import ModelContext, get_family
from .budget import CostModel


class Strategy(ABC):
    """Proposes pipeline configurations and learns from their losses (lower is better).

    Parameters
    ----------
    graph : PipelineGraph
        The graph whose families and choices are searched.
    ctx : ModelContext
        Facts about the data, used to build each family's space.
    random_state : int or None
        Seed.

    Attributes
    ----------
    costs : CostModel or None
        The search's measured trial durations per family (the same model the budget
        schedules with), for strategies whose choices weigh cost; None when the
        search runs without a time budget, so a seeded search never depends on the
        clock.
    """

    #: Whether the strategy hands out fidelities below 1 (Hyperband, BOHB).
    multi_fidelity = False

    def __init__(
        self, graph: PipelineGraph, ctx: ModelContext, random_state: int | None = None
    ) -> None:
        self.graph = graph
        self.ctx = ctx
        self.rng = np.random.default_rng(random_state)
        self.random_state = random_state
        self.spaces = {f: graph.space(f, ctx) for f in graph.families}
        self.history: list[tuple[dict[str, Any], float | None]] = []
        self.seen: set[str] = set()
        self._defaults = self.defaults_first()
        self.costs: CostModel | None = None

    def defaults_first(self) -> list[dict[str, Any]]:
        """Each family's known-good configuration, cheapest family first; then the
        families' portfolios: a learned one in its selection order, hand-written
        ones one entry of each family in turn."""
        fams = sorted(self.graph.families, key=lambda f: get_family(f).cost)
        queue = [self.graph.default_config(f, self.ctx) for f in fams]
        return queue + self.graph.portfolio_queue(fams, self.ctx)

    def next_default(self, allowed: set[str]) -> dict[str, Any] | None:
        """The first not-yet-run queued configuration among ``allowed`` families (others
        stay queued): the defaults, then the portfolios."""
        for i, config in enumerate(self._defaults):
            if config["family"] in allowed:
                return self._defaults.pop(i)
        return None

    def is_new(self, config: dict[str, Any]) -> bool:
        """Whether ``config`` was never told nor asked before."""
        return config_key(config) not in self.seen

    def mark_asked(self, config: dict[str, Any]) -> dict[str, Any]:
        self.seen.add(config_key(config))
        return config

    def base_config(self, family: str, values: dict[str, Any]) -> dict[str, Any]:
        """A complete configuration: the family's defaults overlaid with ``values``."""
        config = self.graph.default_config(family, self.ctx)
        config.update(values)
        config["family"] = family
        return config

    @abstractmethod
    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        """Next configuration among ``allowed`` families, or None when nothing is left.

        ``pending`` holds configurations asked but not yet told (parallel trials).
        """

    def tell(self, config: dict[str, Any], loss: float | None) -> None:
        """Record a finished trial; ``loss`` is None for a failed one.

        Telling a configuration also retires it: a default already run (say, in a
        resumed log) is not proposed again, nor is any configuration already seen.
        """
        self.history.append((config, loss))
        key = config_key(config)
        self.seen.add(key)
        self._defaults = [d for d in self._defaults if config_key(d) != key]

    def worst_loss(self) -> float:
        losses = [loss for _, loss in self.history if loss is not None and np.isfinite(loss)]
        return (max(losses) + abs(max(losses)) * 0.1 + 0.1) if losses else 1.0


def sample_uniform(space: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """One uniform random point of a space (log-uniform for log dimensions)."""
    from ..space import Categorical, Integer

    values: dict[str, Any] = {}
    for name, dim in space.items():
        if isinstance(dim, Categorical):
            values[name] = dim.choices[int(rng.integers(len(dim.choices)))]
            continue
        lo, hi = (np.log(dim.low), np.log(dim.high)) if dim.log else (dim.low, dim.high)
        x = rng.uniform(lo, hi + (1e-9 if isinstance(dim, Integer) else 0.0))
        x = float(np.exp(x)) if dim.log else float(x)
        values[name] = int(min(max(round(x), dim.low), dim.high)) if isinstance(dim, Integer) else x
    return values


def config_key(config: dict[str, Any]) -> str:
    """A canonical text of a configuration, for recognising repeats."""
    import json

    def plain(v: Any) -> Any:
        return v.item() if isinstance(v, np.generic) else v

    return json.dumps({k: plain(v) for k, v in sorted(config.items())}, default=str)
