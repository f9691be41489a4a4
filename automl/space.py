"""Search-space dimensions, independent of any optimizer library.

Model families and pipeline nodes declare their hyperparameters with these
types; :mod:`automl.search` translates them for scikit-optimize.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .exceptions import ConfigError


def _check_range(low: float, high: float, log: bool) -> None:
    if not low < high:
        raise ConfigError(f"`low < high` must hold, but got (low={low}, high={high}).")
    if log and low <= 0:
        raise ConfigError(f"A log-scale range needs low > 0, but got low={low}.")


def _check_points(n_points: int | None) -> None:
    if n_points is not None and (
        isinstance(n_points, bool) or not isinstance(n_points, int) or n_points < 2
    ):
        raise ConfigError(f"`n_points` must be an int >= 2 or None, but got {n_points!r}.")


@dataclass(frozen=True)
class Real:
    """A continuous range ``[low, high]``, optionally searched on a log scale.

    Parameters
    ----------
    low, high : float
        The range's ends, ``low < high``.
    log : bool, default=False
        Search on a log scale (``low > 0``).
    n_points : int or None, default=None
        Grid size under a grid search; None: the strategy's own.
    """

    low: float
    high: float
    log: bool = False
    n_points: int | None = None

    def __post_init__(self) -> None:
        _check_range(self.low, self.high, self.log)
        _check_points(self.n_points)

    def grid(self, n: int = 3) -> list[float]:
        """Evenly spaced values over the range (geometric when ``log``).

        Parameters
        ----------
        n : int, default=3
            How many, unless ``n_points`` is set.

        Returns
        -------
        list of float
            ``n_points`` or ``n`` values from ``low`` to ``high``.
        """
        n = self.n_points or n
        if self.log:
            a, b = math.log(self.low), math.log(self.high)
            return [float(math.exp(a + (b - a) * i / (n - 1))) for i in range(n)]
        return [float(self.low + (self.high - self.low) * i / (n - 1)) for i in range(n)]

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the dimension.

        Parameters
        ----------
        value : object
            A candidate value.

        Returns
        -------
        bool
            True when the dimension holds ``value``.
        """
        return isinstance(value, (int, float)) and self.low <= value <= self.high


@dataclass(frozen=True)
class Integer:
    """An integer range ``[low, high]``, optionally searched on a log scale.

    Parameters
    ----------
    low, high : int
        The range's ends, ``low < high``.
    log : bool, default=False
        Search on a log scale (``low > 0``).
    n_points : int or None, default=None
        Grid size under a grid search; None: the strategy's own.
    """

    low: int
    high: int
    log: bool = False
    n_points: int | None = None

    def __post_init__(self) -> None:
        _check_range(self.low, self.high, self.log)
        _check_points(self.n_points)

    def grid(self, n: int = 3) -> list[int]:
        """Distinct values spread over the range.

        Parameters
        ----------
        n : int, default=3
            How many at most, unless ``n_points`` is set.

        Returns
        -------
        list of int
            Up to ``n_points`` or ``n`` values from ``low`` to ``high``.
        """
        n = self.n_points or n
        values = Real(self.low, self.high, self.log).grid(n) if self.high > self.low else [self.low]
        return sorted({int(round(v)) for v in values})

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the dimension.

        Parameters
        ----------
        value : object
            A candidate value.

        Returns
        -------
        bool
            True when the dimension holds ``value``.
        """
        return isinstance(value, (int,)) and self.low <= value <= self.high


@dataclass(frozen=True)
class Categorical:
    """A finite set of choices (strings, numbers, booleans or None).

    Parameters
    ----------
    choices : sequence
        The values, at least one; the first is the default.
    """

    choices: tuple[Any, ...] = field(default_factory=tuple)

    def __init__(self, choices: Sequence[Any]) -> None:
        object.__setattr__(self, "choices", tuple(choices))
        if not self.choices:
            raise ConfigError("A categorical dimension needs at least one choice.")

    def grid(self, n: int = 3) -> list[Any]:
        """Every choice.

        Parameters
        ----------
        n : int, default=3
            Ignored: a set of choices is searched whole.

        Returns
        -------
        list
            The choices, in order.
        """
        return list(self.choices)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the dimension.

        Parameters
        ----------
        value : object
            A candidate value.

        Returns
        -------
        bool
            True when the dimension holds ``value``.
        """
        return value in self.choices


Dimension = Real | Integer | Categorical
Space = dict[str, Dimension]


def dimension_from_spec(spec: Any) -> Dimension:
    """Build a dimension from preset data.

    ``{"low": 1, "high": 10}`` (ints) gives :class:`Integer`, floats give
    :class:`Real`, ``"log": true`` selects a log scale, and a list gives
    :class:`Categorical`.
    """
    if isinstance(spec, (Real, Integer, Categorical)):
        return spec
    if isinstance(spec, (list, tuple)):
        return Categorical(spec)
    if isinstance(spec, dict) and "low" in spec and "high" in spec:
        low, high, log = spec["low"], spec["high"], bool(spec.get("log", False))
        if isinstance(low, int) and isinstance(high, int) and not isinstance(low, bool):
            return Integer(low, high, log)
        return Real(float(low), float(high), log)
    raise ConfigError(
        f"Cannot read a search dimension from {spec!r}: use a list of choices or "
        "a table with 'low', 'high' and optionally 'log'."
    )


def describe_dimension(dim: Dimension) -> str:
    """Human-readable text of a dimension, for reports."""
    if isinstance(dim, Categorical):
        return "{" + ", ".join(str(c) for c in dim.choices) + "}"
    scale = ", log" if dim.log else ""
    return f"[{dim.low}, {dim.high}{scale}]"
