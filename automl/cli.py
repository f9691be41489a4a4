"""The ``automl`` command line: fit, predict, report, explain, track, export.

A thin layer over the library (argparse only). User errors print one line,
``automl: error: ...``, on stderr and exit with status 2; no traceback.

``automl fit`` fits an :class:`~automl.AutoMLRegressor` for a numeric target with
many distinct values (:func:`detect_task`; a note on stderr says so) unless
``--task`` decides; ``--metric`` takes the metrics of that task.

Examples
--------
::

    automl fit train.csv --target churn --budget 120 --metric f1 --out model.joblib
    automl fit houses.csv --target price --metric mae          # a regressor, detected
    automl fit grades.csv --target grade --task classification # 1..100 as classes
    automl predict model.joblib test.csv -o predictions.csv
    automl report model.joblib -o report.html       # one run
    automl export model.joblib -o model.onnx        # the whole model as one ONNX graph
    automl report results/ -o benchmark.html        # benchmark JSONL (directory or .jsonl)
    automl explain model.joblib test.csv --target churn  # see automl.cli_explain (and track)

The benchmark harness is not part of the installed package: it needs the source
checkout and the shared datasets folder. From the repository root, run
``python -m benchmarks.run ...``; ``automl bench`` only says so (exit status 2).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from contextlib import nullcontext
from difflib import get_close_matches
from pathlib import Path
from shlex import join as shell_join
from typing import Any

from .cli_explain import add_explain_commands
from .exceptions import AutoMLError, DataError
from .export.command import add_export_parser
from .task_detect import MIN_DISTINCT, MIN_DISTINCT_SHARE, detect_task

__all__ = ["build_parser", "detect_task", "main"]

EXIT_USAGE = 2
_PROG = "automl"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (``bench`` only points to the harness)."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog=_PROG, description="AutoML for tabular classification and regression."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    fit = sub.add_parser("fit", help="search for a model on a CSV file and save it")
    fit.add_argument("data", help="training data, a CSV file with a header row")
    fit.add_argument("--target", required=True, help="name of the label column")
    fit.add_argument(
        "--task",
        choices=("classification", "regression"),
        help="default: regression for a numeric target of floats, or of whole numbers with "
        f"over {MIN_DISTINCT} distinct values that are over {MIN_DISTINCT_SHARE:.0%} of the rows",
    )
    fit.add_argument("--budget", type=float, metavar="S", help="time budget in seconds")
    fit.add_argument(
        "--metric",
        help="metric to optimise (classification e.g. roc_auc, f1, log_loss; "
        "regression rmse, mae, r2, mape, rmsle, median_ae)",
    )
    fit.add_argument(
        "--out", default="model.joblib", help="model file to write (default: %(default)s)"
    )
    fit.add_argument("--models", nargs="+", metavar="NAME", help="model families to search")
    fit.add_argument("--pipeline", metavar="NAME", help="pipeline preset name or file")
    fit.add_argument("--max-trials", type=int, metavar="N", help="stop after N trials")
    fit.add_argument("--seed", type=int, metavar="N", help="random seed")
    fit.add_argument("--log-dir", metavar="DIR", help="directory for the trial log")
    fit.add_argument("--quiet", action="store_true", help="no progress bar, warnings or summary")
    fit.set_defaults(func=_cmd_fit)

    pred = sub.add_parser("predict", help="predict a CSV file with a saved model")
    pred.add_argument("model", help="model file written by 'automl fit' or model.save")
    pred.add_argument("data", help="CSV file with the feature columns seen at fit")
    pred.add_argument(
        "-o", "--output", default="-", help="CSV file to write; '-' for stdout (default)"
    )
    pred.add_argument(
        "--target",
        help="label column to drop if present (columns the model did "
        "not see at fit, the label among them, are dropped anyway)",
    )
    pred.add_argument("--quiet", action="store_true", help="no notes on stderr")
    pred.set_defaults(func=_cmd_predict)

    rep = sub.add_parser("report", help="write an HTML or Markdown report")
    rep.add_argument(
        "run",
        help="a model file (run report), or a directory or .jsonl file of "
        "benchmark results (batch report)",
    )
    rep.add_argument(
        "-o",
        "--output",
        default="report.html",
        help="report file, .html or .md (default: %(default)s)",
    )
    rep.add_argument(
        "--metrics",
        nargs="+",
        metavar="M",
        help="batch report: metrics to compare (default: roc_auc f1 average_precision log_loss "
        "for classification cells, rmse mae r2 for regression cells)",
    )
    rep.add_argument(
        "--baselines",
        nargs="+",
        metavar="SYSTEM",
        help="batch report: systems to compare against (default: all); the first is also "
        "the reference of normalised RMSE / MAE (default: hgb)",
    )
    rep.add_argument(
        "--tol",
        type=float,
        default=0.005,
        help="batch report: score differences within TOL are ties (default: %(default)s)",
    )
    rep.set_defaults(func=_cmd_report)

    add_explain_commands(sub)
    add_export_parser(sub)
    sub.add_parser(
        "bench",
        help="moved: run 'python -m benchmarks.run' from the source checkout",
        add_help=False,
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns
    -------
    int
        0 on success, 2 for a usage or user error.
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] == "bench":
            return _cmd_bench(args_list[1:])
        try:
            args = build_parser().parse_args(args_list)
        except SystemExit as exc:  # --help, --version or a usage error (already printed)
            return exc.code if isinstance(exc.code, int) else EXIT_USAGE
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        message = _user_error_message(exc)
        if message is None:
            raise
        print(f"{_PROG}: error: {message}", file=sys.stderr)
        return EXIT_USAGE


def _user_error_message(exc: BaseException) -> str | None:
    """One line for errors a user can fix; ``None`` for bugs (re-raised with a traceback)."""
    import pandas as pd

    if isinstance(exc, AutoMLError):
        return str(exc).strip().replace("\n", " ")
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)):
        reason = {
            FileNotFoundError: "no such file or directory",
            IsADirectoryError: "is a directory",
            PermissionError: "permission denied",
        }
        if exc.filename is not None:
            return f"{reason[type(exc)]}: '{exc.filename}'"
        return str(exc)
    if isinstance(exc, (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError)):
        return f"cannot read CSV: {str(exc).strip().splitlines()[0]}"
    return None


def _read_csv(path: str) -> Any:
    import pandas as pd

    if not Path(path).is_file():
        raise FileNotFoundError(2, "No such file or directory", path)
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot read CSV '{path}': {first}") from exc


def _estimator_class(task: str = "classification") -> Any:
    if task == "regression":
        from .regressor import AutoMLRegressor

        return AutoMLRegressor
    from .estimator import AutoMLClassifier

    return AutoMLClassifier


def _check_metric(metric: str | None, task: str) -> None:
    """Raise ConfigError when ``--metric`` belongs to the other task (or is unknown)."""
    from .exceptions import ConfigError
    from .metrics import get_metric, reported

    found = get_metric(metric) if metric is not None else None
    if found is not None and found.task != task:
        raise ConfigError(
            f"--metric {metric} is a {found.task} metric but the task is {task}; "
            f"choose one of {', '.join(reported(task))}, or set --task."
        )


def _load_model(path: str) -> Any:
    from .persistence import load

    return load(path)


def _cmd_fit(args: argparse.Namespace) -> int:
    df = _read_csv(args.data)
    if args.target not in df.columns:
        close = get_close_matches(args.target, [str(c) for c in df.columns], n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        shown = ", ".join(map(str, df.columns[:12])) + (", …" if df.shape[1] > 12 else "")
        raise DataError(
            f"target column {args.target!r} is not in '{args.data}' "
            f"({df.shape[1]} columns: {shown}).{hint}"
        )
    y = df[args.target]
    X = df.drop(columns=[args.target])
    task, note = (args.task, None) if args.task else detect_task(y)
    _check_metric(args.metric, task)
    if note and not args.quiet:
        print(f"{_PROG}: note: {note}", file=sys.stderr)
    options = {
        "time_budget": args.budget,
        "metric": args.metric,
        "models": args.models,
        "pipeline": args.pipeline,
        "max_trials": args.max_trials,
        "random_state": args.seed,
        "log_dir": args.log_dir,
    }
    clf = _estimator_class(task)(
        **{k: v for k, v in options.items() if v is not None}, verbose=0 if args.quiet else 1
    )
    with warnings.catch_warnings() if args.quiet else nullcontext():
        if args.quiet:
            warnings.simplefilter("ignore")
        clf.fit(X, y)
    saved = clf.save(args.out)
    if not args.quiet:
        print(_leaderboard_text(clf))
        score = getattr(clf, "cv_score_", None)
        print(f"\nCV {clf.metric_}: " + ("n/a" if score is None else f"{score:.4f}"))
        print(f"Model saved to {saved}")
    return 0


def _leaderboard_text(clf: Any, rows: int = 10) -> str:
    board = clf.leaderboard_
    metric = clf.metric_
    columns = [
        c
        for c in ("trial", "family", "status", f"{metric}_mean", f"{metric}_std", "duration")
        if c in board.columns
    ]
    return board[columns].head(rows).to_string(index=False, float_format=lambda v: f"{v:.4f}")


def _cmd_predict(args: argparse.Namespace) -> int:
    import pandas as pd

    model = _load_model(args.model)
    df = _read_csv(args.data)
    drop = [args.target] if args.target and args.target in df.columns else []
    seen = getattr(model, "feature_names_in_", None)
    if seen is not None:
        seen_set = {str(c) for c in seen}
        present = {str(c) for c in df.columns}
        missing = [str(c) for c in seen if str(c) not in present]
        if missing:
            shown = ", ".join(missing[:10]) + (", …" if len(missing) > 10 else "")
            raise DataError(
                f"'{args.data}' lacks {len(missing)} of the {len(seen_set)} columns "
                f"the model was fitted on: {shown}."
            )
        drop += [c for c in df.columns if str(c) not in seen_set and c not in drop]
    if drop and not args.quiet:
        print(
            f"{_PROG}: note: ignoring columns not used by the model: {', '.join(map(str, drop))}",
            file=sys.stderr,
        )
    X = df.drop(columns=drop)
    out = pd.DataFrame({"prediction": model.predict(X)})
    if hasattr(model, "predict_proba"):  # a classifier; a regressor writes the prediction only
        proba = model.predict_proba(X)
        for i, label in enumerate(model.classes_):
            out[f"proba_{label}"] = proba[:, i]
    if args.output == "-":
        out.to_csv(sys.stdout, index=False)
    else:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        out.to_csv(args.output, index=False)
        if not args.quiet:
            print(f"{len(out)} predictions written to {args.output}", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    run = Path(args.run)
    if not run.exists():
        raise FileNotFoundError(2, "No such file or directory", args.run)
    if run.is_dir() or run.suffix.lower() == ".jsonl":
        from .report.batch_report import write_batch_report

        options = {"metrics": args.metrics, "baselines": args.baselines, "tol": args.tol}
        path = write_batch_report(run, args.output, **options)
    else:
        from .report.run_report import write_run_report

        path = write_run_report(_load_model(args.run), args.output)
    print(f"Report written to {path}")
    return 0


def _cmd_bench(argv: list[str]) -> int:
    """Say where the harness lives (not installed), repeating ``argv``; always exit status 2."""
    command = "python -m benchmarks.run " + (shell_join(argv) if argv else "--help")
    print(
        f"{_PROG}: error: 'automl bench' was removed: the benchmark harness is not part of "
        "the installed package (it needs the source checkout and its datasets folder); "
        f"from the repository root run: {command}",
        file=sys.stderr,
    )
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
