"""Compare one system with a baseline from stored results, as a Markdown table.

Reads JSONL records (never refits). Per dataset: the mean test score over the
seeds where the cell is ok, for the system and the baseline, and the
difference (system - baseline). Summary: mean difference over datasets, the
worst dataset, how many datasets are *worse* by more than a tolerance (lower
for a score, higher for a loss such as ``log_loss``), cells that are not ok,
and optionally how well the system's ``cv_score`` estimated its test score (of
the metric the run optimised): the mean signed gap (bias), the mean absolute
gap, and the absolute gap expected from test-set sampling alone, which no
estimate that does not see the test rows can beat.

A regression metric (``rmse, mae, r2, mape, rmsle, median_ae``) compares the
regression records of the file, and the table shows the *ratio*
system / baseline instead of the difference (scales differ across datasets):
the summary gives the mean ratio and the datasets where the ratio is worse than
``1 + ratio_tolerance`` (above it for a loss such as RMSE, below its inverse for
R²). Either way the summary ends with the worst fit time / budget of each system.
Whether greater is better, and a metric's task, come from :func:`automl.metrics.get_metric`.

Usage::

    python -m benchmarks.compare results/quick.jsonl --baseline xgb --system automl --metric roc_auc
    python -m benchmarks.compare results/regression.jsonl --baseline hgb --metric rmse
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.exceptions import ConfigError
from automl.metrics import REPORTED, REPORTED_REGRESSION, get_metric
from automl.report.records import latest, read_records, record_task

#: Prefix of the flattened score columns in :func:`to_frame`.
SCORE_PREFIX = "test_"


def to_frame(records: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Records as a DataFrame, scores flattened to ``test_<metric>`` columns.

    Parameters
    ----------
    records : iterable of mapping
        Records in the format of :mod:`automl.report.records`.

    Returns
    -------
    DataFrame
        One row per record; one numeric ``test_<name>`` column for every name in
        :data:`automl.metrics.REPORTED` and
        :data:`automl.metrics.REPORTED_REGRESSION` (NaN where absent), and
        ``task`` (``"classification"`` for records older than the field).
    """
    rows = []
    for r in records:
        row = {k: v for k, v in r.items() if k != "scores"}
        row["task"] = record_task(r)
        for name, value in (r.get("scores") or {}).items():
            row[SCORE_PREFIX + name] = value
        rows.append(row)
    frame = pd.DataFrame(rows)
    for name in dict.fromkeys([*REPORTED, *REPORTED_REGRESSION]):
        col = SCORE_PREFIX + name
        frame[col] = pd.to_numeric(frame[col], errors="coerce") if col in frame else float("nan")
    return frame


@dataclass(frozen=True)
class Comparison:
    """The numbers behind the Markdown table.

    Attributes
    ----------
    table : DataFrame
        Index dataset; columns system, baseline, diff, ratio (system / baseline),
        n_system, n_baseline.
    system, baseline, metric : str
    tolerance : float
    greater_is_better : bool
    not_ok : dict of str to int
        Cells not ok, per system name.
    task : {"classification", "regression"}
        The records compared (a regression metric compares regression records).
    ratio_tolerance : float
        A dataset counts as worse by ratio when the ratio is worse than ``1 + ratio_tolerance``.
    worst_budget_ratio : dict of str to float or None
        The largest fit time / budget over the ok cells of each system.
    cv_gap : float or None
        The system's mean |cv_score - test score|; None when not asked or unknown.
    cv_bias : float or None
        The system's mean (cv_score - test score): positive when CV is optimistic.
    cv_gap_floor : float or None
        Mean over the same cells of ``score_se * sqrt(2 / pi)``: the expected
        |estimate - test score| of an estimate that knew the expected test score
        exactly, from test-set sampling noise alone (cells without ``score_se``
        are left out; None when none has it).
    """

    table: pd.DataFrame
    system: str
    baseline: str
    metric: str
    tolerance: float
    greater_is_better: bool
    not_ok: dict[str, int]
    cv_gap: float | None = None
    cv_bias: float | None = None
    cv_gap_floor: float | None = None
    task: str = "classification"
    ratio_tolerance: float = 0.02
    worst_budget_ratio: dict[str, float | None] = field(default_factory=dict)

    @property
    def _gain(self) -> pd.Series:
        """The difference signed so that positive is better (a loss's is negated)."""
        return self.table["diff"] if self.greater_is_better else -self.table["diff"]

    @property
    def worse(self) -> pd.Series:
        """Datasets where the system is worse than the baseline by more than the tolerance."""
        return self.table.index[self._gain < -self.tolerance].to_series()

    @property
    def better(self) -> pd.Series:
        """Datasets where the system is better than the baseline by more than the tolerance."""
        return self.table.index[self._gain > self.tolerance].to_series()

    @property
    def worse_by_ratio(self) -> pd.Series:
        """Datasets where system / baseline is worse than ``1 + ratio_tolerance``.

        Above it for a loss (RMSE), below ``1 / (1 + ratio_tolerance)`` for a score (R²).
        """
        ratio = self.table["ratio"]
        limit = 1.0 + self.ratio_tolerance
        worse = ratio < 1.0 / limit if self.greater_is_better else ratio > limit
        return self.table.index[worse].to_series()


def _select_budget(frame: pd.DataFrame, budget: float | None) -> pd.DataFrame:
    if budget is not None:
        return frame[np.isclose(frame["budget"].astype(float), budget)]
    budgets = sorted(frame["budget"].dropna().unique())
    if len(budgets) > 1:
        raise ConfigError(f"The results hold several budgets {budgets}; choose one with --budget.")
    return frame


def compare(
    records: Sequence[dict],
    *,
    system: str,
    baseline: str,
    metric: str = "roc_auc",
    tolerance: float = 0.005,
    budget: float | None = None,
    cv_gap: bool = False,
    ratio_tolerance: float = 0.02,
) -> Comparison:
    """Compare ``system`` with ``baseline`` on every dataset both were run on.

    Parameters
    ----------
    records : sequence of dict
        Result records (see :mod:`automl.report.records`); for a cell recorded
        more than once the last ok record counts.
    system, baseline : str
        System names as recorded.
    metric : str
        The test metric to compare (any of ``automl.metrics.REPORTED``).
    tolerance : float
        A dataset counts as worse when the system trails by more than this.
    budget : float, optional
        Keep only cells run with this budget; required when several are present.
    cv_gap : bool
        Also compute the system's mean |cv_score - test score|.
    ratio_tolerance : float
        A dataset counts as worse by ratio when system / baseline is worse than
        ``1 + ratio_tolerance`` (see :attr:`Comparison.worse_by_ratio`).

    Returns
    -------
    Comparison
    """
    m = get_metric(metric)
    task = m.task
    frame = to_frame(latest(records))
    if not frame.empty:
        frame = frame[frame["task"] == task]
    if frame.empty:
        raise ConfigError(f"No {task} results to compare.")
    for name in (system, baseline):
        if name not in set(frame["system"]):
            raise ConfigError(
                f"No results for system {name!r}; recorded systems: "
                f"{', '.join(sorted(frame['system'].unique()))}."
            )
    frame = _select_budget(frame[frame["system"].isin([system, baseline])], budget)
    not_ok = {
        name: int(((frame["system"] == name) & (frame["status"] != "ok")).sum())
        for name in (system, baseline)
    }
    ok = frame[frame["status"] == "ok"]
    column = SCORE_PREFIX + m.name
    means = ok.pivot_table(index="dataset", columns="system", values=column, aggfunc="mean")
    counts = ok.pivot_table(index="dataset", columns="system", values=column, aggfunc="count")
    table = pd.DataFrame(
        {
            "system": means.get(system),
            "baseline": means.get(baseline),
            "n_system": counts.get(system),
            "n_baseline": counts.get(baseline),
        }
    ).dropna(subset=["system", "baseline"])
    table["diff"] = table["system"] - table["baseline"]
    table["ratio"] = table["system"] / table["baseline"].where(table["baseline"] != 0)
    gaps: dict[str, float | None] = {}
    if cv_gap:
        gaps = _cv_gaps(ok[ok["system"] == system])
    budget_ratio = pd.to_numeric(ok["budget_ratio"], errors="coerce")
    worst = {name: budget_ratio[ok["system"] == name].max() for name in (system, baseline)}
    return Comparison(
        table=table,
        system=system,
        baseline=baseline,
        metric=m.name,
        tolerance=tolerance,
        greater_is_better=m.greater_is_better,
        not_ok=not_ok,
        task=task,
        ratio_tolerance=ratio_tolerance,
        worst_budget_ratio={k: None if pd.isna(v) else float(v) for k, v in worst.items()},
        **gaps,
    )


def _cv_gaps(cells: pd.DataFrame) -> dict[str, float | None]:
    """Bias, mean absolute gap and its sampling floor of ``cv_score`` against the test score."""
    cells = cells[cells["cv_score"].notna()]
    test = pd.Series(
        [row[SCORE_PREFIX + get_metric(row["metric"]).name] for _, row in cells.iterrows()],
        index=cells.index,
        dtype=float,
    )
    diffs = (cells["cv_score"].astype(float) - test).dropna()
    if diffs.empty:
        return {"cv_gap": None, "cv_bias": None, "cv_gap_floor": None}
    se = (
        pd.to_numeric(cells["score_se"], errors="coerce").reindex(diffs.index).dropna()
        if "score_se" in cells
        else pd.Series(dtype=float)
    )
    return {
        "cv_gap": float(diffs.abs().mean()),
        "cv_bias": float(diffs.mean()),
        "cv_gap_floor": float(se.mean() * np.sqrt(2 / np.pi)) if len(se) else None,
    }


def _table_lines(c: Comparison) -> list[str]:
    """The per-dataset rows: differences (classification) or ratios (regression)."""
    if c.task == "regression":
        lines = [
            f"| dataset | {c.system} | {c.baseline} | ratio | seeds |",
            "|---|---:|---:|---:|---:|",
        ]
        fmt, last = "{:.5g}", "ratio"
    else:
        lines = [
            f"| dataset | {c.system} | {c.baseline} | diff | seeds |",
            "|---|---:|---:|---:|---:|",
        ]
        fmt, last = "{:.4f}", "diff"
    for dataset, row in c.table.iterrows():
        seeds = f"{int(row['n_system'])}/{int(row['n_baseline'])}"
        shown = f"{row['ratio']:.3f}" if last == "ratio" else f"{row['diff']:+.4f}"
        lines.append(
            f"| {dataset} | {fmt.format(row['system'])} | {fmt.format(row['baseline'])} | "
            f"{shown} | {seeds} |"
        )
    return lines


def _summary_lines(c: Comparison) -> list[str]:
    """Mean and worst difference (classification) or ratio (regression), and worse datasets."""
    if c.task == "regression":
        ratios = c.table["ratio"].dropna()
        if ratios.empty:
            return ["- no dataset has a ratio (the baseline scored 0 everywhere)"]
        worst = ratios.idxmin() if c.greater_is_better else ratios.idxmax()
        worse = c.worse_by_ratio
        limit = 1.0 + c.ratio_tolerance
        bound = f"below {1 / limit:.3f}" if c.greater_is_better else f"above {limit:.2f}"
        return [
            f"- mean ratio: {ratios.mean():.3f} over {len(ratios)} datasets "
            f"(geometric mean {float(np.exp(np.log(ratios.clip(lower=1e-12)).mean())):.3f})",
            f"- worst dataset: {worst} (ratio {ratios[worst]:.3f})",
            f"- datasets with ratio {bound}: {len(worse)}"
            + (f" ({', '.join(worse)})" if len(worse) else ""),
        ]
    diffs = c.table["diff"]
    worst = diffs.idxmin() if c.greater_is_better else diffs.idxmax()
    return [
        f"- mean difference: {diffs.mean():+.4f} over {len(diffs)} datasets",
        f"- worst dataset: {worst} ({diffs[worst]:+.4f})",
        *(
            f"- datasets where {c.system} is {word} by more than {c.tolerance}: {len(names)}"
            + (f" ({', '.join(names)})" if len(names) else "")
            for word, names in (("worse", c.worse), ("better", c.better))
        ),
    ]


def to_markdown(c: Comparison) -> str:
    """The comparison as a Markdown table followed by summary lines."""
    lines = _table_lines(c)
    lines.append("")
    direction = "higher" if c.greater_is_better else "lower"
    relation = (
        f"ratio = {c.system} / {c.baseline}"
        if c.task == "regression"
        else f"diff = {c.system} - {c.baseline}"
    )
    lines.append(f"Test {c.metric} ({direction} is better), mean over seeds; {relation}.")
    if c.table.empty:
        lines.append("- no dataset has ok results for both systems")
    else:
        lines.extend(_summary_lines(c))
    lines.append(
        f"- cells not ok: {c.system} {c.not_ok[c.system]}, {c.baseline} {c.not_ok[c.baseline]}"
    )
    if c.worst_budget_ratio:
        shown = ", ".join(
            f"{name} {'n/a' if v is None else f'{v:.2f}'}"
            for name, v in c.worst_budget_ratio.items()
        )
        lines.append(f"- worst fit time / budget: {shown}")
    if c.cv_gap is not None:
        lines.append(
            f"- {c.system} mean |cv_score - test score| (optimised metric): {c.cv_gap:.4g}; "
            f"mean cv_score - test score: {c.cv_bias:+.4g}"
        )
    if c.cv_gap_floor is not None:
        lines.append(
            f"- expected |cv_score - test score| from test-set sampling alone "
            f"(bootstrap SD x sqrt(2/pi)): {c.cv_gap_floor:.4g}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.compare RESULTS.jsonl --baseline xgb --system automl``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compare", description=__doc__.splitlines()[0]
    )
    parser.add_argument("results", help="a JSONL results file")
    parser.add_argument("--system", default="automl", help="the system under test (default automl)")
    parser.add_argument(
        "--baseline", default="xgb", help="the system to compare with (default xgb)"
    )
    parser.add_argument("--metric", default="roc_auc", help="the test metric (default roc_auc)")
    parser.add_argument(
        "--tolerance",
        type=float,
        default=0.005,
        help="a dataset is worse when the system trails by more than this (default 0.005)",
    )
    parser.add_argument(
        "--ratio-tolerance",
        type=float,
        default=0.02,
        help="regression: a dataset is worse when system / baseline is worse than "
        "1 + this (default 0.02)",
    )
    parser.add_argument("--budget", type=float, default=None, help="keep only cells of this budget")
    parser.add_argument(
        "--cv-gap",
        action="store_true",
        help="also report how far cv_score was from the test score, and the sampling floor",
    )
    args = parser.parse_args(argv)
    if not Path(args.results).is_file():
        print(f"error: results file {args.results!r} does not exist", file=sys.stderr)
        return 2
    try:
        comparison = compare(
            read_records(args.results),
            system=args.system,
            baseline=args.baseline,
            metric=args.metric,
            tolerance=args.tolerance,
            budget=args.budget,
            cv_gap=args.cv_gap,
            ratio_tolerance=args.ratio_tolerance,
        )
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(to_markdown(comparison))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
