"""Memory of a whole process tree (this process and every descendant), as PSS.

PSS (proportional set size) counts a page shared by N processes as 1/N in each,
so the sum over a tree is what the tree really holds: memory-mapped data read by
several workers is counted once, not once per worker as RSS would. Linux only
(``/proc/<pid>/smaps_rollup``); elsewhere the figures are None.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from automl.worker_data import FOLDER_PREFIX

#: Seconds between two samples of the tree's memory.
SAMPLE_SECONDS = 0.2


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (children, their children, ...)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                kids = [int(k) for k in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found.extend(kids)
            stack.extend(kids)
    return found


def pss_mb(pid: int) -> float | None:
    """PSS of one process in MB, or None when it cannot be read (gone, not Linux)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


#: The kinds of memory :func:`pss_kinds_mb` tells apart.
KINDS = ("anonymous", "data file", "libraries", "other files")


def _kind(path: str) -> str:
    """The kind of one mapping, from its path in ``/proc/<pid>/smaps``."""
    if not path or path.startswith("["):  # heap, stack, anonymous mappings
        return "anonymous"
    if f"/{FOLDER_PREFIX}" in path:  # the fit's worker data, memory-mapped
        return "data file"
    if path.endswith(".so") or ".so." in path:
        return "libraries"
    return "other files"


def pss_kinds_mb(pid: int) -> dict[str, float] | None:
    """PSS of one process in MB by kind of mapping (see :data:`KINDS`); None when unreadable.

    Anonymous memory is what the process allocated (arrays, Python objects, the
    libraries' heaps); "data file" the fit's memory-mapped worker data; "libraries"
    the pages of shared libraries. Reads the whole ``smaps``: slower than
    :func:`pss_mb`, for a breakdown, not for frequent sampling.
    """
    kinds = dict.fromkeys(KINDS, 0.0)
    kind = "anonymous"
    try:
        with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                head = line.split(None, 5)
                if head and "-" in head[0] and ":" not in head[0]:  # a mapping's first line
                    kind = _kind(head[5].strip() if len(head) > 5 else "")
                elif line.startswith("Pss:"):
                    kinds[kind] += int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return kinds


def tree_pss_kinds_mb(pid: int | None = None) -> dict[str, dict[str, float]] | None:
    """:func:`pss_kinds_mb` of ``pid`` (default: this process) and of its descendants summed:
    ``{"main": {...}, "workers": {...}}``."""
    root = os.getpid() if pid is None else pid
    main = pss_kinds_mb(root)
    if main is None:
        return None
    workers = dict.fromkeys(KINDS, 0.0)
    for child in children(root):
        for kind, mb in (pss_kinds_mb(child) or {}).items():
            workers[kind] += mb
    return {"main": main, "workers": workers}


def tree_pss_parts_mb(pid: int | None = None) -> tuple[float, float] | None:
    """PSS of ``pid`` (default: this process) and of all its descendants together, in MB."""
    root = os.getpid() if pid is None else pid
    own = pss_mb(root)
    if own is None:
        return None
    kids = [pss_mb(p) for p in children(root)]
    return own, sum(v for v in kids if v is not None)


def tree_pss_mb(pid: int | None = None) -> float | None:
    """PSS of ``pid`` (default: this process) and all its descendants, in MB."""
    parts = tree_pss_parts_mb(pid)
    return None if parts is None else sum(parts)


class PeakTreePss:
    """Samples the process tree's PSS every :data:`SAMPLE_SECONDS` in a thread.

    Use as a context manager; ``peak_mb`` is the largest sum seen, ``start_mb`` the
    first sample, ``peak_parts_mb`` the PSS of this process and of its descendants at
    the peak (which of them holds the memory). With ``kinds=True``, ``peak_kinds_mb``
    is :func:`tree_pss_kinds_mb` read at each new peak (reading every mapping costs
    CPU beside the measured work, so it is off by default).

    Examples
    --------
    >>> with PeakTreePss() as memory:  # doctest: +SKIP
    ...     clf.fit(X, y)
    >>> memory.peak_mb  # doctest: +SKIP
    """

    def __init__(self, interval: float = SAMPLE_SECONDS, kinds: bool = False) -> None:
        self.interval = interval
        self.kinds = kinds
        self.start_mb: float | None = None
        self.peak_mb: float | None = None
        self.peak_parts_mb: tuple[float, float] | None = None
        self.peak_kinds_mb: dict[str, dict[str, float]] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _record(self) -> None:
        parts = tree_pss_parts_mb()
        if parts is not None and (self.peak_mb is None or sum(parts) > self.peak_mb):
            self.peak_mb, self.peak_parts_mb = sum(parts), parts
            if self.kinds:
                self.peak_kinds_mb = tree_pss_kinds_mb()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self._record()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakTreePss:
        self.start_mb = tree_pss_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._record()


def machine_load() -> str:
    """The machine's load averages, to report beside timings (other work skews them)."""
    try:
        load = Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return "load unknown"
    return f"load average {' '.join(load)} on {os.cpu_count()} CPUs"
