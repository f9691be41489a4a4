"""Run a benchmark suite: ``python -m benchmarks.run --suite quick --budget 60 --seeds 0 1 2``.

A thin entry point; see :mod:`benchmarks.cli` for the options.
"""

from benchmarks.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
