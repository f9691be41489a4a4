"""Random search: a uniformly drawn family and uniformly drawn choices."""

from __future__ import annotations

from typing import Any

from .base import Strategy, sample_uniform

#: Fresh draws tried before accepting a configuration already seen (small spaces).
MAX_RESAMPLES = 10


class RandomStrategy(Strategy):
    """Defaults first, then uniform random configurations."""

    def ask(self, allowed: set[str], pending: list[dict[str, Any]]) -> dict[str, Any] | None:
        default = self.next_default(allowed)
        if default is not None:
            return self.mark_asked(default)
        fams = [f for f in self.graph.families if f in allowed]
        if not fams:
            return None
        family = fams[int(self.rng.integers(len(fams)))]
        config = self.base_config(family, sample_uniform(self.spaces[family], self.rng))
        for _ in range(MAX_RESAMPLES):
            if self.is_new(config):
                break
            config = self.base_config(family, sample_uniform(self.spaces[family], self.rng))
        return self.mark_asked(config)
