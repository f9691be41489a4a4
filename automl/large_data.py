"""The large-data path: fewer folds, a subsampled first trial and float32 trial data.

Decided once per fit from the training data's size (rows x columns) and the time
budget, never from the clock, so a seeded fit repeats exactly.

The rule
--------
A default trial is predicted to cost :data:`SECONDS_PER_CELL` seconds per cell of
each fold's training part (rows x columns; 3.5e-7 s is a default histogram boosting
fitted on 750,000 x 50 in 13 s on a 2-core machine, the slowest default family
that the search starts early). With ``cv="auto"`` and a time budget, data of at
least :data:`LARGE_MIN_ROWS` rows gets the most folds among 5, 3 and 2 whose
predicted trial fits in :data:`TRIAL_SHARE` of the budget (and never more than the
usual rule gives: 3 folds above ``AUTO_CV_LARGE`` rows); when none fits, 2 folds.
A user's explicit ``cv`` is always respected.

Why 2 folds rather than a 20 % holdout: a 2-fold trial trains on 2 x 50 % of the
rows, only 1.25 x the cost of one fit on 80 %, and every row still gets an
out-of-fold prediction, which the ensemble, the tuned threshold and the reported
CV score are built from; a holdout would leave 80 % of the rows without one.

On the same large-data path (at least :data:`LARGE_MIN_ROWS` rows and a full default
trial predicted over :data:`FIRST_MODEL_SECONDS`), the search's first trial runs the
cheapest family's default on a stratified subsample of each training fold of about
:data:`FIRST_TRIAL_CELLS` cells, so a first model exists within seconds; the
same default then runs on all rows like any other trial. The trials' data is held
as float32 from :data:`FLOAT32_MIN_CELLS` cells (see :mod:`automl.worker_data`).

With ``search="auto"`` (the default) the same condition picks the search: a
multi-fidelity one (:data:`LARGE_DATA_SEARCH`), whose first rung trains many
configurations on small subsamples of each fold and promotes the best to more rows,
instead of Bayesian optimisation over trials on all rows (:func:`resolve_search`).
The subsampled first trial still runs first: a first-rung configuration costs
seconds at 10^6 rows whatever its share of rows (boosting rounds, net epochs, and
scoring at least 20,000 rows of each fold, see :func:`automl.fidelity.scored_folds`).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Predicted seconds of a default model per training cell (rows x columns) of a fold.
SECONDS_PER_CELL = 3.5e-7
#: Share of the time budget one default trial may be predicted to take.
TRIAL_SHARE = 0.05
#: Rows from which the large-data path may apply (a 2-fold validation half then
#: holds at least 25,000 rows: a stable score).
LARGE_MIN_ROWS = 50_000
#: Predicted seconds of a full default trial above which the first trial is subsampled.
FIRST_MODEL_SECONDS = 5.0
#: Training cells (rows x columns) of each fold of the subsampled first trial.
FIRST_TRIAL_CELLS = 1_000_000
#: Fewest training rows of a fold of the subsampled first trial.
FIRST_TRIAL_MIN_ROWS = 5_000
#: The strategy ``search="auto"`` picks on the large-data path; elsewhere :data:`SMALL_DATA_SEARCH`.
LARGE_DATA_SEARCH = "bohb"
SMALL_DATA_SEARCH = "bayes"
#: Cells from which the trials' float64 columns are held as float32.
FLOAT32_MIN_CELLS = 5_000_000


def predicted_trial_seconds(n_rows: int, n_cols: int, n_splits: int) -> float:
    """Predicted seconds of one default trial with ``n_splits`` folds.

    Each fold trains on ``(k-1)/k`` of the rows; see :data:`SECONDS_PER_CELL`.

    Examples
    --------
    >>> round(predicted_trial_seconds(750_000, 50, 5), 1)
    52.5
    """
    return n_splits * (n_splits - 1) / n_splits * n_rows * n_cols * SECONDS_PER_CELL


def auto_n_splits(default: int, n_rows: int, n_cols: int, time_budget: float | None) -> int:
    """Folds of ``cv="auto"``: ``default`` (the usual rule), or fewer for large data.

    Parameters
    ----------
    default : int
        Folds the usual rule gives (5, or 3 above ``AUTO_CV_LARGE`` rows).
    n_rows, n_cols : int
        Size of the training data.
    time_budget : float or None
        The fit's budget in seconds; None keeps ``default``.

    Returns
    -------
    int
        The most folds among 5, 3 and 2 (at most ``default``) whose predicted
        default trial fits in :data:`TRIAL_SHARE` of the budget; 2 when none does.

    Examples
    --------
    >>> auto_n_splits(3, 750_000, 50, 300)
    2
    >>> auto_n_splits(5, 5_000, 30, 60)
    5
    """
    if time_budget is None or n_rows < LARGE_MIN_ROWS:
        return default
    for k in (5, 3, 2):
        if k <= default and predicted_trial_seconds(n_rows, n_cols, k) <= TRIAL_SHARE * time_budget:
            return k
    return 2


def slow_large_data(n_rows: int, n_cols: int, n_splits: int, time_budget: float | None) -> bool:
    """Whether a fit is on the large-data path with trials too slow to start on all rows.

    At least :data:`LARGE_MIN_ROWS` rows under a time budget, and a default trial on
    all rows predicted over :data:`FIRST_MODEL_SECONDS`: the condition of both the
    subsampled first trial and ``search="auto"``'s multi-fidelity search.
    """
    return (
        time_budget is not None
        and n_rows >= LARGE_MIN_ROWS
        and predicted_trial_seconds(n_rows, n_cols, n_splits) > FIRST_MODEL_SECONDS
    )


def first_trial_fraction(
    n_rows: int, n_cols: int, n_splits: int, time_budget: float | None
) -> float | None:
    """Share of each training fold the subsampled first trial uses; None: no such trial.

    Examples
    --------
    >>> round(first_trial_fraction(750_000, 50, 2, 300), 3)
    0.053
    >>> first_trial_fraction(20_000, 50, 5, 300) is None
    True
    """
    if not slow_large_data(n_rows, n_cols, n_splits, time_budget):
        return None
    train_rows = n_rows * (n_splits - 1) / n_splits
    rows = max(FIRST_TRIAL_CELLS / max(1, n_cols), FIRST_TRIAL_MIN_ROWS)
    fraction = rows / train_rows
    return float(fraction) if fraction < 0.5 else None


def resolve_search(
    search: str, n_rows: int, n_cols: int, n_splits: int, time_budget: float | None
) -> str:
    """The search strategy a fit runs: ``search`` itself unless it is ``"auto"``.

    ``"auto"`` is :data:`LARGE_DATA_SEARCH` on :func:`slow_large_data` (trials on all
    rows are then too few for a surrogate to learn from), else :data:`SMALL_DATA_SEARCH`.

    Examples
    --------
    >>> resolve_search("auto", 750_000, 50, 2, 300)
    'bohb'
    >>> resolve_search("auto", 5_000, 30, 5, 60)
    'bayes'
    >>> resolve_search("random", 750_000, 50, 2, 300)
    'random'
    """
    if search != "auto":
        return search
    if slow_large_data(n_rows, n_cols, n_splits, time_budget):
        return LARGE_DATA_SEARCH
    return SMALL_DATA_SEARCH


def use_float32(n_rows: int, n_cols: int) -> bool:
    """Whether the trials' float64 columns are held as float32 (large data only)."""
    return n_rows >= LARGE_MIN_ROWS and n_rows * n_cols >= FLOAT32_MIN_CELLS


@dataclass(frozen=True)
class DataPlan:
    """What the large-data path decided for one fit (see the module docstring).

    Attributes
    ----------
    first_fraction : float or None
        Share of each training fold the first trial uses; None: no subsampled trial.
    float32 : bool
        Whether the trials' float64 columns are held as float32.
    """

    first_fraction: float | None
    float32: bool

    @classmethod
    def decide(cls, n_rows: int, n_cols: int, n_splits: int, time_budget: float | None) -> DataPlan:
        """The plan for data of ``n_rows`` x ``n_cols`` cross-validated in ``n_splits`` folds."""
        return cls(
            first_fraction=first_trial_fraction(n_rows, n_cols, n_splits, time_budget),
            float32=use_float32(n_rows, n_cols),
        )
