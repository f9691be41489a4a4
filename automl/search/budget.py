"""Time and trial budgets, and predictions of how long a trial or a refit takes."""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from ..fidelity import fidelity_of, is_full
from ..models import get_family


class Budget:
    """The search's allowance of time and trials.

    Parameters
    ----------
    time_budget : float or None
        Seconds for the whole ``fit`` (search and final refit); None for no limit.
    max_trials : int or None
        Most trials to start; None for no limit.
    margin : float
        Fraction of ``time_budget`` kept free for bookkeeping (ensemble selection,
        leaderboard, process start-up).
    """

    def __init__(
        self,
        time_budget: float | None,
        max_trials: int | None,
        *,
        margin: float = 0.04,
        start: float | None = None,
    ) -> None:
        self.time_budget = time_budget
        self.max_trials = max_trials
        self.start = time.monotonic() if start is None else start
        self.margin = (time_budget or 0.0) * margin + (0.5 if time_budget else 0.0)
        self.reserve = 0.0  # predicted cost of the final refit, kept back from the search

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def left(self) -> float:
        """Seconds left of the whole budget (inf without a time budget)."""
        if self.time_budget is None:
            return math.inf
        return self.time_budget - self.elapsed()

    def search_left(self) -> float:
        """Seconds the search may still use once the refit reserve and margin are kept back."""
        return self.left() - self.reserve - self.margin

    def trials_left(self, started: int) -> bool:
        return self.max_trials is None or started < self.max_trials


class CostModel:
    """Predicts a trial's duration per family, at a fidelity, from what was measured so far.

    Each measurement keeps the fidelity it ran at. A prediction at fidelity ``f``
    scales each recent measurement at fidelity ``f_i`` by ``f / f_i`` (linear in the
    rows, rounds or epochs the fidelity stands for) and takes their median; a
    measurement at the same fidelity is used as it is. Scaling up from a low
    fidelity overestimates (fixed costs such as starting a worker or importing a
    library do not shrink with the fidelity), so budgeting stays cautious at full
    fidelity, while a prediction at the fidelity a trial actually ran at stays
    honest — a multi-fidelity search whose cheapest rung was slow is not taken for
    one that cannot afford even that rung.

    Before a family has run, its cost hint is scaled by the fastest measured
    family; before anything has run, by a rough rows-based guess.
    """

    def __init__(self, n_rows: int, n_folds: int) -> None:
        self.n_rows = n_rows
        self.n_folds = n_folds
        self.durations: dict[str, list[tuple[float, float]]] = {}

    def observe(self, family: str, seconds: float, fidelity: float = 1.0) -> None:
        """Record that a trial of ``family`` at ``fidelity`` took ``seconds``."""
        fidelity = float(fidelity) if fidelity > 0 else 1.0
        self.durations.setdefault(family, []).append((fidelity, float(seconds)))

    def _scaled(self, family: str, fidelity: float) -> list[float]:
        return [sec * fidelity / f for f, sec in self.durations.get(family, [])[-5:]]

    def predict(self, family: str, fidelity: float = 1.0) -> float:
        """Predicted seconds of one trial of ``family`` at ``fidelity``."""
        if self.durations.get(family):
            return float(np.median(self._scaled(family, fidelity)))
        hint = get_family(family).cost
        per_hint = [
            np.median(self._scaled(f, 1.0)) / get_family(f).cost
            for f, v in self.durations.items()
            if v
        ]
        if per_hint:
            return float(min(per_hint) * hint * fidelity)
        return hint * self.n_folds * (0.05 + self.n_rows / 40_000) * fidelity

    def known(self, family: str) -> bool:
        return bool(self.durations.get(family))


def predict_refit_seconds(fit_time: float, n_folds: int) -> float:
    """Time to refit on all rows, from the summed fit time of ``n_folds`` CV folds.

    One fold trains on ``(k-1)/k`` of the rows; a full refit is assumed to grow
    linearly with rows, with a 30 % allowance for super-linear models.
    """
    if n_folds <= 1:
        return 1.3 * fit_time
    return 1.3 * fit_time / (n_folds - 1)


def record_refit_seconds(record: dict[str, Any], n_folds: int) -> float:
    """Predicted seconds to refit a logged trial on all rows.

    A full-fidelity trial's whole duration stands for its folds' fits (cautious:
    it includes predicting the scoring folds). A trial below full fidelity predicted
    a subsample of the scoring folds, which a refit does not do, so its summed fit
    time stands for it instead: scaled up by the fidelity where the fidelity shrank
    the rows (the refit trains on all of them), as it is where the fidelity set an
    estimator parameter (``SearchCV``'s ``resource``: the refit keeps the trial's
    epochs or trees).
    """
    if is_full(record):
        return predict_refit_seconds(float(record.get("duration", 0.0)), n_folds)
    fit_time = float(record.get("fit_time") or record.get("duration", 0.0))
    if _sets_a_resource(record):
        return predict_refit_seconds(fit_time, n_folds)
    return predict_refit_seconds(fit_time / fidelity_of(record), n_folds)


def _sets_a_resource(record: dict[str, Any]) -> bool:
    """Whether the trial's family maps its fidelity onto a parameter rather than rows."""
    try:
        return bool(get_family(str((record.get("config") or {}).get("family"))).reads_fidelity)
    except Exception:  # a family no longer registered: take the cautious rows reading
        return False


def refit_wall_seconds(seconds: list[float], n_parallel: int) -> float:
    """Wall time to refit jobs of the given durations on ``n_parallel`` workers.

    The jobs are handed out longest first, each to the least loaded worker (the
    order the final refit uses), so one long refit is not hidden behind the
    parallelism: the answer is never below the longest job.
    """
    loads = [0.0] * max(1, int(n_parallel))
    for job in sorted(seconds, reverse=True):
        loads[loads.index(min(loads))] += job
    return max(loads)
