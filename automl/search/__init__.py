"""Search strategies (Bayesian, random, grid), the budget and the trial scheduler."""

from __future__ import annotations

from typing import Any

from ..exceptions import ConfigError, unknown_name_message
from .base import Strategy
from .bayes import BayesStrategy
from .grid import GridStrategy
from .random_search import RandomStrategy

STRATEGIES: dict[str, type[Strategy]] = {
    "bayes": BayesStrategy,
    "random": RandomStrategy,
    "grid": GridStrategy,
}


def make_strategy(name: str, *args: Any, **kwargs: Any) -> Strategy:
    """Build the strategy called ``name`` (``"bayes"``, ``"random"`` or ``"grid"``)."""
    try:
        cls = STRATEGIES[name]
    except (KeyError, TypeError):
        raise ConfigError(unknown_name_message("search strategy", name, STRATEGIES)) from None
    return cls(*args, **kwargs)


__all__ = ["STRATEGIES", "Strategy", "make_strategy"]
