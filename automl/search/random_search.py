"""Random search: a uniformly drawn family and uniformly drawn choices."""

from __future__ import annotations

from typing import Any

from .base import Strategy, sample_uniform


class RandomStrategy(Strategy):
    """Defaults first, then uniform random configurations."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._defaults = self.defaults_first()

    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        while self._defaults:
            config = self._defaults.pop(0)
            if config["family"] in allowed:
                return config
        fams = [f for f in self.graph.families if f in allowed]
        if not fams:
            return None
        family = fams[int(self.rng.integers(len(fams)))]
        return self.base_config(family, sample_uniform(self.spaces[family], self.rng))
