"""Hyperband's schedule and the bookkeeping of one successive-halving bracket.

With reduction factor ``eta`` and smallest fidelity ``r_min`` there are
``s_max + 1`` rungs, ``s_max = floor(log_eta(1 / r_min))``, at fidelities
``eta**-(s_max - i)`` (the smallest is never below ``r_min``; the largest is 1).
Bracket ``s`` (``s_max`` down to 0) starts ``n = ceil((s_max + 1) / (s + 1) * eta**s)``
configurations at rung ``s_max - s`` and keeps the best ``floor(n * eta**-j)``
after ``j`` halvings, up to full fidelity (Li et al., 2018).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


def n_halvings(min_fidelity: float, eta: float) -> int:
    """``s_max``: how many times ``eta`` divides full fidelity down to ``min_fidelity``."""
    if min_fidelity >= 1.0:
        return 0
    return int(math.floor(math.log(1.0 / min_fidelity) / math.log(eta) + 1e-9))


def rung_fidelities(min_fidelity: float, eta: float) -> list[float]:
    """The fidelities of the rungs, smallest first, the last one 1.0."""
    s_max = n_halvings(min_fidelity, eta)
    return [float(eta ** -(s_max - i)) for i in range(s_max + 1)]


def bracket_sizes(s: int, s_max: int, eta: float) -> list[int]:
    """Configurations per rung of bracket ``s``, from its first rung up to full fidelity."""
    n = int(math.ceil((s_max + 1) / (s + 1) * eta**s))
    return [max(1, int(math.floor(n * eta**-j + 1e-9))) for j in range(s + 1)]


@dataclass
class Bracket:
    """One successive-halving bracket, tolerant of trials still running.

    A rung is decided once every configuration it holds has been told (and, for the
    first rung, once it is full or closed for lack of new configurations); then its
    best ``1/eta`` (the planned size of the next rung) are promoted. Failed trials
    (loss None or not finite) are never promoted.

    Attributes
    ----------
    s : int
        The bracket's Hyperband index (``s_max`` for the most aggressive one).
    sizes : list of int
        Planned configurations per rung.
    fidelities : list of float
        The rungs' fidelities.
    rungs : list of dict
        Per rung: point key -> ``[configuration without fidelity, loss or None, told]``.
    """

    s: int
    sizes: list[int]
    fidelities: list[float]
    eta: float
    rungs: list[dict[str, list[Any]]] = field(default_factory=list)
    expected: list[int | None] = field(default_factory=list)
    decided: list[bool] = field(default_factory=list)
    closed: bool = False

    def __post_init__(self) -> None:
        self.rungs = [{} for _ in self.sizes]
        self.expected = [self.sizes[0]] + [None] * (len(self.sizes) - 1)
        self.decided = [False] * len(self.sizes)

    def wants_new(self) -> bool:
        """Whether the first rung still takes new configurations."""
        return not self.closed and len(self.rungs[0]) < self.sizes[0]

    def close(self) -> None:
        """No new configuration is coming: the first rung is decided with what it has."""
        self.closed = True
        self.expected[0] = len(self.rungs[0])

    def add(self, rung: int, key: str, config: dict[str, Any]) -> None:
        """A configuration was asked at ``rung``."""
        self.rungs[rung][key] = [config, None, False]

    def record(self, rung: int, key: str, loss: float | None) -> None:
        """The loss of a configuration asked at ``rung``."""
        entry = self.rungs[rung][key]
        entry[1] = loss if loss is not None and math.isfinite(loss) else None
        entry[2] = True

    def promotions(self) -> list[tuple[int, str, dict[str, Any]]]:
        """``(next rung, key, configuration)`` of each newly decided rung's best."""
        out: list[tuple[int, str, dict[str, Any]]] = []
        for i in range(len(self.sizes) - 1):
            entries, expected = self.rungs[i], self.expected[i]
            if self.decided[i] or expected is None:
                continue
            if len(entries) < expected or not all(e[2] for e in entries.values()):
                continue
            self.decided[i] = True
            full = len(entries) == self.sizes[i]
            keep = self.sizes[i + 1] if full else max(1, len(entries) // int(self.eta))
            scored = sorted(
                ((e[1], key) for key, e in entries.items() if e[1] is not None),
                key=lambda t: (t[0], t[1]),
            )
            best = scored[:keep]
            self.expected[i + 1] = len(best)
            if not best:  # nothing to promote: the rungs above will not run
                for j in range(i + 1, len(self.sizes)):
                    self.expected[j], self.decided[j] = 0, True
            out.extend((i + 1, key, entries[key][0]) for _, key in best)
        return out

    @property
    def done(self) -> bool:
        """Whether every rung that will run is complete (and decided, below the last)."""
        last = len(self.sizes) - 1
        for i, entries in enumerate(self.rungs):
            expected = self.expected[i]
            if expected is None or len(entries) < expected:
                return False
            if not all(e[2] for e in entries.values()) or not (self.decided[i] or i == last):
                return False
        return True
