"""Where a low-fidelity trial's time goes, with and without subsampled scoring folds.

One trial of a family's default configuration is run in this process (no worker,
no search) on ``make_classification`` data (50 columns, 10 % positives), with the
folds, pipeline graph and float32 trial data an ``AutoMLClassifier`` fit would use,
at each fidelity given. Each row prints the trial's seconds (``duration``), its
models' and steps' fit seconds (``fit``), its prediction seconds (``predict``),
and the rest (scoring, threshold tuning, copies), once with the scoring folds
subsampled (:func:`automl.fidelity.subsample_score`, the default) and once with
them scored whole (the behaviour before), plus the trial's ROC AUC.

Run (about a minute at 300,000 rows; the figures in the scale branch's report)::

    python -m benchmarks.fidelity_trial_cost --rows 300000 --family hist_gb
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import pandas as pd
from sklearn.datasets import make_classification

from automl import AutoMLClassifier
from automl.evaluate import DataRef, TrialTask, run_trial
from automl.family import register_families
from automl.fidelity import with_fidelity
from automl.large_data import DataPlan
from automl.run_context import RunContext
from automl.schema import infer_schema
from automl.worker_data import worker_data_folder, write_worker_data

#: ``score_subsample_rows`` that no scoring fold reaches: every row scored.
NEVER = 10**12


def run_context(X: pd.DataFrame, y, budget: float) -> tuple[RunContext, pd.DataFrame, object]:
    """The run context an ``AutoMLClassifier(time_budget=budget)`` fit would build."""
    clf = AutoMLClassifier(time_budget=budget, random_state=0, verbose=0)
    X_fit, y_fit = clf._validate(X, y)
    schema = infer_schema(X_fit)
    clf.profile_ = clf._profile(X_fit, y_fit, schema)
    clf._model_names = register_families(clf.models, "classification")
    clf.metric_, clf.custom_metric_, clf.notes_ = "roc_auc", None, []
    graph, _ = clf._choose_graph(y_fit)
    return clf._run_context(graph, schema, X_fit, y_fit, 0, None), X_fit, y_fit


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--family", default="hist_gb")
    parser.add_argument("--budget", type=float, default=300.0)
    parser.add_argument("--fidelities", type=float, nargs="+", default=[1 / 27, 1 / 9, 1 / 3])
    args = parser.parse_args(argv)
    X, y = make_classification(
        n_samples=args.rows, n_features=50, n_informative=25, weights=[0.9], random_state=0
    )
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(50)])
    run, X_fit, y_fit = run_context(X, y, args.budget)
    plan = DataPlan.decide(len(y_fit), X_fit.shape[1], len(run.folds), args.budget)
    print(
        f"{args.rows} rows, {len(run.folds)} folds of {len(run.folds[0][1])} scoring rows, "
        f"{args.family}, float32={plan.float32}, pipeline {run.graph.name!r}"
    )
    header = ("fidelity", "scoring", "duration", "fit", "predict", "rest", "roc_auc")
    print("".join(f"{h:>10}" for h in header))
    with worker_data_folder() as folder:
        path = write_worker_data(X_fit, y_fit, folder, float32=plan.float32)
        data = DataRef(path=path)
        config = run.graph.default_config(args.family, run.model)
        run_trial(TrialTask(0, with_fidelity(config, args.fidelities[0]), run, data))  # warm
        for fidelity in args.fidelities:
            whole = replace(run, score_subsample_rows=NEVER)
            for label, ctx in (("subsample", run), ("whole", whole)):
                r = run_trial(TrialTask(0, with_fidelity(config, fidelity), ctx, data))
                rest = r["duration"] - r["fit_time"] - r["predict_time"]
                auc = r["mean"].get("roc_auc", float("nan"))
                print(
                    f"{fidelity:>10.4f}{label:>10}{r['duration']:>10.2f}{r['fit_time']:>10.2f}"
                    f"{r['predict_time']:>10.2f}{rest:>10.2f}{auc:>10.4f}"
                )


if __name__ == "__main__":
    main()
