"""Subsample-first: on large data, a first model within seconds.

Before the search's own first trial, the cheapest family's default configuration
starts on a stratified subsample of each training fold (``config["fidelity"]``,
the share of the fold's rows, see :func:`automl.fidelity.subsample_train`), beside
the search's trials. It is logged as a trial like any other; its out-of-fold
predictions are honest (the validation rows are never subsampled), but it is
not told to the strategy nor to the cost model (its loss and duration say
little about all rows), and the final model uses it only when no trial on all
rows succeeded. The search itself then runs the same default on all rows.

This is the one-trial form of a multi-fidelity schedule; a successive-halving
search that reads the same ``"fidelity"`` key can take it over.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..models import get_family
from ..run_context import RunContext

if TYPE_CHECKING:
    from .runner import SearchRunner

#: Longest the subsampled first trial may take, as a share of the budget (and at least
#: :data:`FIRST_LIMIT_MIN` seconds).
FIRST_LIMIT_SHARE = 0.1
#: Fewest seconds the subsampled first trial is allowed.
FIRST_LIMIT_MIN = 10.0


def start_subsampled_first_trial(runner: SearchRunner, run: RunContext, fraction: float) -> int:
    """Submit the cheapest family's default on ``fraction`` of each training fold.

    Parameters
    ----------
    runner : SearchRunner
        The search about to run; the trial takes its next id and one of its slots.
    run : RunContext
        The fit's shared facts (graph and model context).
    fraction : float
        Share of each training fold's rows, in (0, 1).

    Returns
    -------
    int
        The trial's id.
    """
    graph = run.graph
    family = min(graph.families, key=lambda f: (get_family(f).cost, f))
    config = {**graph.default_config(family, run.model), "fidelity": float(fraction)}
    budget = runner.budget
    limit = None
    if budget.time_budget is not None:
        limit = max(FIRST_LIMIT_MIN, FIRST_LIMIT_SHARE * budget.time_budget)
        limit = min(limit, max(1.0, budget.search_left()))
    trial = runner.next_trial
    task = runner.make_task(trial, config, limit)
    runner.executor.submit(task, time.monotonic() + (limit if limit is not None else 1e9))
    runner.next_trial += 1
    runner.started += 1
    return trial
