"""A progress bar for long fits: time used and the best score so far (tqdm)."""

from __future__ import annotations


class SearchProgress:
    """Shows elapsed seconds against the budget (or trials against ``max_trials``).

    Parameters
    ----------
    total : float or None
        Budget seconds, or trial count when there is no time budget.
    by_time : bool
        Whether ``total`` is seconds.
    metric : str
        Name shown beside the best score.
    enabled : bool
        When False nothing is printed.
    """

    def __init__(self, total: float | None, *, by_time: bool, metric: str, enabled: bool) -> None:
        self.by_time = by_time
        self.metric = metric
        self._bar = None
        if enabled:
            from tqdm.auto import tqdm

            self._bar = tqdm(
                total=total,
                unit="s" if by_time else "trial",
                desc="search",
                bar_format="{l_bar}{bar}| {n:.0f}/{total_fmt}{unit} [{elapsed}{postfix}]",
                leave=True,
            )

    def update(self, elapsed: float, n_trials: int, best: float | None) -> None:
        if self._bar is None:
            return
        value = min(elapsed, self._bar.total) if self.by_time and self._bar.total else n_trials
        self._bar.n = value
        text = f"best {self.metric}={best:.4f}" if best is not None else "no result yet"
        self._bar.set_postfix_str(f"{n_trials} trials, {text}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
