"""Search strategies (Bayesian, random, grid, Hyperband, BOHB), the budget and the scheduler."""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError, unknown_name_message
from .base import Strategy
from .bayes import BayesStrategy
from .bohb import BOHBStrategy
from .grid import GridStrategy
from .hyperband import HyperbandStrategy
from .random_search import RandomStrategy

STRATEGIES: dict[str, type[Strategy]] = {
    "bayes": BayesStrategy,
    "random": RandomStrategy,
    "grid": GridStrategy,
    "hyperband": HyperbandStrategy,
    "bohb": BOHBStrategy,
}


def make_strategy(name: str, *args: Any, **kwargs: Any) -> Strategy:
    """Build the strategy called ``name`` (a key of :data:`STRATEGIES`).

    ``"hyperband"`` and ``"bohb"`` also take ``min_fidelity`` and ``eta``.
    """
    try:
        cls = STRATEGIES[name]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("search strategy", name, STRATEGIES)) from None
    return cls(*args, **kwargs)


__all__ = ["STRATEGIES", "Strategy", "make_strategy"]
