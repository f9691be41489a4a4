"""The benchmark harness: suites of datasets, systems behind one interface, a resumable runner.

Part of the source checkout, not of the installed ``automl`` package: it reads the
shared CSV folder beside the repository and records the git revision of each
``automl`` run. Run it from the repository root::

    python -m benchmarks.run --suite quick --budget 60 --seeds 0 --systems automl xgb
    python -m benchmarks.compare results/quick.jsonl --baseline xgb --system automl
    python -m benchmarks.run --suite regression --budget 60 --seeds 0 1 2 \
        --systems automl hgb xgb ridge flaml --out results/regression.jsonl
    python -m benchmarks.compare results/regression.jsonl --baseline hgb --metric rmse

Modules, one concept each:

- :mod:`~benchmarks.datasets`: dataset sources (``csv:``, ``sklearn:``, ``synthetic:``),
  the data folder, the split;
- :mod:`~benchmarks.suites`: suites as TOML data in ``suites/`` (``shared``, ``small``,
  ``imbalanced``, ``quick``, ``sklearn``, ``synthetic``, ``smoke``; ``regression``, whose
  task makes every system name mean its regressor);
- :mod:`~benchmarks.prep`: the preprocessing all baselines share;
- :mod:`~benchmarks.systems`: ``automl``, ``automl_mlp``, ``xgb``, ``hgb``, ``lr``;
- :mod:`~benchmarks.tuned`: the budgeted peers ``skopt_xgb`` and ``flaml``;
- :mod:`~benchmarks.regressors`: regression ``automl``, ``hgb``, ``xgb``, ``ridge``, ``flaml``;
- :mod:`~benchmarks.cell`: one cell in its own process, scored with :mod:`automl.metrics`;
- :mod:`~benchmarks.runner`: cells in subprocesses with hard timeouts, resumable;
- :mod:`~benchmarks.compare`: system vs baseline as Markdown (``python -m benchmarks.compare``);
- :mod:`~benchmarks.cli`: the options of ``python -m benchmarks.run``;
- :mod:`~benchmarks.net_throughput`: the net's training speed against a bare PyTorch loop.

Results are JSONL records in the format of :mod:`automl.report.records`, which the
library's batch report (``automl report results/``) reads.
"""
