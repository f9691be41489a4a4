"""Tests of the benchmark harness, which lives in ``benchmarks/`` beside ``automl/``.

The harness is not installed (setuptools installs ``automl`` only) and pytest runs
with ``--import-mode=importlib``, which puts no test folder on ``sys.path``; the
repository root goes there so that ``import benchmarks`` works however pytest is
started (``pytest`` or ``python -m pytest``).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = str(Path(__file__).resolve().parents[2])
if REPO_ROOT not in sys.path:
    sys.path.insert(0, REPO_ROOT)
