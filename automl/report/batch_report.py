"""The batch report: many benchmark cells (JSONL) compared across systems.

Built only from stored cells (:mod:`automl.report.results`; record format
:mod:`automl.report.records`), never by refitting. Each metric's section reads
the cells of the metric's task. Regression systems are ranked by RMSE (and the
other metrics asked for); a scale-dependent regression metric (RMSE, MAE,
median AE) is also compared across datasets normalised by a reference system
(each dataset's RMSE / the reference's RMSE on it): the rank table shows the
mean and geometric mean of that ratio, and wins / ties / losses compare ratios.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, unknown_name_message
from ..metrics import get_metric
from . import plots
from ._render import ImageSink, Table, fmt_value, output_format, render
from .results import (
    METRIC_COLUMNS,
    budget_adherence,
    failures,
    friedman_pvalue,
    greater_is_better,
    load_results,
    mean_ranks,
    nemenyi_cd,
    normalised_table,
    score_table,
    system_summary,
    wins_ties_losses,
)

__all__ = ["write_batch_report"]

DEFAULT_METRICS = ("roc_auc", "f1", "average_precision", "log_loss")
#: The metrics of regression cells tabulated when none are asked for.
DEFAULT_REGRESSION_METRICS = ("rmse", "mae", "r2")
#: Regression metrics in the target's units: compared across datasets as ratios.
SCALED_METRICS = ("rmse", "mae", "median_ae")
#: The preferred reference of the normalised regression metrics, when present.
DEFAULT_REFERENCE = "hgb"


def write_batch_report(
    results_path: str | Path,
    out_path: str | Path,
    *,
    metrics: Sequence[str] | None = None,
    baselines: Sequence[str] | None = None,
    tol: float = 0.005,
    alpha: float = 0.05,
) -> Path:
    """Write a benchmark comparison report.

    Parameters
    ----------
    results_path : str or Path
        A ``.jsonl`` file or a directory searched recursively for ``*.jsonl``.
    out_path : str or Path
        ``*.html`` (self-contained) or ``*.md`` (figures as PNG files in
        ``<stem>_files/`` beside it).
    metrics : sequence of str, optional
        Metrics to tabulate, each with a score table (best per dataset in
        bold), mean ranks, wins/ties/losses and a critical-difference diagram.
        Default: :data:`DEFAULT_METRICS` for classification cells and
        :data:`DEFAULT_REGRESSION_METRICS` for regression cells, for the tasks present.
    baselines : sequence of str, optional
        Systems every other system is compared with; default: all systems. The
        first one is also the reference of the normalised regression metrics
        (default :data:`DEFAULT_REFERENCE` where it ran, else the first system).
    tol : float
        Score differences within ``tol`` count as ties.
    alpha : float
        Significance level of the Nemenyi critical difference.

    Returns
    -------
    Path
        The written report.

    Raises
    ------
    FileNotFoundError
        If ``results_path`` does not exist.
    ConfigError
        For an unknown metric or baseline, a metric of a task with no cells,
        or an unsupported suffix.
    DataError
        If no cell can be read.
    """
    out_path = Path(out_path)
    fmt = output_format(out_path)
    for m in metrics or ():
        if m not in METRIC_COLUMNS:
            raise ConfigError(unknown_name_message("metric", m, METRIC_COLUMNS))
    df = load_results(results_path)
    tasks = set(df["task"])
    if metrics is None:
        metrics = [
            *(DEFAULT_METRICS if "classification" in tasks else ()),
            *(DEFAULT_REGRESSION_METRICS if "regression" in tasks else ()),
        ]
    for m in metrics:
        if get_metric(m).task not in tasks:
            raise ConfigError(f"Metric {m!r} is a {get_metric(m).task} metric; no such cells.")
    systems = sorted(df["system"].unique())
    reference = baselines[0] if baselines else None
    baselines = list(baselines) if baselines is not None else systems
    for b in baselines:
        if b not in systems:
            raise ConfigError(unknown_name_message("baseline system", b, systems))
    sink = ImageSink(out_path, fmt)
    context = {
        "title": "Benchmark report",
        "source": str(results_path),
        "overview": _overview(df),
        "systems": Table.from_frame(system_summary(df), ".3g"),
        "sections": [
            _metric_section(df, m, baselines, tol, alpha, sink, reference) for m in metrics
        ],
        "budget": Table.from_frame(budget_adherence(df), ".3g"),
        "budget_figure": sink.try_add(
            "budget_adherence", lambda: plots.budget_adherence_plot(df), "Budget adherence"
        ),
        "failures": Table.from_frame(failures(df), index=False),
        "tol": tol,
        "alpha": alpha,
    }
    return render("batch_report", context, out_path)


def _overview(df: pd.DataFrame) -> list[tuple[str, str]]:
    def values(col: str) -> str:
        return ", ".join(sorted({fmt_value(v) for v in df[col].dropna().unique()})) or "—"

    return [
        (
            "Cells",
            f"{len(df)} ({int((df['status'] == 'ok').sum())} ok, "
            f"{int((df['status'] != 'ok').sum())} failed or timed out)",
        ),
        ("Datasets", str(df["dataset"].nunique())),
        ("Systems", values("system")),
        ("Seeds", values("seed")),
        ("Suites", values("suite")),
        ("Tasks", values("task")),
        ("Budgets (s)", values("budget")),
        ("Optimized metric(s)", values("metric")),
    ]


def _best_mask(table: pd.DataFrame, higher: bool) -> pd.DataFrame:
    best = table.max(axis=1) if higher else table.min(axis=1)
    values = table.to_numpy(float)
    mask = np.isclose(values, best.to_numpy(float)[:, None]) & ~np.isnan(values)
    return pd.DataFrame(mask, index=table.index, columns=table.columns)


def _metric_section(
    df: pd.DataFrame,
    metric: str,
    baselines: Sequence[str],
    tol: float,
    alpha: float,
    sink: ImageSink,
    reference: str | None = None,
) -> dict[str, Any]:
    higher = greater_is_better(metric)
    table = score_table(df[df["task"] == get_metric(metric).task], metric)
    baselines = [b for b in baselines if b in table.columns]
    compared, note = table, ""
    if metric in SCALED_METRICS and len(table.columns):
        names = [str(c) for c in table.columns]
        if reference not in names:
            reference = DEFAULT_REFERENCE if DEFAULT_REFERENCE in names else names[0]
        compared = normalised_table(table, str(reference))
        note = (
            f"{metric} is in each target's units: across datasets it is compared as "
            f"{metric} / {metric} of {reference} on the same dataset (wins/ties/losses "
            f"too, ties within {tol} of {reference}'s score). "
        )
    ranks = mean_ranks(table, greater_is_better=higher)
    n_datasets = int(table.dropna(how="all").shape[0])
    cd = nemenyi_cd(len(ranks), n_datasets, alpha)
    pvalue = friedman_pvalue(table, greater_is_better=higher)
    wtl = pd.DataFrame(
        [
            [
                "—"
                if s == b
                else "{}/{}/{}".format(
                    *wins_ties_losses(compared, s, b, tol, greater_is_better=higher)
                )
                for b in baselines
            ]
            for s in table.columns
        ],
        index=pd.Index(table.columns, name="system \\ baseline"),
        columns=list(baselines),
    )
    if compared is table:
        means = {"mean score": table.mean(axis=0)[ranks.index]}
    else:
        ratio = f"{metric} / {reference}"
        means = {
            f"mean {ratio}": compared.mean(axis=0)[ranks.index],
            f"geometric mean {ratio}": np.exp(np.log(compared.where(compared > 0)).mean(axis=0))[
                ranks.index
            ],
        }
    rank_table = pd.DataFrame(
        {
            "mean rank": ranks,
            **means,
            "datasets scored": table.notna().sum(axis=0)[ranks.index],
        }
    )
    rank_table.index.name = "system"
    friedman = f"Friedman test p = {pvalue:.3g}; " if np.isfinite(pvalue) else ""
    nemenyi = (
        f"Nemenyi critical difference at α = {alpha}: {cd:.2f} ranks over {n_datasets} datasets."
        if np.isfinite(cd)
        else ""
    )
    test = note + friedman + nemenyi
    return {
        "metric": metric,
        "direction": "higher" if higher else "lower",
        "scores": Table.from_frame(
            table, ".5g" if compared is not table else ".4f", strong=_best_mask(table, higher)
        ),
        "ranks": Table.from_frame(rank_table, ".3f"),
        "wtl": Table.from_frame(wtl),
        "test": test,
        "figure": sink.try_add(
            f"cd_{metric}",
            lambda: plots.critical_difference(
                ranks, cd, title=f"Mean rank on {metric} (lower rank is better)"
            ),
            f"Critical-difference diagram, {metric}",
        )
        if len(ranks) > 1
        else None,
    }
