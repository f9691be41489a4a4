"""The one place that talks to scikit-optimize.

Translates :mod:`automl.space` dimensions to skopt's, and wraps one
``skopt.Optimizer`` per subspace with ask/tell in plain Python values.
Categorical choices travel as string indices so mixed-type choices
(``"sqrt"`` beside ``0.5``) never confuse skopt's encoders.

The surrogate: extra trees (``"ET"``) by default, which handle categorical and
mixed spaces and stay cheap at hundreds of observations. ``"auto"`` picks a
Gaussian process for a small space of numbers alone (the model of Snoek et al.,
2012, and of scikit-optimize's ``BayesSearchCV``), where a smooth model finds the
optimum in far fewer trials than trees, whose flat predictions between splits
leave expected improvement stuck near the first good point; past
:data:`GP_MAX_POINTS` observations a Gaussian process costs more per proposal
than a fast trial, so the optimizer hands its observations over to extra trees.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..space import Categorical, Integer, Real, Space


def _to_skopt(name: str, dim: Any) -> Any:
    from skopt import space as sk

    if isinstance(dim, Categorical):
        return sk.Categorical([str(i) for i in range(len(dim.choices))], name=name)
    prior = "log-uniform" if dim.log else "uniform"
    if isinstance(dim, Integer):
        return sk.Integer(dim.low, dim.high, prior=prior, name=name)
    if isinstance(dim, Real):
        return sk.Real(dim.low, dim.high, prior=prior, name=name)
    raise TypeError(f"Unsupported dimension {dim!r}")


#: Observations after which a Gaussian process hands over to extra trees: fitting one
#: costs about 0.6 s at 150 points of a 4-dimensional space on one core.
GP_MAX_POINTS = 120
#: The most dimensions ``"auto"`` gives a Gaussian process.
GP_MAX_DIMS = 8


def choose_surrogate(space: Space) -> str:
    """``"GP"`` for a space of at most :data:`GP_MAX_DIMS` numeric ranges, else ``"ET"``."""
    numeric = all(isinstance(d, (Real, Integer)) for d in space.values())
    return "GP" if space and numeric and len(space) <= GP_MAX_DIMS else "ET"


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


class SkoptOptimizer:
    """Bayesian optimization over one :data:`~automl.space.Space` (minimises a loss).

    Parameters
    ----------
    space : Space
        Dimensions by name.
    random_state : int or None
        Seed of the optimizer.
    n_initial_points : int
        Random points before the surrogate model is used.
    base_estimator : str
        skopt surrogate: ``"ET"`` (extra trees; fast, handles categorical
        choices well), ``"RF"``, ``"GP"`` or ``"GBRT"``; ``"auto"``:
        :func:`choose_surrogate`. A Gaussian process hands over to extra trees
        after :data:`GP_MAX_POINTS` observations.

    Attributes
    ----------
    surrogate : str
        The surrogate proposing now.
    n_told : int
        Observations recorded.
    """

    def __init__(
        self,
        space: Space,
        *,
        random_state: int | None = None,
        n_initial_points: int = 5,
        base_estimator: str = "ET",
    ) -> None:
        self.space = dict(space)
        self.names = list(self.space)
        self._dims = [_to_skopt(n, d) for n, d in self.space.items()]
        self._random_state = random_state
        if base_estimator == "auto":
            base_estimator = choose_surrogate(self.space)
        self._opt = self._optimizer(base_estimator, n_initial_points)
        self.surrogate = base_estimator
        self.n_told = 0

    def _optimizer(self, base_estimator: str, n_initial_points: int) -> Any:
        from skopt import Optimizer

        return Optimizer(
            self._dims,
            base_estimator=base_estimator,
            # a GP hedges among EI, PI and LCB as BayesSearchCV does; trees keep EI
            acq_func="gp_hedge" if base_estimator == "GP" else "EI",
            acq_optimizer="sampling",
            n_initial_points=n_initial_points,
            random_state=self._random_state,
        )

    def _record(self, points: list[list[Any]], losses: list[float]) -> None:
        """Tell skopt; a Gaussian process past :data:`GP_MAX_POINTS` hands over to trees
        everything it was told (skopt's ``Xi``/``yi``) with the new points."""
        self.n_told += len(points)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self.surrogate == "GP" and self.n_told >= GP_MAX_POINTS:
                told = self._opt
                self._opt = self._optimizer("ET", n_initial_points=0)
                self.surrogate = "ET"
                self._opt.tell(list(told.Xi) + points, list(told.yi) + losses)
            else:
                self._opt.tell(points, losses)

    def _decode(self, point: list[Any]) -> dict[str, Any]:
        values = {}
        for name, raw in zip(self.names, point, strict=False):
            dim = self.space[name]
            values[name] = dim.choices[int(raw)] if isinstance(dim, Categorical) else _plain(raw)
        return values

    def _encode(self, values: dict[str, Any]) -> list[Any] | None:
        point: list[Any] = []
        for name in self.names:
            # A missing name reads as None, which only a Categorical with a None choice takes.
            value: Any = values.get(name)
            dim = self.space[name]
            if isinstance(dim, Categorical):
                if value not in dim.choices:
                    return None
                point.append(str(dim.choices.index(value)))
            elif dim.contains(value) or (
                isinstance(dim, Real) and isinstance(value, int) and dim.low <= value <= dim.high
            ):
                point.append(float(value) if isinstance(dim, Real) else int(value))
            else:
                return None
        return point

    def ask(self, n: int = 1) -> list[dict[str, Any]]:
        """Suggest ``n`` points (a constant-liar batch when ``n > 1``)."""
        if not self.names:
            return [{} for _ in range(n)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            points = [self._opt.ask()] if n == 1 else self._opt.ask(n_points=n, strategy="cl_min")
        return [self._decode(p) for p in points]

    def tell(self, values: dict[str, Any], loss: float) -> bool:
        """Record the loss of a point; returns False when the point lies outside the space."""
        if not self.names:
            return False
        point = self._encode(values)
        if point is None or not np.isfinite(loss):
            return False
        self._record([point], [float(loss)])
        return True

    def tell_many(self, observations: list[tuple[dict[str, Any], float]]) -> int:
        """Record many ``(values, loss)`` points with one refit of the surrogate.

        Points outside the space or with a non-finite loss are skipped; returns how
        many were recorded.
        """
        if not self.names:
            return 0
        pairs = [(self._encode(v), loss) for v, loss in observations]
        kept = [(p, float(loss)) for p, loss in pairs if p is not None and np.isfinite(loss)]
        if not kept:
            return 0
        self._record([p for p, _ in kept], [loss for _, loss in kept])
        return len(kept)
