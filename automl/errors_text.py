"""One-line descriptions of why a trial failed, for the trial log, leaderboard and errors.

A failing trial is reported as its exception's type and message plus where it was
raised: the innermost frame inside the automl package (what a maintainer looks at
first) and, when the error came from deeper down (pandas, scikit-learn, a model
library), the innermost frame overall::

    TypeError: float() argument must be a string or a real number, not 'NAType'
    (at automl/steps/preprocess.py:31; raised in pandas/core/generic.py:1985)

A worker process that died is described by how it died (the signal, or its exit
status), since it leaves no exception behind.
"""

from __future__ import annotations

import re
import signal
import traceback
from pathlib import Path

__all__ = ["describe_exception", "describe_worker_death", "failure_text"]

#: The package directory: frames under it are the project's own.
_PACKAGE_DIR = Path(__file__).resolve().parent
#: Longest description kept (the trial log stores it whole; summaries cut it further).
MAX_CHARS = 2000
_FRAME_LINE = re.compile(r'File "(?P<file>[^"]+)", line (?P<line>\d+)')
_EXIT_CODES = re.compile(r"exit codes of the workers are \{(?P<codes>[^}]*)\}")
_SIGNAL_HINTS = {
    "SIGKILL": "killed from outside, most often by the kernel's out-of-memory killer",
    "SIGSEGV": "a crash in native code (segmentation fault)",
    "SIGBUS": "a crash in native code (bus error)",
    "SIGABRT": "aborted by native code",
    "SIGILL": "an illegal instruction in native code (a library built for another CPU?)",
    "SIGFPE": "an arithmetic fault in native code",
    "SIGTERM": "asked to terminate from outside",
}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _short_path(filename: str) -> str:
    """``automl/x.py`` for the project's files, ``pandas/core/x.py`` for installed ones."""
    parts = Path(filename).as_posix().split("/")
    for marker in ("site-packages", "dist-packages"):
        if marker in parts:
            return "/".join(parts[len(parts) - parts[::-1].index(marker) :])
    try:
        return Path(filename).resolve().relative_to(_PACKAGE_DIR.parent).as_posix()
    except (ValueError, OSError):
        return "/".join(parts[-2:])


def _is_project(filename: str) -> bool:
    try:
        Path(filename).resolve().relative_to(_PACKAGE_DIR)
    except (ValueError, OSError):
        return False
    return True


def _frames(exc: BaseException) -> list[tuple[str, int]]:
    """(file, line) of each frame of the exception's traceback, outermost first.

    An exception re-raised from a loky worker carries its worker-side traceback only
    as text, in ``__cause__``; its frames are read from there.
    """
    frames = [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__)]
    remote = getattr(exc.__cause__, "tb", None)
    if isinstance(remote, str):
        frames = [(m["file"], int(m["line"])) for m in _FRAME_LINE.finditer(remote)] or frames
    return frames


def _location(exc: BaseException) -> str:
    frames = _frames(exc)
    if not frames:
        return ""
    innermost = frames[-1]
    own = [f for f in frames if _is_project(f[0])]
    where = [f"{_short_path(f)}:{line}" for f, line in (own[-1:] if own else [])]
    if not own or own[-1] != innermost:
        where.append(f"{'raised in ' if own else ''}{_short_path(innermost[0])}:{innermost[1]}")
    return f" (at {'; '.join(where)})"


def _message(exc: BaseException) -> str:
    """The exception's message, or what caused it when it has none."""
    text = _one_line(str(exc))
    if text:
        return text
    cause = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if cause is not None and getattr(cause, "tb", None) is None:
        return f"(no message; caused by {type(cause).__name__}: {_message(cause)})"
    return "(no message)"


def describe_exception(exc: BaseException) -> str:
    """One line: the exception's type, message and where it was raised.

    Parameters
    ----------
    exc : BaseException
        A caught exception, with its traceback.

    Returns
    -------
    str
        ``"Type: message (at automl/file.py:line; raised in lib/file.py:line)"``,
        at most :data:`MAX_CHARS` characters. Never empty: an exception without a
        message is described by its cause, or says ``(no message)``.

    Examples
    --------
    >>> describe_exception(ValueError("boom 42"))
    'ValueError: boom 42'
    >>> describe_exception(AssertionError())
    'AssertionError: (no message)'
    """
    return f"{type(exc).__name__}: {_message(exc)}{_location(exc)}"[:MAX_CHARS]


def _exit_code_text(code: str) -> str:
    """``SIGKILL(-9)`` or ``EXIT(3)`` (loky's notation) in words."""
    match = re.fullmatch(r"(?P<name>[A-Z0-9_]+)\((?P<num>-?\d+)\)", code.strip())
    if match is None:
        return f"exit code {code.strip()}"
    number = int(match["num"])
    if match["name"] == "EXIT" or number >= 0:
        return f"exited with status {number} (sys.exit or os._exit in the model's code?)"
    try:
        name = signal.Signals(-number).name
    except ValueError:
        name = match["name"]
    hint = _SIGNAL_HINTS.get(name)
    return f"killed by signal {-number} ({name})" + (f": {hint}" if hint else "")


def describe_worker_death(exc: BaseException) -> str:
    """Why a worker process stopped without returning its trial's result.

    Parameters
    ----------
    exc : BaseException
        What ``future.result()`` raised: loky's ``TerminatedWorkerError`` (its
        message lists the workers' exit codes), ``BrokenProcessPool`` (the trial
        could not be unpickled in the worker: the reason is in ``__cause__``), or
        anything else.

    Returns
    -------
    str
        ``"worker process died: killed by signal 9 (SIGKILL): ..."`` and the like.

    Examples
    --------
    >>> describe_worker_death(RuntimeError("... exit codes of the workers are {SIGBUS(-7)}"))
    'worker process died: killed by signal 7 (SIGBUS): a crash in native code (bus error)'
    """
    codes = _EXIT_CODES.search(str(exc))
    if codes is not None:
        how = "; ".join(_exit_code_text(c) for c in codes["codes"].split(",") if c.strip())
        return f"worker process died: {how}"[:MAX_CHARS]
    remote = getattr(exc.__cause__, "tb", None)
    if isinstance(remote, str) and "un-serialize" in str(exc):
        lines = [line for line in remote.strip().strip('"').splitlines() if line.strip()]
        last = _one_line(lines[-1]) if lines else "unknown reason"
        return (
            f"the worker could not unpickle the trial ({last}): are all the model's "
            "classes importable in a fresh process?"
        )[:MAX_CHARS]
    return f"worker process died: {describe_exception(exc)}"[:MAX_CHARS]


def failure_text(error: object, status: str = "failed", limit: int | None = None) -> str:
    """A trial's ``error`` for display: one line, never empty, its location kept.

    Parameters
    ----------
    error : str or None
        The ``error`` of a trial record.
    status : str
        The trial's status, to word a missing reason.
    limit : int or None
        Most characters; a longer text loses the end of its message, not its
        ``(at file:line)`` suffix.

    Returns
    -------
    str

    Examples
    --------
    >>> failure_text(None)
    'failed without a recorded reason'
    >>> failure_text("ValueError: " + "x" * 50 + " (at automl/a.py:1)", limit=40)
    'ValueError: xxxxxx... (at automl/a.py:1)'
    """
    text = _one_line(str(error)) if error is not None else ""
    text = text or f"{status} without a recorded reason"
    if limit is None or len(text) <= limit:
        return text
    where = re.search(r" \(at [^()]*\)$", text)
    suffix = where.group(0) if where and len(where.group(0)) < limit // 2 else ""
    return text[: limit - len(suffix) - 3] + "..." + suffix
