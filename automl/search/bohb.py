"""BOHB: Hyperband whose new configurations come from a surrogate model (Falkner et al., 2018).

Brackets, rungs and promotions are Hyperband's (:mod:`automl.search.hyperband`).
A new configuration of a family is proposed, as in the BOHB paper, by a model
fitted on the highest fidelity that has at least ``dims + 1`` observations of
that family (``dims``: the family's searched dimensions); a share
``random_fraction`` of proposals, and every proposal before any fidelity has
enough observations, is drawn uniformly instead. The model is a scikit-optimize
optimizer (extra-trees surrogate, expected improvement) per family and fidelity,
through :mod:`automl.search.skopt_adapter`, where BOHB's paper uses a kernel
density estimator; failed trials are told as a loss worse than any seen.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ConfigError
from ..fidelity import fidelity_of
from ..graph import PipelineGraph
from ..models import ModelContext
from .hyperband import HyperbandStrategy, point_key
from .skopt_adapter import SkoptOptimizer

#: Asks for a fresh point before falling back to a random one.
MAX_REASKS = 4


class BOHBStrategy(HyperbandStrategy):
    """Hyperband brackets; new configurations proposed by a per-fidelity surrogate.

    Parameters
    ----------
    graph, ctx, random_state, min_fidelity, eta :
        As :class:`~automl.search.hyperband.HyperbandStrategy`.
    random_fraction : float
        Share of new configurations drawn uniformly at random, in [0, 1].

    Attributes
    ----------
    optimizers : dict
        ``{(family, fidelity): SkoptOptimizer}``, one per fidelity observed.
    n_model_proposals : int
        New configurations the surrogate proposed.
    """

    def __init__(
        self,
        graph: PipelineGraph,
        ctx: ModelContext,
        random_state: int | None = None,
        *,
        min_fidelity: float | None = None,
        eta: float = 3,
        random_fraction: float = 1.0 / 3.0,
    ) -> None:
        super().__init__(graph, ctx, random_state, min_fidelity=min_fidelity, eta=eta)
        if not isinstance(random_fraction, (int, float)) or not 0.0 <= random_fraction <= 1.0:
            raise ConfigError(
                f"The 'random_fraction' parameter of BOHBStrategy must be a float in the range "
                f"[0, 1]. Got {random_fraction!r} instead."
            )
        self.random_fraction = float(random_fraction)
        self.optimizers: dict[tuple[str, float], SkoptOptimizer] = {}
        self.n_model_proposals = 0
        # observations not yet told to their optimizer: the surrogate is refitted only
        # when it proposes, not after every trial (most trials never need it)
        self._waiting: dict[tuple[str, float], list[tuple[dict[str, Any], float]]] = {}

    def _optimizer(self, family: str, fidelity: float) -> SkoptOptimizer:
        """The optimizer of ``family`` at ``fidelity``, told everything observed there."""
        key = (family, round(fidelity, 9))
        if key not in self.optimizers:
            seed = None if self.random_state is None else self.random_state + len(self.optimizers)
            self.optimizers[key] = SkoptOptimizer(
                self.spaces[family],
                random_state=seed,
                n_initial_points=len(self.spaces[family]) + 1,
            )
        opt, waiting = self.optimizers[key], self._waiting.pop(key, [])
        if waiting:
            opt.tell_many(waiting)
        return opt

    def n_observed(self, family: str, fidelity: float) -> int:
        """Observations of ``family`` at ``fidelity`` (failed trials included)."""
        key = (family, round(fidelity, 9))
        opt = self.optimizers.get(key)
        return (0 if opt is None else opt.n_told) + len(self._waiting.get(key, []))

    def model_fidelity(self, family: str) -> float | None:
        """The highest fidelity with at least ``dims + 1`` observations of ``family``."""
        needed = len(self.spaces[family]) + 1
        fidelities = {f for fam, f in (*self.optimizers, *self._waiting) if fam == family}
        ready = [f for f in fidelities if self.n_observed(family, f) >= needed]
        return max(ready) if ready else None

    def propose(self, family: str, pending: list[dict[str, Any]]) -> dict[str, Any]:
        fidelity = self.model_fidelity(family) if self.spaces[family] else None
        if fidelity is None or self.rng.random() < self.random_fraction:
            return super().propose(family, pending)
        opt = self._optimizer(family, fidelity)
        n_pending = sum(1 for c in pending if c["family"] == family)
        # The optimizer's next point is free (computed when it was last told); it repeats
        # until told again, so when it is taken (running, or proposed before), a
        # constant-liar batch is asked instead and its last point kept: that refits the
        # surrogate once per lie (0.6 s for two points of the net's space), time the
        # workers would wait for.
        for n in (1, *range(max(2, n_pending + 1), n_pending + 1 + MAX_REASKS)):
            config = self.base_config(family, opt.ask(n)[-1])
            if point_key(config) not in self._sampled:
                self.n_model_proposals += 1
                return config
        return super().propose(family, pending)

    def observe(self, config: dict[str, Any], loss: float | None) -> None:
        family = config.get("family")
        if family not in self.spaces or not self.spaces[family]:
            return
        value = loss if loss is not None and np.isfinite(loss) else self.worst_loss()
        values = {k: config.get(k) for k in self.spaces[family]}
        self._waiting.setdefault((family, round(fidelity_of(config), 9)), []).append(
            (values, value)
        )
