"""Hyperband: successive-halving brackets over fidelities (Li et al., 2018).

The strategy hands out configurations with a ``"fidelity"`` (see
:mod:`automl.fidelity`) and learns from their losses; it knows nothing about
rows or epochs, so any caller can map a fidelity to its own resource.

Brackets follow Hyperband's schedule (:mod:`automl.search.brackets`), cycling
from the most aggressive (many configurations at the smallest fidelity) to plain
full-fidelity search. Parallel trials are handled by bracket bookkeeping, not by
ASHA's promote-whenever-possible rule: a rung is decided only when all its
configurations have been told, so promotions are exactly Hyperband's best
``1/eta``; while a rung waits on running trials, ``ask`` hands out promotions of
other brackets or opens the next bracket, so workers never idle. With one worker
this is exactly sequential Hyperband.

Every family's default and portfolio configurations fill the first rungs
(at low fidelity) before random points; a space with nothing new left closes its
bracket, and ``ask`` returns None when neither a promotion nor a new point is left.
A resumed log's trials are remembered (never re-proposed) but not put back into
brackets.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError
from ..fidelity import MIN_DEFAULT_FIDELITY, fidelity_of, with_fidelity, without_fidelity
from ..graph import PipelineGraph
from ..models import ModelContext
from .base import Strategy, config_key, sample_uniform
from .brackets import Bracket, bracket_sizes, rung_fidelities

#: Fresh draws of a family before it counts as exhausted (tiny discrete spaces).
MAX_RESAMPLES = 50


def point_key(config: dict[str, Any]) -> str:
    """The key of a configuration regardless of its fidelity."""
    return config_key(without_fidelity(config))


def _fidelity_key(fidelity: float) -> float:
    return round(float(fidelity), 9)


class HyperbandStrategy(Strategy):
    """Hyperband over the graph's families, random configurations in new brackets.

    Parameters
    ----------
    graph : PipelineGraph
    ctx : ModelContext
    random_state : int or None
    min_fidelity : float or None
        The smallest fidelity a configuration runs at, in (0, 1]; None: 1/27.
        1.0 means a single rung (random search at full fidelity).
    eta : float
        Reduction factor: each rung keeps the best ``1/eta``; above 1.

    Attributes
    ----------
    fidelities : list of float
        The rungs' fidelities, smallest first.
    brackets : list of Bracket
        Brackets not finished yet.
    n_brackets : int
        Brackets opened so far.
    """

    #: The search hands out fidelities below 1 (the session sets ``min_fidelity``).
    multi_fidelity = True

    def __init__(
        self,
        graph: PipelineGraph,
        ctx: ModelContext,
        random_state: int | None = None,
        *,
        min_fidelity: float | None = None,
        eta: float = 3,
    ) -> None:
        super().__init__(graph, ctx, random_state)
        if isinstance(eta, bool) or not isinstance(eta, (int, float)) or not eta > 1:
            raise ConfigError(
                f"The 'eta' parameter of {type(self).__name__} must be a number above 1 "
                f"(each rung keeps the best 1/eta). Got {eta!r} instead."
            )
        if min_fidelity is None:
            min_fidelity = MIN_DEFAULT_FIDELITY
        if (
            isinstance(min_fidelity, bool)
            or not isinstance(min_fidelity, (int, float))
            or not (0.0 < min_fidelity <= 1.0)
        ):
            raise ConfigError(
                f"The 'min_fidelity' parameter of {type(self).__name__} must be a float in the "
                f"range (0, 1]. Got {min_fidelity!r} instead."
            )
        self.eta = float(eta)
        self.min_fidelity = float(min_fidelity)
        self.fidelities = rung_fidelities(self.min_fidelity, self.eta)
        self.s_max = len(self.fidelities) - 1
        self.brackets: list[Bracket] = []
        self.n_brackets = 0
        self._next_s = self.s_max
        self._queue: list[tuple[Bracket, int, str, dict[str, Any]]] = []
        self._where: dict[tuple[str, float], tuple[Bracket, int]] = {}
        self._sampled: set[str] = set()
        self._exhausted: set[str] = set()

    # -- ask ------------------------------------------------------------------------
    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        promoted = self._pop_promotion(allowed)
        if promoted is not None:
            return promoted
        config = self._new_point(allowed, pending)
        if config is None:
            for bracket in self.brackets:
                if bracket.wants_new():
                    bracket.close()
                    self._collect(bracket)
            return self._pop_promotion(allowed)
        key = point_key(config)
        self._sampled.add(key)
        return self._issue(self._open_bracket(), 0, key, config)

    def _open_bracket(self) -> Bracket:
        for bracket in self.brackets:
            if bracket.wants_new():
                return bracket
        s = self._next_s
        self._next_s = s - 1 if s > 0 else self.s_max
        bracket = Bracket(
            s=s,
            sizes=bracket_sizes(s, self.s_max, self.eta),
            fidelities=self.fidelities[self.s_max - s :],
            eta=self.eta,
        )
        self.brackets.append(bracket)
        self.n_brackets += 1
        return bracket

    def _issue(
        self, bracket: Bracket, rung: int, key: str, config: dict[str, Any]
    ) -> dict[str, Any]:
        fidelity = bracket.fidelities[rung]
        bracket.add(rung, key, without_fidelity(config))
        self._where[(key, _fidelity_key(fidelity))] = (bracket, rung)
        return self.mark_asked(with_fidelity(config, fidelity))

    def _pop_promotion(self, allowed: set[str]) -> dict[str, Any] | None:
        """The waiting promotion of an allowed family at the highest fidelity (oldest first)."""
        best = None
        for i, (bracket, rung, _, config) in enumerate(self._queue):
            if config["family"] not in allowed:
                continue  # too costly for the time left now; it may fit later
            if (
                best is None
                or bracket.fidelities[rung] > self._queue[best][0].fidelities[self._queue[best][1]]
            ):
                best = i
        if best is None:
            return None
        bracket, rung, key, config = self._queue.pop(best)
        return self._issue(bracket, rung, key, config)

    def _new_point(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        """A configuration never started before: a default, else a proposal, else None."""
        while True:
            default = self.next_default(allowed)
            if default is None:
                break
            if point_key(default) not in self._sampled:
                return default
        families = [f for f in self.graph.families if f in allowed and f not in self._exhausted]
        for i in self.rng.permutation(len(families)):
            family = families[int(i)]
            config = self.propose(family, pending)
            for _ in range(MAX_RESAMPLES):
                if point_key(config) not in self._sampled:
                    return config
                config = self.base_config(family, sample_uniform(self.spaces[family], self.rng))
            self._exhausted.add(family)
        return None

    def propose(self, family: str, pending: list[dict[str, Any]]) -> dict[str, Any]:
        """A new configuration of ``family`` for a bracket's first rung (here: uniform)."""
        return self.base_config(family, sample_uniform(self.spaces[family], self.rng))

    # -- tell -----------------------------------------------------------------------
    def tell(self, config: dict[str, Any], loss: float | None) -> None:
        super().tell(config, loss)
        key = point_key(config)
        self._sampled.add(key)
        self._defaults = [d for d in self._defaults if point_key(d) != key]
        where = self._where.pop((key, _fidelity_key(fidelity_of(config))), None)
        if where is not None:
            bracket, rung = where
            bracket.record(rung, key, loss)
            self._collect(bracket)
        self.observe(config, loss)

    def observe(self, config: dict[str, Any], loss: float | None) -> None:
        """Learn from a told configuration (a model-based subclass fits its surrogate)."""

    def _collect(self, bracket: Bracket) -> None:
        self._queue.extend((bracket, rung, key, cfg) for rung, key, cfg in bracket.promotions())
        self.brackets = [b for b in self.brackets if not b.done]
