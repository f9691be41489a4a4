"""Compare a system with a baseline from stored results, as Markdown.

Usage::

    python -m benchmarks.compare results/quick.jsonl --baseline xgb --system automl --metric roc_auc

See :mod:`automl.bench.compare`.
"""

from automl.bench.compare import main

if __name__ == "__main__":
    raise SystemExit(main())
