"""Reports built from stored results: one fitted run, or many benchmark cells.

- :func:`write_run_report` — a fitted ``AutoMLClassifier`` or ``AutoMLRegressor`` to
  ``.html``/``.md``.
- :func:`write_batch_report` — benchmark JSONL to ``.html``/``.md``.
- :mod:`automl.report.results` — load and summarise benchmark JSONL.
- :mod:`automl.report.records` — the benchmark record format (fields, reading, writing).
- :mod:`automl.report.plots` — the figures (matplotlib, no global state changed).

HTML reports are single self-contained files (figures inlined as base64 PNG).
Markdown reports link PNG files written to ``<stem>_files/`` beside them.
Reports never refit a model.
"""

from __future__ import annotations

from .batch_report import write_batch_report
from .results import load_results
from .run_report import write_run_report

__all__ = ["load_results", "write_batch_report", "write_run_report"]
