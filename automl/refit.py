"""Refitting trials of the log on all rows: on threads, each within its planned time, checked.

A member that fails to refit, or whose refit fits its own training rows far worse
than its folds predicted unseen ones, is left out of the final model with a note,
never the whole fit.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from threadpoolctl import threadpool_limits

from . import metrics as M
from .ensemble import predict_matrix
from .errors_text import describe_exception
from .models import get_family
from .pipeline_fit import fit_pipeline_timed
from .rounds import refit_config
from .run_context import RunContext
from .runlog import RunLog
from .thresholds import validated_rows

#: A member's refit may take this many times its predicted duration (models that
#: stop themselves are held to it; others are only planned with it).
REFIT_SLACK = 1.5


def _refit(
    run: RunContext,
    config: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    w: np.ndarray | None,
    deadline: float | None,
    allowance: float,
    essential: bool = True,
) -> tuple[Any, dict[str, float], str | None]:
    """Build and fit one member on all rows; returns (pipeline, step times, error or None).

    A model that can stop itself (nets) gets the seconds its refit was planned to
    take, ``allowance``, and never more than what is left before ``deadline`` (a
    ``time.monotonic()`` value) when its fit starts, since members queue behind
    each other on the refit threads. A member that is not ``essential`` and whose
    predicted refit no longer fits before ``deadline`` when its turn comes is not
    started: most models cannot be stopped once fitting, so starting it late would
    overrun the budget.
    """
    if deadline is not None and not essential:
        left = deadline - time.monotonic()
        if left < allowance / REFIT_SLACK:
            return None, {}, f"no time left to refit it ({max(left, 0.0):.1f} s left)"
    limit = None if deadline is None else max(1.0, min(allowance, deadline - time.monotonic()))
    try:
        pipe = run.graph.compile(config, run.schema, replace(run.model, time_limit=limit))
        with threadpool_limits(limits=run.model.n_threads):
            return pipe, fit_pipeline_timed(pipe, X, y, w), None
    except Exception as exc:
        return None, {}, describe_exception(exc)


#: Rows used to check a refitted member against its cross-validated predictions.
SANITY_ROWS = 2000
#: A refit whose in-sample ROC AUC is this far below its out-of-fold AUC is broken.
SANITY_MARGIN = 0.1


def _refit_sanity(
    pipe: Any, X: pd.DataFrame, y: np.ndarray, oof: np.ndarray, run: RunContext
) -> str | None:
    """Why a refitted pipeline cannot be trusted, or None.

    A model refitted on all rows should fit its own training rows at least about
    as well as the fold models predicted unseen ones (ROC AUC for classification,
    R² for regression); far worse means the refit went wrong (say, training that
    diverged), and using it would be silently wrong.
    """
    validated = np.flatnonzero(validated_rows(run.folds, len(y)))
    rows = np.random.default_rng(0).permutation(validated)[:SANITY_ROWS]
    metric = "r2" if run.is_regression else "roc_auc"
    try:
        predicted = predict_matrix(pipe, X.iloc[rows], run.model)
        fitted = M.score(metric, y[rows], predicted, pos_index=run.pos_index)
        expected = M.score(metric, y[rows], oof[rows], pos_index=run.pos_index)
    except ValueError:
        return None  # a sample without every class (or a constant one): nothing to compare
    if fitted < expected - SANITY_MARGIN:
        name = "R²" if run.is_regression else "ROC AUC"
        return (
            f"its {name} on its own training rows ({fitted:.3f}) is far below its "
            f"cross-validated one ({expected:.3f}): the refit went wrong"
        )
    return None


def import_libraries(families: Iterable[str]) -> None:
    """Import the libraries these families load lazily, here, before threads use them.

    Two refit threads importing a library at once race: catboost imports polars at
    import time, and scikit-learn's input checks on another thread read the
    half-initialised ``polars`` from ``sys.modules`` ("partially initialized module
    'polars' has no attribute 'DataFrame'"), so a member failed to refit.
    """
    for name in sorted({lib for f in families for lib in get_family(f).libraries}):
        try:
            importlib.import_module(name)
        except ImportError:  # the family's own fit will say what is missing
            pass


@dataclass
class Refitter:
    """Refits trials of the log on all rows, on threads, each within its planned time."""

    log: RunLog
    run: RunContext
    X: pd.DataFrame
    y: np.ndarray
    w: np.ndarray | None
    deadline: float | None
    predicted: dict[int, float]
    notes: list[str]
    essential: int | None = None

    def __call__(self, trials: list[int]) -> dict[int, tuple[Any, dict[str, float]]]:
        """Refit ``trials`` in the given order; failures are noted and left out.

        Only the ``essential`` trial (the best), or a trial refitted alone, starts
        whatever the time left; the others are skipped when their turn comes too late.
        """
        # trials whose folds stopped early are refitted with the rounds they found
        configs = {r["trial"]: refit_config(r, len(self.run.folds)) for r in self.log.records}
        workers = max(1, min(self.run.parallelism.refit_workers, len(trials)))
        if workers > 1:
            import_libraries(configs[t]["family"] for t in trials)
        fitted = Parallel(n_jobs=workers, backend="threading")(
            delayed(_refit)(
                self.run,
                configs[t],
                self.X,
                self.y,
                self.w,
                self.deadline,
                REFIT_SLACK * self.predicted[t],
                essential=len(trials) == 1 or t == self.essential,
            )
            for t in trials
        )
        refitted: dict[int, tuple[Any, dict[str, float]]] = {}
        for trial, (pipe, times, error) in zip(trials, fitted, strict=True):
            if error is None:
                error = _refit_sanity(pipe, self.X, self.y, self.log.oof[trial], self.run)
            if error is not None:  # a member that cannot refit is left out, never the whole fit
                self.notes.append(
                    f"Trial {trial} failed to refit on all rows ({error}); "
                    "left out of the final model."
                )
                continue
            refitted[trial] = (pipe, times)
        return refitted
