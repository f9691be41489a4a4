"""When a trial stops early: it cannot beat the best trial after its first folds.

A trial is pruned only when even an optimistic reading of its finished folds
(binary label metrics at each fold's best threshold) is clearly worse than the
best trial's loss on the *same* folds, with a tolerance that widens with how much
fold scores spread. Pruned trials free their worker for the next configuration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import metrics as M
from .thresholds import best_threshold_score

if TYPE_CHECKING:
    from .evaluate import TrialTask
    from .run_context import Folds


#: Folds that must finish before a trial may be pruned.
PRUNE_AFTER_FOLDS = 2


def prune_tolerance(
    best_loss: float, spread: float = 0.0, n_done: int = PRUNE_AFTER_FOLDS
) -> float:
    """How much worse than the best a trial may look after its first folds and go on.

    At least 0.02 or 5 % of the best loss; and at least the standard error of a mean
    over ``n_done`` folds whose scores spread by ``spread`` (standard deviation across
    folds). With few positives a fold's F1 moves by 0.05-0.2 from fold to fold, and
    a fixed margin would prune trials as good as the best by chance: they would be
    lost to the ensemble, and the optimizer would learn from noise.
    """
    return max(0.02, 0.05 * abs(best_loss), spread / np.sqrt(max(1, n_done)))


def _optimistic_loss(
    task: TrialTask, y: np.ndarray, oof: np.ndarray, done: Folds, w: np.ndarray | None
) -> float:
    """Mean loss over finished folds; binary threshold metrics at each fold's best threshold.

    Optimistic on purpose: a trial is pruned only if even this bound is clearly worse.
    """
    run = task.run
    values = []
    for _, test in done:
        if M.get_metric(run.metric).needs == "labels" and run.n_classes == 2:
            best = best_threshold_score(
                y[test],
                oof[test, run.pos_index],
                run.metric,
                pos_index=run.pos_index,
                sample_weight=None if w is None else w[test],
            )
            values.append(-best)
        else:
            try:
                value = M.score(
                    run.metric,
                    y[test],
                    oof[test],
                    pos_index=run.pos_index,
                    sample_weight=None if w is None else w[test],
                )
            except ValueError:  # say, a fold without every class: nothing to judge by
                continue
            values.append(M.to_loss(run.metric, value))
    return float(np.mean(values)) if values else -np.inf


def prune_loss(
    task: TrialTask,
    y: np.ndarray,
    oof: np.ndarray,
    n_done: int,
    w: np.ndarray | None,
    folds: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> float | None:
    """The trial's optimistic loss when it cannot beat the best after ``n_done`` folds.

    ``folds`` are the folds as the trial scored them (see
    :func:`~automl.fidelity.scored_folds`); None: the run's folds.
    """
    folds = task.run.folds if folds is None else folds
    n_folds = len(folds)
    if task.prune_loss is None or n_done < PRUNE_AFTER_FOLDS or n_done >= n_folds:
        return None
    loss = _optimistic_loss(task, y, oof, folds[:n_done], w)
    reference = task.prune_loss
    paired = task.prune_folds
    if paired is not None and len(paired) == n_folds and np.all(np.isfinite(paired[:n_done])):
        reference = float(np.mean(paired[:n_done]))  # the best on the same folds
    margin = prune_tolerance(reference, task.prune_spread, n_done)
    return loss if loss > reference + margin else None
