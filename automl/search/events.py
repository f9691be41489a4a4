"""Worker events seen during a search, told in the project's words instead of on stderr.

joblib's process pool (loky) warns on stderr when it replaces a worker: after the
search killed one that overran its time or memory limit, or when loky itself
restarts a worker whose memory grew (large data). Those are expected events of a
search, already recorded per trial in the trial log; a fit with ``verbose=0`` must
print nothing, and at ``verbose>=1`` each kind of event is reported once.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

logger = logging.getLogger("automl")

#: Warnings of the worker pool, by the start of their message, and what they mean.
POOL_WARNINGS = {
    "A worker stopped while some jobs were given to the executor": (
        "worker processes were replaced {n} time(s) during the search (after a trial was "
        "stopped at its limit, or when the pool restarted a worker whose memory grew)"
    ),
}


class WorkerEvents:
    """What the worker pool reported during a search, counted by kind."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def notes(self) -> list[str]:
        """One note per kind of event, in the project's words.

        Returns
        -------
        list of str
        """
        return [POOL_WARNINGS[key].format(n=n).capitalize() + "." for key, n in self.counts.items()]


@contextmanager
def quiet_workers(verbose: int) -> Iterator[WorkerEvents]:
    """Catch the worker pool's warnings while the search runs; report them once.

    The pool warns from its manager thread: the filter is process-wide while the
    block runs (``warnings.catch_warnings`` is not thread-local, which is what
    lets it catch them).

    Parameters
    ----------
    verbose : int
        At 1 or more each kind of event is printed once when the block ends.

    Yields
    ------
    WorkerEvents
        Filled as the block runs; its :meth:`~WorkerEvents.notes` go to ``notes_``.
    """
    events = WorkerEvents()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield events
        finally:
            for w in caught:
                text = str(w.message)
                key = next((k for k in POOL_WARNINGS if text.startswith(k)), None)
                if key is not None:
                    events.counts[key] += 1
                else:
                    logger.debug("warning during the search: %s", text)
    for note in events.notes():
        logger.info(note)
        if verbose >= 1:
            print(f"[automl] {note}")
