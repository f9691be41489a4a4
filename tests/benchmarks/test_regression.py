"""Regression in the harness: the suite, the systems, the scores, the records and compare."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import metrics as M
from automl.exceptions import ConfigError
from automl.report.records import FIELDS, append_record, new_record, read_records, record_task
from benchmarks.cell import regression_scores
from benchmarks.cli import run_metric, summary_tables
from benchmarks.compare import compare, main, to_markdown
from benchmarks.datasets import DATA_DIR_ENV, DatasetSpec, load_dataset, resolve_data_dir, split
from benchmarks.runner import plan_cells, run_cells
from benchmarks.suites import load_suite, resolve_datasets
from benchmarks.systems import check_system_name, get_system, system_names


def _frame(n=200, seed=0):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n),
            "with_nan": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n)).where(rng.random(n) > 0.1),
            "flag": rng.random(n) < 0.5,
            "day": pd.Series(pd.date_range("2020-01-01", periods=n).strftime("%Y-%m-%d")),
        }
    )
    y = 3 * X["num"] + (X["colour"] == "red") * 2 + rng.normal(scale=0.1, size=n) + 10
    return X, y.rename("target")


@pytest.mark.shared_data
def test_the_suite_reads_every_csv_of_the_regression_subfolder():
    suite = load_suite("regression")
    assert suite.task == "regression" and suite.description
    resolved = resolve_datasets(suite)
    csvs = sorted(p.stem for p in (resolve_data_dir() / "regression").glob("*.csv"))
    assert len(csvs) == 13 and sorted(s.name for s, _ in resolved) == csvs
    assert all(s.task == "regression" and i.n_classes is None for s, i in resolved)
    concrete = next(s for s, _ in resolved if s.name == "concrete")
    assert concrete.source == "csv:regression/concrete"


@pytest.mark.shared_data
def test_regression_split_is_shuffled_by_seed_and_not_stratified():
    spec = next(s for s in load_suite("regression").datasets if s.name == "concrete")
    data = load_dataset(spec)
    assert data.y.dtype == np.float64 and data.task == "regression"
    X_train, X_test, y_train, y_test = split(data, 0)
    assert len(X_test) == round(0.25 * len(data.y)) and len(X_train) + len(X_test) == len(data.y)
    assert not y_test.index.equals(split(data, 1)[3].index)
    assert y_test.index.equals(split(data, 0)[3].index)


def test_the_data_folder_comes_from_the_environment(monkeypatch, tmp_path):
    (tmp_path / "regression").mkdir()
    X, y = _frame(40)
    X.assign(target=y).to_csv(tmp_path / "regression" / "tiny.csv", index=False)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    spec = DatasetSpec("tiny", "csv:regression/tiny", task="regression")
    assert load_dataset(spec).info.n_rows == 40
    with pytest.raises(ConfigError, match="regression/tiny"):
        load_dataset(DatasetSpec("tinyy", "csv:regression/tinyy", task="regression"))


def test_suite_files_keep_one_task_and_no_class_filters(tmp_path):
    bad_filter = tmp_path / "bad_filter.toml"
    bad_filter.write_text(
        'task = "regression"\n[filter]\nmax_minority_share = 0.2\n'
        '[[datasets]]\nsource = "csv:regression/wage"\n'
    )
    with pytest.raises(ConfigError, match="only max_rows"):
        load_suite(bad_filter)
    mixed = tmp_path / "mixed.toml"
    mixed.write_text('task = "regression"\nextends = "smoke"\n')
    with pytest.raises(ConfigError, match="same task"):
        load_suite(mixed)
    unknown = tmp_path / "unknown.toml"
    unknown.write_text('task = "ranking"\n[[datasets]]\nsource = "csv:x"\n')
    with pytest.raises(ConfigError, match="task"):
        load_suite(unknown)


def test_names_pick_the_system_of_the_task():
    assert {"automl", "hgb", "xgb", "ridge", "flaml"} <= set(system_names("regression"))
    assert "ridge" not in system_names() and "lr" not in system_names("regression")
    assert get_system("hgb", "regression").task == "regression"
    assert get_system("hgb").task == "classification"
    with pytest.raises(ConfigError, match="Did you mean 'ridge'"):
        check_system_name("ridgee", "regression")
    with pytest.raises(ConfigError, match="is for regression, not classification"):
        get_system("benchmarks.regressors:RidgeSystem")


@pytest.mark.parametrize("name", ["hgb", "xgb", "ridge"])
def test_regression_baselines_fit_mixed_data(name):
    X, y = _frame()
    system = get_system(name, "regression").fit(
        X.iloc[:150], y.iloc[:150], budget=1, seed=0, metric="rmse"
    )
    pred = system.predict(X.iloc[150:])
    assert pred.shape == (50,) and pred.dtype == np.float64
    assert regression_scores(y.iloc[150:].to_numpy(), pred)["r2"] > 0.5
    assert system.cv_score_ is None and system.version()


@pytest.mark.slow
def test_flaml_regressor_reports_a_cv_rmse():
    pytest.importorskip("flaml", reason="FLAML is the optional [bench] extra")
    X, y = _frame()
    system = get_system("flaml", "regression").fit(
        X.iloc[:150], y.iloc[:150], budget=2, seed=0, metric="rmse"
    )
    assert system.predict(X.iloc[150:]).shape == (50,)
    assert system.cv_score_ is not None and 0 < system.cv_score_ < float(np.std(y))


def test_scores_are_the_library_metrics_null_where_undefined():
    y, pred = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 6.0])
    scores = regression_scores(y, pred)
    assert list(scores) == list(M.REPORTED_REGRESSION)
    assert scores["rmse"] == pytest.approx(1.0) and scores["mae"] == pytest.approx(0.5)
    assert scores["r2"] == pytest.approx(1 - 4 / 5) and scores["median_ae"] == 0.0
    assert scores["mape"] == pytest.approx(0.5 / 4)
    assert scores["rmsle"] == pytest.approx(np.sqrt((np.log(7) - np.log(5)) ** 2 / 4))
    assert regression_scores(np.array([-2.0, 1.0]), np.array([0.0, 1.0]))["rmsle"] is None
    assert regression_scores(np.ones(3), np.ones(3))["r2"] is None


def test_records_carry_the_task_and_old_ones_read_as_classification():
    rec = new_record(dataset="d", task="regression", n_trials=7)
    assert set(rec) == set(FIELDS) and set(rec["scores"]) == set(M.REPORTED_REGRESSION)
    assert record_task(rec) == "regression" and record_task({"dataset": "d"}) == "classification"
    assert set(new_record(dataset="d")["scores"]) == set(M.REPORTED)


def test_run_metric_defaults_and_checks_the_task():
    assert run_metric(None, "regression") == "rmse"
    assert run_metric(None, "classification") == "roc_auc"
    assert run_metric("mae", "regression") == "mae" and run_metric("auc", "classification")
    with pytest.raises(ConfigError, match="not a regression metric"):
        run_metric("roc_auc", "regression")


def _rec(dataset, system, seed, rmse, ratio=0.5, status="ok", cv=None):
    rec = new_record(
        dataset=dataset,
        suite="regression",
        task="regression",
        system=system,
        seed=seed,
        budget=10.0,
        metric="rmse",
        status=status,
        cv_score=cv,
        budget_ratio=ratio if status == "ok" else None,
    )
    if status == "ok":
        rec["scores"].update(rmse=rmse, r2=1 - rmse / 100)
    return rec


RECORDS = [
    _rec("a", "automl", 0, 10.0, ratio=1.1, cv=9.0),
    _rec("a", "automl", 1, 12.0, cv=13.0),
    _rec("a", "hgb", 0, 10.0, ratio=0.1),
    _rec("a", "hgb", 1, 12.0, ratio=0.2),
    _rec("b", "automl", 0, 1050.0),
    _rec("b", "hgb", 0, 1000.0),
    _rec("c", "automl", 0, 0.9),
    _rec("c", "hgb", 0, 1.0),
    _rec("d", "automl", 0, None, status="failed"),
    _rec("d", "hgb", 0, 3.0),
    # a classification record of the same names is not compared with regression metrics
    {**new_record(dataset="a", system="automl", seed=2, budget=10.0, status="ok")},
]


def test_compare_regression_as_ratios():
    c = compare(RECORDS, system="automl", baseline="hgb", metric="rmse", cv_gap=True)
    assert c.task == "regression" and not c.greater_is_better
    assert c.table.loc["a", "system"] == pytest.approx(11.0)
    assert c.table.loc["b", "ratio"] == pytest.approx(1.05)
    assert list(c.worse_by_ratio) == ["b"] and "d" not in c.table.index
    assert c.worst_budget_ratio == {"automl": pytest.approx(1.1), "hgb": pytest.approx(0.5)}
    assert c.cv_gap == pytest.approx(1.0) and c.cv_bias == pytest.approx(0.0)
    text = to_markdown(c)
    assert text.startswith("| dataset | automl | hgb | ratio | seeds |")
    assert "| b | 1050 | 1000 | 1.050 | 1/1 |" in text
    assert f"mean ratio: {(1 + 1.05 + 0.9) / 3:.3f} over 3 datasets" in text
    assert "datasets with ratio above 1.02: 1 (b)" in text
    assert "worst fit time / budget: automl 1.10, hgb 0.50" in text
    r2 = compare(RECORDS, system="automl", baseline="hgb", metric="r2")
    assert r2.greater_is_better and list(r2.worse_by_ratio) == []  # r2 ratios stay near 1


def test_compare_command_line_for_regression(tmp_path, capsys):
    path = tmp_path / "r.jsonl"
    for rec in RECORDS:
        append_record(path, rec)
    assert main([str(path), "--baseline", "hgb", "--metric", "rmse"]) == 0
    out = capsys.readouterr().out
    assert "ratio = automl / hgb" in out and "lower is better" in out
    assert (
        main([str(path), "--baseline", "hgb", "--metric", "rmse", "--ratio-tolerance", "0.1"]) == 0
    )
    assert "ratio above 1.10: 0" in capsys.readouterr().out
    assert "mean test rmse" in summary_tables(read_records(path), "rmse").lower()


def test_a_regression_cell_runs_in_its_own_process(tmp_path):
    (tmp_path / "regression").mkdir()
    X, y = _frame(120)
    X.assign(target=y).to_csv(tmp_path / "regression" / "tiny.csv", index=False)
    spec = DatasetSpec("tiny", "csv:regression/tiny", task="regression")
    info = load_dataset(spec, tmp_path).info
    cells = plan_cells([(spec, info)], ["ridge"], [0], suite="t", budget=1, metric="rmse")
    (record,) = run_cells(cells, tmp_path / "out.jsonl", data_dir=tmp_path)
    assert record["status"] == "ok", record["error"]
    assert record["task"] == "regression" and record["n_classes"] is None
    assert set(record["scores"]) == set(M.REPORTED_REGRESSION) and record["scores"]["r2"] > 0.5
    assert record["score_se"] > 0 and record["fit_time"] > 0 and record["budget_ratio"] > 0
    assert read_records(tmp_path / "out.jsonl")[0]["task"] == "regression"
