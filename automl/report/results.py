"""Benchmark results: load stored JSONL cells and summarise them.

One JSONL line is one cell (dataset × system × seed), in the record format of
:mod:`automl.report.records` (written by the benchmark harness of the source
checkout, ``python -m benchmarks.run``). :func:`load_results`
flattens the ``scores`` dict into one column per metric; the other functions
are pure pandas over that frame and never refit anything.

Conventions
-----------
- A failed or timed-out cell has no scores. :func:`score_table` averages the
  seeds that did finish; a dataset where a system never finished is NaN, and
  :func:`mean_ranks` ranks NaN last (a failure is the worst outcome).
- Ties share the average rank.
- Regression cells (``task`` "regression") carry the regression metrics; a
  scale-dependent one (RMSE, MAE) is compared across datasets through
  :func:`normalised_table`, each dataset's score divided by a reference
  system's score on it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import ConfigError, DataError, unknown_name_message
from ..metrics import REPORTED, REPORTED_REGRESSION, get_metric
from .records import FIELDS, latest, read_records, record_task

__all__ = [
    "budget_adherence",
    "failures",
    "friedman_pvalue",
    "load_results",
    "markdown_table",
    "mean_ranks",
    "nemenyi_cd",
    "normalised_table",
    "score_table",
    "system_summary",
    "wins_ties_losses",
]

_COLUMNS = tuple(f for f in FIELDS if f != "scores")
#: Every metric column a results frame has, classification then regression.
METRIC_COLUMNS = tuple(dict.fromkeys([*REPORTED, *REPORTED_REGRESSION]))


def _result_files(path: Path) -> list[Path]:
    if not path.exists():
        raise FileNotFoundError(f"No such results file or directory: '{path}'")
    if path.is_dir():
        files = sorted(path.rglob("*.jsonl"))
        if not files:
            raise DataError(
                f"No *.jsonl files under '{path}'. Point at the benchmark's "
                "results directory or at one .jsonl file."
            )
        return files
    return [path]


def load_results(path: str | Path) -> pd.DataFrame:
    """Read benchmark cells from a ``.jsonl`` file or every ``*.jsonl`` under a directory.

    Parameters
    ----------
    path : str or Path
        A JSONL file, or a directory searched recursively.

    Returns
    -------
    DataFrame
        One row per cell: the cell's fields (``task`` "classification" for
        records older than the field), one column per metric in
        :data:`automl.metrics.REPORTED` and :data:`automl.metrics.REPORTED_REGRESSION`
        (NaN where absent) and ``source`` (the file).

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    DataError
        If no cell could be read. Malformed lines (e.g. a line truncated by a
        killed runner) are skipped with a warning naming the file and line; a
        cell recorded twice (a rerun with ``--force``) counts once, its last ok record.
    """
    records = []
    for file in _result_files(Path(path)):
        for cell in latest(r for r in read_records(file) if isinstance(r, dict)):
            scores = cell.pop("scores", None) or {}
            cell.update({f"score_{k}" if k in _COLUMNS else k: v for k, v in scores.items()})
            cell["task"] = record_task(cell)
            cell["source"] = str(file)
            records.append(cell)
    if not records:
        raise DataError(f"No benchmark cells found in '{path}'.")
    df = pd.DataFrame.from_records(records)
    for col in (*_COLUMNS, *METRIC_COLUMNS):
        if col not in df.columns:
            df[col] = np.nan
    for col in (
        *METRIC_COLUMNS,
        "cv_score",
        "fit_time",
        "predict_time",
        "peak_memory_mb",
        "budget",
        "budget_ratio",
        "minority_share",
    ):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["status"] = df["status"].fillna("unknown")
    return df


def _check_metric(df: pd.DataFrame, metric: str) -> str:
    if metric not in df.columns:
        raise ConfigError(unknown_name_message("metric column", metric, METRIC_COLUMNS))
    return metric


def score_table(df: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Mean of ``metric`` over seeds, datasets as rows and systems as columns.

    Only cells with status ``"ok"`` count; a system with no finished seed on a
    dataset gets NaN there.
    """
    _check_metric(df, metric)
    ok = df[df["status"] == "ok"]
    table = ok.pivot_table(
        index="dataset", columns="system", values=metric, aggfunc="mean", dropna=False
    )
    datasets = sorted(df["dataset"].unique())
    systems = sorted(df["system"].unique())
    table = table.reindex(index=datasets, columns=systems)
    table.index.name, table.columns.name = "dataset", None
    return table


def normalised_table(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Each dataset's scores divided by the score of ``reference`` on it.

    For scale-dependent metrics (RMSE, MAE of regression targets in their own
    units): a normalised RMSE of 0.9 is 10 % below the reference's on that
    dataset, whatever the target's scale, so rows can be averaged.

    Parameters
    ----------
    table : DataFrame
        A :func:`score_table`.
    reference : str
        The system whose score is 1 on every dataset where it finished.

    Returns
    -------
    DataFrame
        Same shape; NaN where the reference did not finish or scored 0.

    Raises
    ------
    ConfigError
        If ``reference`` is not a column of ``table``.
    """
    if reference not in table.columns:
        raise ConfigError(unknown_name_message("system", reference, map(str, table.columns)))
    base = table[reference].where(table[reference] != 0)
    return table.div(base, axis=0)


def mean_ranks(table: pd.DataFrame, greater_is_better: bool = True) -> pd.Series:
    """Mean rank of each system over datasets (1 = best), best first.

    Ranks are computed per row; ties share the average rank and NaN (a system
    that never finished on that dataset) ranks last.
    """
    rows = table.dropna(how="all")
    ranks = rows.rank(axis=1, ascending=not greater_is_better, method="average", na_option="bottom")
    return ranks.mean(axis=0).sort_values().rename("mean_rank")


def wins_ties_losses(
    table: pd.DataFrame,
    system: str,
    baseline: str,
    tol: float = 0.005,
    *,
    greater_is_better: bool = True,
) -> tuple[int, int, int]:
    """Count datasets where ``system`` beats, ties or loses to ``baseline``.

    A difference within ``tol`` is a tie. A dataset where only one of the two
    finished counts for the one that finished; where neither did it is skipped.

    Returns
    -------
    (wins, ties, losses) : tuple of int
    """
    for name in (system, baseline):
        if name not in table.columns:
            raise ConfigError(unknown_name_message("system", name, map(str, table.columns)))
    wins = ties = losses = 0
    for a, b in zip(table[system], table[baseline], strict=True):
        if pd.isna(a) and pd.isna(b):
            continue
        if pd.isna(b) or pd.isna(a):
            won = pd.isna(b)
        else:
            diff = (a - b) if greater_is_better else (b - a)
            if abs(diff) <= tol:
                ties += 1
                continue
            won = diff > 0
        wins, losses = (wins + 1, losses) if won else (wins, losses + 1)
    return wins, ties, losses


def budget_adherence(df: pd.DataFrame) -> pd.DataFrame:
    """Per system: ``runs``, ``mean``, ``median`` and ``max`` of ``budget_ratio``, and
    ``over_budget`` (share of cells whose wall time exceeded the budget, ratio > 1).

    Every cell counts, failed ones included: a timeout is exactly a budget question.
    """
    grouped = df.dropna(subset=["budget_ratio"]).groupby("system")["budget_ratio"]
    out = pd.DataFrame(
        {
            "runs": grouped.size(),
            "mean": grouped.mean(),
            "median": grouped.median(),
            "max": grouped.max(),
            "over_budget": grouped.apply(lambda r: float((r > 1.0).mean())),
        }
    )
    return out.reindex(sorted(df["system"].unique())).rename_axis("system")


def failures(df: pd.DataFrame) -> pd.DataFrame:
    """Cells whose status is not ``"ok"``: dataset, system, seed, status, error."""
    bad = df.loc[df["status"] != "ok", ["dataset", "system", "seed", "status", "error"]]
    bad = bad.assign(error=bad["error"].where(bad["error"].notna(), ""))
    return bad.sort_values(["system", "dataset", "seed"]).reset_index(drop=True)


def system_summary(df: pd.DataFrame) -> pd.DataFrame:
    """Per system: cells, ok/failed/timeout counts, mean fit and predict time, peak memory."""
    g = df.groupby("system")
    out = pd.DataFrame(
        {
            "version": g["system_version"].agg(
                lambda v: ", ".join(sorted({str(x) for x in v.dropna()}))
            ),
            "cells": g.size(),
            "ok": g["status"].agg(lambda s: int((s == "ok").sum())),
            "failed": g["status"].agg(lambda s: int((s == "failed").sum())),
            "timeout": g["status"].agg(lambda s: int((s == "timeout").sum())),
            "mean_fit_time": g["fit_time"].mean(),
            "mean_predict_time": g["predict_time"].mean(),
            "max_peak_memory_mb": g["peak_memory_mb"].max(),
        }
    )
    return out.rename_axis("system")


def nemenyi_cd(n_systems: int, n_datasets: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference of mean ranks (Demšar, 2006).

    ``q_alpha * sqrt(k (k + 1) / (6 N))`` with ``q_alpha`` the studentized range
    quantile divided by ``sqrt(2)``. NaN when fewer than 2 systems or no dataset.
    """
    if n_systems < 2 or n_datasets < 1:
        return float("nan")
    from scipy.stats import studentized_range

    q = studentized_range.ppf(1 - alpha, n_systems, np.inf) / math.sqrt(2)
    return float(q * math.sqrt(n_systems * (n_systems + 1) / (6.0 * n_datasets)))


def friedman_pvalue(table: pd.DataFrame, greater_is_better: bool = True) -> float:
    """P-value of the Friedman test that all systems rank alike (NaN below 3 systems or
    2 datasets). Missing scores rank last, as in :func:`mean_ranks`."""
    rows = table.dropna(how="all")
    if rows.shape[1] < 3 or rows.shape[0] < 2:
        return float("nan")
    from scipy.stats import friedmanchisquare

    ranks = rows.rank(axis=1, ascending=not greater_is_better, na_option="bottom")
    if (ranks.nunique(axis=1) == 1).all():
        return 1.0
    return float(friedmanchisquare(*ranks.to_numpy().T).pvalue)


def greater_is_better(metric: str) -> bool:
    """Direction of a metric column (``log_loss`` is the one to minimise)."""
    return get_metric(metric).greater_is_better


def _cell(value: object, fmt: str) -> str:
    if isinstance(value, (float, np.floating)):
        return "—" if math.isnan(value) else format(value, fmt)
    return str(value).replace("|", "\\|").replace("\n", " ")


def markdown_table(table: pd.DataFrame, best: str | None = "max", fmt: str = ".4f") -> str:
    """A GitHub-flavoured Markdown table, the best value of each row in bold.

    Parameters
    ----------
    table : DataFrame
        Rows are labelled by the index (its name heads the first column).
    best : {"max", "min", None}
        Which numeric value of a row is best; ties are all bold; ``None`` bolds nothing.
    fmt : str
        Format spec for floats; NaN is written as an em dash.
    """
    if best not in ("max", "min", None):
        raise ConfigError(f"best must be 'max', 'min' or None, got {best!r}.")
    header = [_cell(table.index.name or "", fmt), *(_cell(str(c), fmt) for c in table.columns)]
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * table.shape[1]) + "|",
    ]
    numeric = table.apply(pd.to_numeric, errors="coerce")
    for label, row in table.iterrows():
        values = numeric.loc[label]
        target = (values.max() if best == "max" else values.min()) if best else np.nan
        cells = []
        for col, value in row.items():
            text = _cell(value, fmt)
            num = values[col]
            if best and not pd.isna(num) and not pd.isna(target) and np.isclose(num, target):
                text = f"**{text}**"
            cells.append(text)
        lines.append("| " + " | ".join([_cell(label, fmt), *cells]) + " |")
    return "\n".join(lines) + "\n"
