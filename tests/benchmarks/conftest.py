"""Tests of the benchmark harness, which lives in ``benchmarks/`` beside ``automl/``.

The harness is not installed (setuptools installs ``automl`` only) and pytest runs
with ``--import-mode=importlib``, which puts no test folder on ``sys.path``; the
repository root goes there so that ``import benchmarks`` works however pytest is
started (``pytest`` or ``python -m pytest``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = str(Path(__file__).resolve().parents[2])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)


def _shared_data_found() -> bool:
    from automl.exceptions import ConfigError
    from benchmarks.datasets import resolve_data_dir

    try:
        resolve_data_dir()
    except ConfigError:
        return False
    return True


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests marked ``shared_data`` where the shared CSV tables are not found
    (``$AUTOML_DATA_DIR`` or ``../shared/datasets``), saying why, so that the suite
    runs from a clone anywhere; where the tables are, they run."""
    marked = [item for item in items if item.get_closest_marker("shared_data")]
    if marked and not _shared_data_found():
        skip = pytest.mark.skip(
            reason="the shared CSV tables are not here (set AUTOML_DATA_DIR or clone beside "
            "../shared)"
        )
        for item in marked:
            item.add_marker(skip)
