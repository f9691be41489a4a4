"""Run a benchmark suite: ``python -m benchmarks.run --suite quick --budget 60 --seeds 0 1 2``.

A thin entry point; see :mod:`automl.bench.cli` for the options.
"""

from automl.bench.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
