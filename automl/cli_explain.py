"""The ``automl explain`` and ``automl track`` subcommands (see :mod:`automl.cli`).

::

    automl explain model.joblib test.csv --target churn -o importances.csv
    automl explain model.joblib test.csv --target churn --save-model explained.joblib
    automl track model.joblib --experiment churn --tracking-uri file:./mlruns
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .exceptions import DataError

__all__ = ["add_explain_commands"]


def add_explain_commands(sub: Any) -> None:
    """Add ``explain`` and ``track`` to the subcommands of the ``automl`` parser.

    Parameters
    ----------
    sub : argparse subparsers action
        What ``ArgumentParser.add_subparsers`` returned.
    """
    exp = sub.add_parser(
        "explain", help="importance of the input columns of a saved model on held-out rows"
    )
    exp.add_argument("model", help="model file written by 'automl fit' or model.save")
    exp.add_argument("data", help="held-out rows: a CSV file with the fit columns and the target")
    exp.add_argument("--target", required=True, help="name of the label (target) column")
    exp.add_argument(
        "--n-repeats", type=int, default=5, metavar="N", help="shuffles per column (default: 5)"
    )
    exp.add_argument("--scoring", metavar="METRIC", help="metric (default: the fit's metric)")
    exp.add_argument("--seed", type=int, metavar="N", help="seed of the shuffles")
    exp.add_argument("-o", "--output", metavar="CSV", help="also write the table to this CSV file")
    exp.add_argument(
        "--save-model",
        metavar="PATH",
        help="write the model with its importances stored, for 'automl report'",
    )
    exp.set_defaults(func=_cmd_explain)

    track = sub.add_parser("track", help="log a saved model's run to MLflow (needs mlflow)")
    track.add_argument("model", help="model file written by 'automl fit' or model.save")
    track.add_argument("--experiment", help="MLflow experiment name (default: 'automl')")
    track.add_argument("--tracking-uri", metavar="URI", help="MLflow tracking URI")
    track.add_argument("--run-name", help="name of the MLflow run")
    track.set_defaults(func=_cmd_track)


def _cmd_explain(args: argparse.Namespace) -> int:
    from .cli import _load_model, _read_csv

    model = _load_model(args.model)
    df = _read_csv(args.data)
    if args.target not in df.columns:
        raise DataError(
            f"target column {args.target!r} is not in '{args.data}'; feature_importance "
            "needs the true labels or values of the held-out rows."
        )
    y = df[args.target]
    X = df.drop(columns=[args.target])
    table = model.feature_importance(
        X, y, n_repeats=args.n_repeats, scoring=args.scoring, random_state=args.seed
    )
    explanation = model.explanation_
    print(
        f"Permutation importance on {explanation.n_rows} rows, {explanation.n_repeats} "
        f"shuffles per column; {explanation.metric} as given: {explanation.baseline:.4f}"
    )
    print(table.to_string(float_format=lambda v: f"{v:.4g}"))
    if args.output:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.output)
        print(f"Importances written to {args.output}", file=sys.stderr)
    if args.save_model:
        print(f"Model with its importances saved to {model.save(args.save_model)}", file=sys.stderr)
    return 0


def _cmd_track(args: argparse.Namespace) -> int:
    from .cli import _load_model
    from .tracking.mlflow import log_run

    run_id = log_run(
        _load_model(args.model),
        experiment=args.experiment,
        tracking_uri=args.tracking_uri,
        run_name=args.run_name,
    )
    print(f"Logged to MLflow run {run_id}")
    return 0
