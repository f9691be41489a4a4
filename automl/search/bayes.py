"""Bayesian search: a family chooser over one skopt optimizer per model family.

Every family first runs its known-good default. After that the chooser draws a
family with probability that rises with how close the family's best loss is to
the overall best and falls with its measured cost per trial (FLAML's idea of
weighing expected improvement against cost), and the family's own optimizer
proposes its hyperparameters and preprocessing choices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..graph import PipelineGraph
from ..models import ModelContext
from .base import Strategy
from .skopt_adapter import SkoptOptimizer

#: Asks for a fresh point before accepting one the optimizer already proposed.
MAX_REASKS = 4


class BayesStrategy(Strategy):
    """Per-family scikit-optimize optimizers behind a cost-aware family chooser.

    Parameters
    ----------
    graph : PipelineGraph
    ctx : ModelContext
    random_state : int or None
    n_initial_points : int
        Random configurations per family before its surrogate proposes.
    surrogate : str
        Each family's skopt surrogate (see
        :class:`~automl.search.skopt_adapter.SkoptOptimizer`): ``"ET"`` for the
        AutoML graph's mixed spaces, ``"auto"`` for a user's space (``SearchCV``).
    """

    def __init__(
        self,
        graph: PipelineGraph,
        ctx: ModelContext,
        random_state: int | None = None,
        n_initial_points: int = 4,
        surrogate: str = "ET",
    ) -> None:
        super().__init__(graph, ctx, random_state)
        self.optimizers = {
            f: SkoptOptimizer(
                space,
                random_state=None if random_state is None else random_state + i,
                n_initial_points=n_initial_points,
                base_estimator=surrogate,
            )
            for i, (f, space) in enumerate(self.spaces.items())
        }
        self.best: dict[str, float] = {}
        self.counts: dict[str, int] = {f: 0 for f in graph.families}

    def _choose_family(self, allowed: set[str]) -> str | None:
        fams = [f for f in self.graph.families if f in allowed]
        if not fams:
            return None
        tried = [f for f in fams if f in self.best]
        if not tried:
            return fams[int(self.rng.integers(len(fams)))]
        overall = min(self.best.values())
        spread = np.std(list(self.best.values())) if len(self.best) > 1 else 0.0
        temperature = max(spread, 0.01 * max(abs(overall), 1e-3), 1e-4)
        weights = []
        for f in fams:
            gap = self.best.get(f, overall) - overall
            cost = self.costs.predict(f) if self.costs and self.costs.known(f) else 1.0
            exploration = 1.0 + 1.0 / (1 + self.counts[f])
            weights.append(np.exp(-gap / temperature) * exploration / np.sqrt(max(cost, 0.05)))
        w = np.asarray(weights)
        return fams[int(self.rng.choice(len(fams), p=w / w.sum()))]

    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        default = self.next_default(allowed)
        if default is not None:
            return self.mark_asked(default)
        family = self._choose_family(allowed)
        if family is None:
            return None
        optimizer = self.optimizers[family]
        n_pending = sum(1 for c in pending if c["family"] == family)
        # Beside pending points, trees propose a constant-liar batch (cheap). A Gaussian
        # process first offers the point it computed at its last tell: a batch refits it
        # once per lie (1 s at 60 points), which idles a worker for as long.
        size = 1 if optimizer.surrogate == "GP" else n_pending + 1
        candidates = optimizer.ask(size)
        config = self.base_config(family, candidates[-1])
        # The optimizer may repeat a pending point: ask for more, up to MAX_REASKS times.
        for extra in range(1, MAX_REASKS):
            if self.is_new(config):
                break
            candidates = optimizer.ask(n_pending + 1 + extra)
            config = self.base_config(family, candidates[-1])
        return self.mark_asked(config)

    def tell(self, config: dict[str, Any], loss: float | None) -> None:
        super().tell(config, loss)
        family = config["family"]
        self.counts[family] = self.counts.get(family, 0) + 1
        value = loss if loss is not None and np.isfinite(loss) else self.worst_loss()
        if loss is not None and np.isfinite(loss):
            self.best[family] = min(self.best.get(family, np.inf), loss)
        opt = self.optimizers.get(family)
        if opt is not None:
            opt.tell({k: config.get(k) for k in opt.names}, value)
