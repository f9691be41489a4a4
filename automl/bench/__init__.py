"""Benchmarks: suites of datasets, systems behind one interface, a resumable runner.

Modules, one concept each:

- :mod:`~automl.bench.datasets`: dataset sources (``csv:``, ``sklearn:``, ``synthetic:``),
  the data folder, the split;
- :mod:`~automl.bench.suites`: suites as TOML data in ``suites/`` (``shared``, ``small``,
  ``imbalanced``, ``quick``, ``sklearn``, ``synthetic``, ``smoke``);
- :mod:`~automl.bench.prep`: the preprocessing all baselines share;
- :mod:`~automl.bench.systems`: ``automl``, ``xgb``, ``hgb``, ``lr``, ``skopt_xgb``, ``flaml``;
- :mod:`~automl.bench.cell`: one cell in its own process, scored with :mod:`automl.metrics`;
- :mod:`~automl.bench.results`: the JSONL record schema;
- :mod:`~automl.bench.runner`: cells in subprocesses with hard timeouts, resumable;
- :mod:`~automl.bench.compare`: system vs baseline as Markdown;
- :mod:`~automl.bench.cli`: ``python -m benchmarks.run``.

Nothing here is imported by ``import automl``.
"""
