"""Which trials' out-of-fold predictions the main process keeps in memory.

Every successful trial hands back its out-of-fold predictions, one row per training
row and one column per class. The final model reads only a few of them: the greedy
blend's candidates (the best :data:`~automl.ensemble.MAX_CANDIDATES` trials and each
family's best, see :func:`~automl.ensemble.diverse_candidates`), the next-best trials
refitted when no member refits (:data:`~automl.final_model.FALLBACK_REFITS`), and all
of these at one fidelity only (the full one, or the best trial's when none finished
there). Keeping every trial's would grow the main process by rows x outputs x 8 bytes
a trial for the whole search: 12 MB a trial at 750,000 binary rows, several GB over
a long search.

So the trial log drops from memory the predictions of trials that can no longer be
chosen (:class:`~automl.runlog.RunLog`'s ``retain``), per fidelity: every trial is kept
that is among the :data:`KEEP_BEST` best at its fidelity or the best of its family
there. A later trial only pushes others further down, so a dropped trial is never
needed again, and the final model is the one it would be with every trial kept. A
``log_dir`` still holds every trial's predictions on disk.
"""

from __future__ import annotations

from typing import Any

from . import metrics as M
from .ensemble import MAX_CANDIDATES
from .fidelity import fidelity_of
from .final_model import FALLBACK_REFITS

#: Trials per fidelity whose predictions stay in memory, besides each family's best.
KEEP_BEST = MAX_CANDIDATES + FALLBACK_REFITS


def trials_worth_keeping(
    records: list[dict[str, Any]], metric: str, keep_best: int = KEEP_BEST
) -> set[int]:
    """The trials whose out-of-fold predictions the final model may still read.

    Parameters
    ----------
    records : list of dict
        The trial log's records (``trial``, ``status``, ``family``, ``config``,
        ``mean``).
    metric : str
        The optimised metric; records are ranked by its cross-validated mean.
    keep_best : int
        Trials kept per fidelity by rank, besides each family's best.

    Returns
    -------
    set of int
        Trial ids: per fidelity, the ``keep_best`` best successful trials and each
        family's best.

    Examples
    --------
    >>> records = [
    ...     {"trial": t, "status": "ok", "family": f, "config": {}, "mean": {"roc_auc": s}}
    ...     for t, f, s in [(0, "a", 0.9), (1, "a", 0.8), (2, "a", 0.7), (3, "b", 0.6)]
    ... ]
    >>> sorted(trials_worth_keeping(records, "roc_auc", keep_best=1))
    [0, 3]
    """
    by_fidelity: dict[float, list[tuple[float, int, str]]] = {}
    for r in records:
        if r.get("status") != "ok" or metric not in (r.get("mean") or {}):
            continue
        loss = M.to_loss(metric, r["mean"][metric])
        key = (loss, r["trial"], str(r.get("family", "")))
        by_fidelity.setdefault(round(fidelity_of(r.get("config")), 9), []).append(key)
    kept: set[int] = set()
    for ranked in by_fidelity.values():
        ranked.sort()
        kept.update(trial for _, trial, _ in ranked[:keep_best])
        families: set[str] = set()
        for _, trial, family in ranked:
            if family not in families:
                families.add(family)
                kept.add(trial)
    return kept
