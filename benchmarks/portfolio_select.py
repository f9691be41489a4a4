"""Selecting a portfolio greedily from a matrix of CV scores (datasets x candidates).

Pure functions over arrays, so the selection can be checked on constructed
matrices whose answer is known.

Normalisation
-------------
Raw CV scores are not comparable across datasets (an AUC of 0.80 is the best on
one dataset and poor on another), so each dataset's scores become a normalised
score in [0, 1]: 1 for the best candidate on that dataset, 0 for the median
candidate and for everything worse, linear in between::

    norm = clip((score - median) / (best - median), 0, 1)

(as losses, so it reads the same for a metric to minimise such as RMSE). The
median, rather than the worst, is the zero point because the worst candidate is
often a broken random draw (a learning rate of 1e-4) whose score is arbitrary:
with min-max scaling one such draw would squash every useful difference on its
dataset towards 1, and that dataset would stop counting in the selection. A
rank-based score would be robust too but would count a difference of 1e-5 AUC
as much as one of 0.05. A failed or timed-out candidate (NaN) scores 0, like the
worst. A dataset where every candidate scores the same gives 1 to all of them
(nothing to gain there).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def normalise(losses: np.ndarray) -> np.ndarray:
    """Per-dataset normalised scores of a loss matrix (lower loss is better).

    Parameters
    ----------
    losses : ndarray of shape (n_datasets, n_candidates)
        CV losses; NaN for a failed, timed-out or not-applicable candidate.

    Returns
    -------
    ndarray of the same shape
        In [0, 1]: 1 for each dataset's best, 0 for its median candidate and worse.
    """
    losses = np.asarray(losses, dtype=float)
    out = np.zeros_like(losses)
    for d, row in enumerate(losses):
        ok = np.isfinite(row)
        if not ok.any():
            continue
        best, median = float(np.min(row[ok])), float(np.median(row[ok]))
        if median - best <= 0:
            out[d, ok] = np.where(row[ok] <= best, 1.0, 0.0)
            continue
        out[d, ok] = np.clip((median - row[ok]) / (median - best), 0.0, 1.0)
    return out


def coverage(scores: np.ndarray, chosen: list[int]) -> np.ndarray:
    """Each dataset's best normalised score among the ``chosen`` candidates.

    Parameters
    ----------
    scores : ndarray of shape (n_datasets, n_candidates)
    chosen : list of int
        Candidate columns.

    Returns
    -------
    ndarray of shape (n_datasets,)
        Zeros when nothing is chosen.
    """
    if not chosen:
        return np.zeros(scores.shape[0])
    return np.max(scores[:, chosen], axis=1)


def greedy_select(
    scores: np.ndarray, start: list[int], size: int, min_gain: float = 1e-9
) -> list[int]:
    """Add candidates one at a time, each the one that raises the mean coverage most.

    Parameters
    ----------
    scores : ndarray of shape (n_datasets, n_candidates)
        Normalised scores (higher is better).
    start : list of int
        Candidates always run (the families' defaults); never selected again.
    size : int
        The most candidates to add.
    min_gain : float
        Stop when the best addition raises the mean by less than this.

    Returns
    -------
    list of int
        The added candidates, in the order chosen (ties: the lowest column).
    """
    chosen = list(start)
    added: list[int] = []
    current = float(np.mean(coverage(scores, chosen)))
    for _ in range(size):
        best_gain, best_c = 0.0, -1
        for c in range(scores.shape[1]):
            if c in chosen:
                continue
            gain = float(np.mean(coverage(scores, [*chosen, c]))) - current
            if gain > best_gain + 1e-15:
                best_gain, best_c = gain, c
        if best_c < 0 or best_gain < min_gain:
            break
        chosen.append(best_c)
        added.append(best_c)
        current += best_gain
    return added


@dataclass(frozen=True)
class Selection:
    """A greedy selection and how much it gains, in sample and left out.

    Attributes
    ----------
    added : list of int
        Candidates selected on every dataset, in order.
    in_sample_gain : ndarray of shape (n_datasets,)
        Per dataset, coverage of defaults + ``added`` minus coverage of the defaults.
    left_out : list of list of int
        Per dataset, the candidates selected on the *other* datasets.
    left_out_gain : ndarray of shape (n_datasets,)
        Per dataset, its gain from the selection made without it: the honest gain.
    """

    added: list[int]
    in_sample_gain: np.ndarray
    left_out: list[list[int]]
    left_out_gain: np.ndarray


def select_with_left_out(
    scores: np.ndarray, start: list[int], size: int, min_gain: float = 1e-9
) -> Selection:
    """Greedy selection on all datasets, and again leaving each dataset out in turn.

    Parameters
    ----------
    scores : ndarray of shape (n_datasets, n_candidates)
        Normalised scores.
    start : list of int
        The defaults' columns.
    size : int
        The most candidates to add.
    min_gain : float
        See :func:`greedy_select`.

    Returns
    -------
    Selection
    """
    base = coverage(scores, start)
    added = greedy_select(scores, start, size, min_gain)
    in_sample = coverage(scores, [*start, *added]) - base
    left_out: list[list[int]] = []
    gains = np.zeros(scores.shape[0])
    for d in range(scores.shape[0]):
        others = np.delete(scores, d, axis=0)
        picked = greedy_select(others, start, size, min_gain) if len(others) else []
        left_out.append(picked)
        gains[d] = coverage(scores[d : d + 1], [*start, *picked])[0] - base[d]
    return Selection(added, in_sample, left_out, gains)
