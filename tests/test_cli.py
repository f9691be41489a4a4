"""The ``automl`` command line, with fake estimators (fast) and one real run (slow)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl import cli
from automl.exceptions import ModelFileError


class FakeModel:
    """Stands in for a fitted AutoMLClassifier: records its settings and the data it saw."""

    instances: list[FakeModel] = []

    def __init__(self, **params):
        self.params = params
        FakeModel.instances.append(self)

    def fit(self, X, y):
        self.fit_columns = list(X.columns)
        self.y_name = y.name
        self.classes_ = np.array(sorted(pd.unique(y)))
        self.feature_names_in_ = np.array(X.columns, dtype=object)
        self.metric_ = self.params.get("metric", "roc_auc")
        self.cv_score_ = 0.9123
        self.leaderboard_ = pd.DataFrame(
            {
                "trial": [1, 0],
                "family": ["logreg", "random_forest"],
                "status": ["ok", "failed"],
                f"{self.metric_}_mean": [0.9123, np.nan],
                f"{self.metric_}_std": [0.01, np.nan],
                "duration": [1.5, 0.2],
            }
        )
        return self

    def save(self, path):
        with open(path, "w") as fh:
            fh.write("fake model")
        return str(path)

    def predict_proba(self, X):
        assert list(X.columns) == list(self.feature_names_in_)
        p = 1 / (1 + np.exp(-X.iloc[:, 0].to_numpy(float)))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]


@pytest.fixture()
def csv(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {"x1": rng.normal(size=20), "x2": rng.normal(size=20), "label": ["yes", "no"] * 10}
    )
    path = tmp_path / "train.csv"
    df.to_csv(path, index=False)
    return path


class FakeRegressor:
    """Stands in for a fitted AutoMLRegressor: no classes, no probabilities."""

    __init__ = FakeModel.__init__
    save = FakeModel.save

    def fit(self, X, y):
        self.fit_columns = list(X.columns)
        self.y_name = y.name
        self.feature_names_in_ = np.array(X.columns, dtype=object)
        self.metric_ = self.params.get("metric", "rmse")
        self.cv_score_ = 12.5
        self.leaderboard_ = pd.DataFrame(
            {"trial": [0], "family": ["linear"], "status": ["ok"], f"{self.metric_}_mean": [12.5]}
        )
        return self

    def predict(self, X):
        return X.iloc[:, 0].to_numpy(float) * 2.0


@pytest.fixture()
def fake(monkeypatch):
    FakeModel.instances = []
    tasks = []

    def estimator_class(task="classification"):
        tasks.append(task)
        return FakeRegressor if task == "regression" else FakeModel

    monkeypatch.setattr(cli, "_estimator_class", estimator_class)
    FakeModel.tasks = tasks
    return FakeModel


@pytest.fixture()
def numeric_csv(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"x1": rng.normal(size=60), "x2": rng.normal(size=60)})
    df["price"] = (1000 * rng.random(60)).round(2)
    path = tmp_path / "houses.csv"
    df.to_csv(path, index=False)
    return path


def _one_error_line(capsys, *needles):
    err = capsys.readouterr().err
    assert err.startswith("automl: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err
    return err


def test_fit_passes_options_and_prints_summary(fake, csv, tmp_path, capsys):
    out = tmp_path / "m.joblib"
    code = cli.main(
        [
            "fit",
            str(csv),
            "--target",
            "label",
            "--budget",
            "30",
            "--metric",
            "f1",
            "--out",
            str(out),
            "--models",
            "logreg",
            "xgboost",
            "--pipeline",
            "fast",
            "--max-trials",
            "5",
            "--seed",
            "3",
            "--log-dir",
            str(tmp_path / "logs"),
        ]
    )
    assert code == 0 and out.read_text() == "fake model"
    model = fake.instances[0]
    assert model.params == {
        "time_budget": 30.0,
        "metric": "f1",
        "models": ["logreg", "xgboost"],
        "pipeline": "fast",
        "max_trials": 5,
        "random_state": 3,
        "log_dir": str(tmp_path / "logs"),
        "verbose": 1,
    }
    assert model.fit_columns == ["x1", "x2"] and model.y_name == "label"
    stdout = capsys.readouterr().out
    assert "logreg" in stdout and "f1_mean" in stdout and "CV f1: 0.9123" in stdout
    assert str(out) in stdout


def test_fit_quiet_uses_estimator_defaults(fake, csv, tmp_path, capsys):
    assert (
        cli.main(
            ["fit", str(csv), "--target", "label", "--quiet", "--out", str(tmp_path / "m.joblib")]
        )
        == 0
    )
    assert fake.instances[0].params == {"verbose": 0}
    assert capsys.readouterr().out == ""


def test_fit_unknown_target(fake, csv, capsys):
    assert cli.main(["fit", str(csv), "--target", "labl"]) == 2
    _one_error_line(capsys, "target column 'labl'", "Did you mean 'label'?")
    assert fake.instances == []


@pytest.mark.parametrize(
    "content, needle",
    [
        ("", "cannot read CSV"),
        ('a,b\n1,"unterminated\n', "cannot read CSV"),
    ],
)
def test_fit_unreadable_csv(fake, tmp_path, capsys, content, needle):
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    assert cli.main(["fit", str(bad), "--target", "a"]) == 2
    _one_error_line(capsys, needle)


def test_missing_files(fake, tmp_path, capsys):
    assert cli.main(["fit", str(tmp_path / "nope.csv"), "--target", "y"]) == 2
    _one_error_line(capsys, "no such file or directory", "nope.csv")
    assert cli.main(["report", str(tmp_path / "nope.joblib")]) == 2
    _one_error_line(capsys, "nope.joblib")


def test_automl_errors_become_one_line(fake, csv, monkeypatch, capsys):
    def broken_fit(self, X, y):
        raise cli.DataError("y has a single class 'yes'.\nHint: check the target.")

    monkeypatch.setattr(FakeModel, "fit", broken_fit)
    assert cli.main(["fit", str(csv), "--target", "label"]) == 2
    _one_error_line(capsys, "single class 'yes'. Hint: check the target.")


def test_bugs_are_not_swallowed(fake, csv, monkeypatch):
    monkeypatch.setattr(FakeModel, "fit", lambda self, X, y: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        cli.main(["fit", str(csv), "--target", "label"])


def _fitted(csv_path):
    df = pd.read_csv(csv_path)
    return FakeModel().fit(df[["x1", "x2"]], df["label"])


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (["yes", "no"] * 30, "classification"),
        ([True, False] * 30, "classification"),
        ([0, 1] * 30, "classification"),
        (list(range(1, 6)) * 12, "classification"),  # a 1..5 rating
        ([0.0, 1.0, np.nan] * 20, "classification"),  # 0/1 read as float because of gaps
        (np.arange(600) % 25, "classification"),  # 25 distinct integers in 600 rows (4 %)
        (np.arange(600) % 40, "regression"),  # 40 distinct integers in 600 rows (6.7 %)
        (np.linspace(0, 1, 60), "regression"),  # floats that are not whole numbers
        ([0.5, 1.5] * 30, "regression"),  # still floats: measurements, not codes
        ([np.nan] * 5, "classification"),
    ],
)
def test_detect_task(values, task):
    detected, note = cli.detect_task(pd.Series(values, name="y"))
    assert detected == task and (note is None) == (task == "classification")


def test_detect_task_says_why_and_how_to_override():
    _, note = cli.detect_task(pd.Series(np.arange(1234) * 1.5, name="price"))
    assert note == (
        "target 'price' is numeric with 1234 distinct values: fitting a regressor "
        "(use --task classification to override)"
    )


def test_fit_picks_a_regressor_for_a_numeric_target(fake, numeric_csv, tmp_path, capsys):
    out = tmp_path / "m.joblib"
    assert (
        cli.main(
            ["fit", str(numeric_csv), "--target", "price", "--metric", "mae", "--out", str(out)]
        )
        == 0
    )
    assert fake.tasks == ["regression"] and fake.instances[0].params["metric"] == "mae"
    captured = capsys.readouterr()
    assert "automl: note: target 'price' is numeric with 60 distinct values" in captured.err
    assert "CV mae: 12.5000" in captured.out
    assert (
        cli.main(["fit", str(numeric_csv), "--target", "price", "--quiet", "--out", str(out)]) == 0
    )
    assert capsys.readouterr().err == ""


def test_task_option_overrides_detection(fake, numeric_csv, csv, tmp_path, capsys):
    out = str(tmp_path / "m.joblib")
    assert (
        cli.main(
            [
                "fit",
                str(numeric_csv),
                "--target",
                "price",
                "--task",
                "classification",
                "--out",
                out,
                "--quiet",
            ]
        )
        == 0
    )
    assert (
        cli.main(
            ["fit", str(numeric_csv), "--target", "price", "--task", "regression", "--out", out]
        )
        == 0
    )
    assert fake.tasks == ["classification", "regression"]
    assert "note" not in capsys.readouterr().err  # an explicit task needs no note
    assert cli.main(["fit", str(csv), "--target", "label", "--task", "ranking"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_metric_must_belong_to_the_task(fake, numeric_csv, csv, tmp_path, capsys):
    out = str(tmp_path / "m.joblib")
    assert (
        cli.main(
            ["fit", str(numeric_csv), "--target", "price", "--metric", "roc_auc", "--out", out]
        )
        == 2
    )
    _one_error_line(
        capsys, "roc_auc is a classification metric but the task is regression", "rmse, mae, r2"
    )
    assert cli.main(["fit", str(csv), "--target", "label", "--metric", "rmse", "--out", out]) == 2
    _one_error_line(capsys, "rmse is a regression metric but the task is classification")
    assert cli.main(["fit", str(csv), "--target", "label", "--metric", "rmsee", "--out", out]) == 2
    _one_error_line(capsys, "rmse")
    assert fake.instances == []


def test_predict_with_a_regressor_writes_the_prediction_only(numeric_csv, tmp_path, monkeypatch):
    df = pd.read_csv(numeric_csv)
    model = FakeRegressor().fit(df[["x1", "x2"]], df["price"])
    monkeypatch.setattr(cli, "_load_model", lambda path: model)
    out = tmp_path / "p.csv"
    assert cli.main(["predict", "m.joblib", str(numeric_csv), "-o", str(out), "--quiet"]) == 0
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["prediction"]
    assert np.allclose(pred["prediction"], df["x1"] * 2)


def test_predict_drops_the_target_and_writes_probabilities(csv, tmp_path, monkeypatch, capsys):
    model = _fitted(csv)
    monkeypatch.setattr(cli, "_load_model", lambda path: model)
    out = tmp_path / "pred" / "p.csv"
    assert cli.main(["predict", "m.joblib", str(csv), "-o", str(out)]) == 0
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["prediction", "proba_no", "proba_yes"]
    assert len(pred) == 20 and np.allclose(pred[["proba_no", "proba_yes"]].sum(axis=1), 1)
    assert set(pred["prediction"]) <= {"yes", "no"}
    assert "ignoring columns not used by the model: label" in capsys.readouterr().err


def test_predict_to_stdout_with_explicit_target(csv, tmp_path, monkeypatch, capsys):
    model = _fitted(csv)
    model.feature_names_in_ = None  # a model without feature names: --target names the label
    monkeypatch.setattr(cli, "_load_model", lambda path: model)
    monkeypatch.setattr(
        FakeModel,
        "predict_proba",
        lambda self, X: np.full((len(X), 2), 0.5) if list(X.columns) == ["x1", "x2"] else 1 / 0,
    )
    assert cli.main(["predict", "m.joblib", str(csv), "--target", "label", "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0] == "prediction,proba_no,proba_yes"
    assert len(captured.out.splitlines()) == 21 and captured.err == ""


def test_predict_missing_feature_columns(csv, tmp_path, monkeypatch, capsys):
    model = _fitted(csv)
    monkeypatch.setattr(cli, "_load_model", lambda path: model)
    partial = tmp_path / "partial.csv"
    pd.read_csv(csv).drop(columns=["x2"]).to_csv(partial, index=False)
    assert cli.main(["predict", "m.joblib", str(partial)]) == 2
    _one_error_line(capsys, "lacks 1 of the 2 columns", "x2")


def test_predict_bad_model_file(csv, tmp_path, capsys):
    bad = tmp_path / "m.joblib"
    bad.write_bytes(b"not a model")
    assert cli.main(["predict", str(bad), str(csv)]) == 2
    _one_error_line(capsys)
    with pytest.raises(ModelFileError):  # the same error the CLI turned into one line
        cli._load_model(str(bad))


def test_report_dispatch(tmp_path, monkeypatch, capsys):
    calls = []
    import automl.report.run_report as run_report

    monkeypatch.setattr(cli, "_load_model", lambda path: f"model from {path}")
    monkeypatch.setattr(
        run_report,
        "write_run_report",
        lambda clf, path: calls.append((clf, path)) or tmp_path / "r.html",
    )
    model_file = tmp_path / "m.joblib"
    model_file.write_text("x")
    assert cli.main(["report", str(model_file), "-o", str(tmp_path / "r.html")]) == 0
    assert calls == [(f"model from {model_file}", str(tmp_path / "r.html"))]
    assert "Report written to" in capsys.readouterr().out


def test_report_batch_from_directory_and_jsonl(tmp_path, capsys):
    results = tmp_path / "results"
    results.mkdir()
    cells = [
        {
            "dataset": f"d{d}",
            "system": s,
            "seed": 0,
            "status": "ok",
            "budget_ratio": 0.5,
            "scores": {"roc_auc": 0.7 + 0.1 * (s == "a"), "f1": 0.6},
        }
        for d in range(3)
        for s in ("a", "b")
    ]
    (results / "r.jsonl").write_text("\n".join(map(json.dumps, cells)))
    assert (
        cli.main(
            [
                "report",
                str(results),
                "-o",
                str(tmp_path / "b.md"),
                "--metrics",
                "roc_auc",
                "--baselines",
                "b",
            ]
        )
        == 0
    )
    text = (tmp_path / "b.md").read_text()
    assert "| a | 3/0/0 |" in text
    assert cli.main(["report", str(results / "r.jsonl"), "-o", str(tmp_path / "b.html")]) == 0
    assert (tmp_path / "b.html").read_text().startswith("<!DOCTYPE html>")
    assert cli.main(["report", str(results), "-o", str(tmp_path / "b.pdf")]) == 2
    _one_error_line(capsys, ".html or .md")


def test_report_batch_of_regression_results_ranks_by_normalised_rmse(tmp_path, capsys):
    from automl.report.records import append_record, new_record

    path = tmp_path / "regression.jsonl"
    rmse = {
        ("d0", "automl"): 9.0,
        ("d0", "hgb"): 10.0,
        ("d0", "ridge"): 20.0,
        ("d1", "automl"): 1100.0,
        ("d1", "hgb"): 1000.0,
        ("d1", "ridge"): 3000.0,
    }
    for (dataset, system), value in rmse.items():
        rec = new_record(
            dataset=dataset,
            system=system,
            seed=0,
            budget=5.0,
            metric="rmse",
            task="regression",
            status="ok",
            budget_ratio=0.5,
        )
        rec["scores"].update(rmse=value, mae=value / 2, r2=0.9)
        append_record(path, rec)
    append_record(
        path, new_record(dataset="c", system="xgb", seed=0, status="ok", scores={"roc_auc": 0.8})
    )  # an old-style classification cell
    assert (
        cli.main(
            [
                "report",
                str(path),
                "-o",
                str(tmp_path / "r.md"),
                "--metrics",
                "rmse",
                "r2",
                "--baselines",
                "hgb",
            ]
        )
        == 0
    )
    text = (tmp_path / "r.md").read_text()
    assert "## rmse (lower is better)" in text and "## r2 (higher is better)" in text
    assert "| system | mean rank | mean rmse / hgb | geometric mean rmse / hgb |" in text
    assert "| automl | 1.500 | 1.000 | 0.995 |" in text  # (0.9 + 1.1) / 2, sqrt(0.99)
    assert (
        "| ridge | 3.000 | 2.500 |" in text
        and "| xgb |" not in text.split("## rmse")[1].split("## r2")[0]
    )
    assert "| automl | 1/0/1 |" in text  # against hgb: ratios 0.9 and 1.1
    assert cli.main(["report", str(path), "-o", str(tmp_path / "all.md")]) == 0
    text = (tmp_path / "all.md").read_text()
    assert "## roc_auc" in text and "## mae (lower is better)" in text
    assert "- **Tasks:** classification, regression" in text


def test_bench_points_to_the_harness_in_the_source_checkout(capsys):
    """The harness is not installed: ``automl bench`` names the command to run, exit 2."""
    assert cli.main(["bench", "--suite", "quick", "--budget", "30", "--out", "results/"]) == 2
    _one_error_line(
        capsys,
        "not part of the installed package",
        "run: python -m benchmarks.run --suite quick --budget 30 --out results/",
    )
    assert cli.main(["bench"]) == 2
    _one_error_line(capsys, "python -m benchmarks.run --help")


def test_usage(capsys):
    assert cli.main([]) == 2
    assert "usage: automl" in capsys.readouterr().err
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("fit", "predict", "report", "bench"):
        assert command in out
    assert cli.main(["fit", "x.csv"]) == 2  # --target is required
    assert "--target" in capsys.readouterr().err


@pytest.mark.slow
def test_real_fit_predict_report(tmp_path, capsys):
    from sklearn.datasets import load_breast_cancer

    df = load_breast_cancer(as_frame=True).frame
    data = tmp_path / "data.csv"
    df.to_csv(data, index=False)
    model = tmp_path / "model.joblib"
    assert (
        cli.main(
            [
                "fit",
                str(data),
                "--target",
                "target",
                "--budget",
                "20",
                "--max-trials",
                "2",
                "--metric",
                "f1",
                "--seed",
                "0",
                "--out",
                str(model),
                "--quiet",
            ]
        )
        == 0
    )
    assert cli.main(["predict", str(model), str(data), "-o", str(tmp_path / "p.csv")]) == 0
    pred = pd.read_csv(tmp_path / "p.csv")
    assert list(pred.columns) == ["prediction", "proba_0", "proba_1"] and len(pred) == len(df)
    assert cli.main(["report", str(model), "-o", str(tmp_path / "r.html")]) == 0
    assert "<h2>Leaderboard</h2>" in (tmp_path / "r.html").read_text()


@pytest.mark.slow
def test_real_regression_fit_predict(tmp_path, capsys):
    from sklearn.datasets import load_diabetes

    df = load_diabetes(as_frame=True).frame
    data = tmp_path / "data.csv"
    df.to_csv(data, index=False)
    model = tmp_path / "model.joblib"
    assert (
        cli.main(
            [
                "fit",
                str(data),
                "--target",
                "target",
                "--budget",
                "20",
                "--max-trials",
                "2",
                "--metric",
                "mae",
                "--seed",
                "0",
                "--out",
                str(model),
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "fitting a regressor" in captured.err and "CV mae: " in captured.out
    assert cli.main(["predict", str(model), str(data), "-o", str(tmp_path / "p.csv")]) == 0
    pred = pd.read_csv(tmp_path / "p.csv")
    assert list(pred.columns) == ["prediction"] and len(pred) == len(df)
    assert np.corrcoef(pred["prediction"], df["target"])[0, 1] > 0.5
    assert cli.main(["report", str(model), "-o", str(tmp_path / "r.html")]) == 0
    assert "<h2>Leaderboard</h2>" in (tmp_path / "r.html").read_text()


@pytest.mark.slow
def test_real_explain_prints_writes_and_saves_importances(tmp_path, capsys):
    from sklearn.datasets import load_breast_cancer

    from automl import AutoMLClassifier, load

    df = load_breast_cancer(as_frame=True).frame
    train, test = df.iloc[:350], df.iloc[350:]
    clf = AutoMLClassifier(
        time_budget=None, max_trials=2, models=["logreg"], cv=3, n_jobs=1, random_state=0
    ).fit(train.drop(columns="target"), train["target"])
    model = clf.save(str(tmp_path / "model.joblib"))
    data = tmp_path / "test.csv"
    test.to_csv(data, index=False)
    out, saved = tmp_path / "fi.csv", tmp_path / "explained.joblib"
    assert (
        cli.main(
            [
                "explain",
                model,
                str(data),
                "--target",
                "target",
                "--n-repeats",
                "2",
                "--seed",
                "0",
                "-o",
                str(out),
                "--save-model",
                str(saved),
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "shuffles per column; roc_auc as given" in printed and "importance" in printed
    table = pd.read_csv(out, index_col="feature")
    assert list(table.columns) == ["importance", "stddev", "p_value", "n"]
    assert sorted(table.index) == sorted(c for c in df.columns if c != "target")
    assert table["importance"].is_monotonic_decreasing and (table["n"] == 2).all()
    assert printed.index(table.index[0]) < printed.index(table.index[-1])
    explained = load(saved)
    pd.testing.assert_frame_equal(
        explained.explanation_.importance, table, check_names=False, check_dtype=False
    )
    assert cli.main(["report", str(saved), "-o", str(tmp_path / "r.html")]) == 0
    assert 'data-figure="importance"' in (tmp_path / "r.html").read_text()
    # the target must be there: importances need the true labels
    assert cli.main(["explain", model, str(data), "--target", "label"]) == 2
    _one_error_line(capsys, "target column 'label' is not in")
