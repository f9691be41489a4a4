"""Grid search: every family's grid (3 points per numeric range), families interleaved.

Each family's grid is visited in a seeded random order, so a budget that ends
early still covers the grid evenly rather than only its first corner.
"""

from __future__ import annotations

import itertools
from typing import Any

from .base import Strategy

#: Largest grid kept per family; beyond it a seeded random subset is used.
MAX_POINTS_PER_FAMILY = 2000


class GridStrategy(Strategy):
    """Defaults first, then grid points, one family after another in turn."""

    def __init__(self, *args: Any, points_per_dimension: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queues: dict[str, list[dict[str, Any]]] = {}
        for family, space in self.spaces.items():
            names = list(space)
            axes = [space[n].grid(points_per_dimension) for n in names]
            size = 1
            for axis in axes:
                size *= len(axis)
            if size <= MAX_POINTS_PER_FAMILY:
                points = [
                    dict(zip(names, combo, strict=False)) for combo in itertools.product(*axes)
                ]
                order = self.rng.permutation(len(points))
                queue = [points[i] for i in order]
            else:
                queue = [
                    {
                        n: axis[int(self.rng.integers(len(axis)))]
                        for n, axis in zip(names, axes, strict=False)
                    }
                    for _ in range(MAX_POINTS_PER_FAMILY)
                ]
            self._queues[family] = [self.base_config(family, p) for p in queue]
        self._turn = 0

    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        default = self.next_default(allowed)
        if default is not None:
            return self.mark_asked(default)
        fams = [f for f in self.graph.families if f in allowed and self._queues.get(f)]
        if not fams:
            return None
        for _ in range(len(fams)):
            family = fams[self._turn % len(fams)]
            self._turn += 1
            queue = self._queues[family]
            while queue and not self.is_new(queue[0]):
                queue.pop(0)  # already run (a default, or a resumed log)
            if queue:
                return self.mark_asked(queue.pop(0))
        return None
