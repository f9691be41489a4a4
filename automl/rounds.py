"""Boosting rounds found by early stopping in the folds, reused for the refit on all rows.

Families that stop early (histogram boosting, XGBoost) carve a validation split
out of the rows they are fitted on (the training fold, never the scoring fold)
and expose the rounds they kept as ``n_rounds_``. A trial records those per
fold (``fit_info["n_iter"]``); the final refit on all rows then trains exactly
:func:`refit_rounds` rounds, passed as the reserved hyperparameter
``model.refit_rounds``, instead of early-stopping again on a fresh split.

The rule: the median of the folds' rounds, scaled by ``k / (k - 1)`` for
``k``-fold cross-validation (a fold's model saw ``(k-1)/k`` of the rows; more
rows support proportionally more rounds at the same learning rate), and never
above the configured maximum. With a single holdout fold the median is used
as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: The reserved hyperparameter a family reads to train a fixed number of rounds.
REFIT_ROUNDS_KEY = "model.refit_rounds"


def rounds_used(pipeline: Any) -> int | None:
    """Rounds the fitted model of ``pipeline`` kept, or None for a model that does not stop."""
    model = pipeline.steps[-1][1] if hasattr(pipeline, "steps") else pipeline
    model = getattr(model, "regressor_", model)  # a target-transformed regressor
    value = getattr(model, "n_rounds_", None)
    return None if value is None else int(value)


def refit_rounds(n_iter: list[int], n_folds: int, maximum: int | None = None) -> int:
    """Rounds for the refit on all rows from the rounds each fold's model kept.

    Parameters
    ----------
    n_iter : list of int
        Rounds kept per fold.
    n_folds : int
        Folds of the cross-validation (``k``); 1 for a holdout.
    maximum : int or None
        The configuration's own round limit, never exceeded.

    Returns
    -------
    int
        ``median(n_iter) * k / (k - 1)``, rounded, at least 1.
    """
    median = float(np.median(n_iter))
    scale = n_folds / (n_folds - 1) if n_folds > 1 else 1.0
    rounds = max(1, int(round(median * scale)))
    return rounds if maximum is None else min(rounds, int(maximum))


def refit_config(record: dict[str, Any], n_folds: int) -> dict[str, Any]:
    """The configuration to refit a trial with: its rounds fixed when its folds stopped early."""
    config = dict(record["config"])
    n_iter = (record.get("fit_info") or {}).get("n_iter")
    if n_iter:
        config[REFIT_ROUNDS_KEY] = refit_rounds(list(n_iter), n_folds)
    return config
