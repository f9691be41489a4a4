"""A progress bar for long fits: time used, trials per fidelity, the best score so far (tqdm)."""

from __future__ import annotations

from .fidelity import fidelity_label


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

    def update(
        self,
        elapsed: float,
        n_trials: int,
        best: float | None,
        per_fidelity: dict[float, int] | None = None,
    ) -> None:
        """Show the time (or trials) used and the best full-fidelity score so far.

        ``per_fidelity`` maps fidelities to finished trials; shown when trials ran at
        more than full fidelity.
        """
        if self._bar is None:
            return
        value = min(elapsed, self._bar.total) if self.by_time and self._bar.total else n_trials
        self._bar.n = value
        self._bar.set_postfix_str(status_text(n_trials, best, self.metric, per_fidelity))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def status_text(
    n_trials: int, best: float | None, metric: str, per_fidelity: dict[float, int] | None = None
) -> str:
    """``"12 trials (1/9: 8, 1/3: 3, 1: 1), best roc_auc=0.9812"`` for the progress bar."""
    text = f"{n_trials} trials"
    multi = bool(per_fidelity) and any(f < 1.0 for f in per_fidelity or {})
    if per_fidelity and multi:
        counts = ", ".join(f"{fidelity_label(f)}: {n}" for f, n in sorted(per_fidelity.items()))
        text += f" ({counts})"
    if best is None:
        return f"{text}, no full-fidelity result yet" if multi else f"{text}, no result yet"
    return f"{text}, best {metric}={best:.4f}"
