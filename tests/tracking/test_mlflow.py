"""MLflow logging of a fitted run, read back from a real local MLflow file store."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer

import automl
from automl import AutoMLClassifier, cli
from automl.exceptions import ConfigError, MissingDependencyError, NotFittedError

pytest.importorskip("mlflow")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    log_dir = tmp_path_factory.mktemp("trials")
    clf = AutoMLClassifier(
        time_budget=None,
        max_trials=3,
        models=["logreg"],
        cv=3,
        n_jobs=1,
        random_state=0,
        log_dir=str(log_dir),
    ).fit(X.iloc[:300], y.iloc[:300])
    return clf, X.iloc[300:]


@pytest.fixture()
def store(tmp_path, monkeypatch):
    # MLflow 3 keeps its file store only behind this switch; mlflow-skinny has no SQL store
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    return f"file:{tmp_path / 'mlruns'}"


def test_round_trip(fitted, store, tmp_path):
    from mlflow.tracking import MlflowClient

    from automl.tracking.mlflow import log_run

    clf, X_new = fitted
    run_id = log_run(clf, experiment="breast", tracking_uri=store, run_name="first")
    client = MlflowClient(tracking_uri=store)
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED" and run.info.run_name == "first"
    assert client.get_experiment(run.info.experiment_id).name == "breast"
    params = run.data.params
    assert params["metric_name"] == "roc_auc" and params["max_trials"] == "3"
    assert params["models"] == "['logreg']" and params["best.family"] == "logreg"
    assert run.data.metrics["cv_roc_auc"] == pytest.approx(clf.cv_score_)
    history = client.get_metric_history(run_id, "trial_roc_auc")
    ok = {t["trial"]: t["mean"]["roc_auc"] for t in clf.trials_ if t["status"] == "ok"}
    assert {m.step: m.value for m in history} == pytest.approx(ok)
    assert len(client.get_metric_history(run_id, "trial_duration")) == len(clf.trials_)
    top = {a.path for a in client.list_artifacts(run_id)}
    assert {"report", "model", "leaderboard.csv", "trial_log"} <= top
    assert client.list_artifacts(run_id, "trial_log")  # the log_dir's files
    folder = client.download_artifacts(run_id, "", str(tmp_path / "down"))
    html = (tmp_path / "down" / "report" / "report.html").read_text()
    assert "<h2>Leaderboard</h2>" in html and folder
    board = pd.read_csv(tmp_path / "down" / "leaderboard.csv")
    assert len(board) == len(clf.leaderboard_)
    loaded = automl.load(tmp_path / "down" / "model" / "model.joblib")
    np.testing.assert_allclose(loaded.predict_proba(X_new), clf.predict_proba(X_new))
    # a second run joins the same experiment
    again = log_run(clf, experiment="breast", tracking_uri=store)
    assert client.get_run(again).info.experiment_id == run.info.experiment_id


def test_cli_track(fitted, store, tmp_path, capsys):
    from mlflow.tracking import MlflowClient

    clf, _ = fitted
    model = clf.save(str(tmp_path / "m.joblib"))
    assert cli.main(["track", model, "--tracking-uri", store, "--experiment", "cli"]) == 0
    run_id = capsys.readouterr().out.strip().split()[-1]
    assert MlflowClient(tracking_uri=store).get_run(run_id).info.status == "FINISHED"


def test_errors(fitted, monkeypatch):
    from automl.tracking.mlflow import log_run

    clf, _ = fitted
    with pytest.raises(NotFittedError):
        log_run(AutoMLClassifier(), tracking_uri="file:/nonexistent")
    with pytest.raises(ConfigError, match="MLflow cannot use tracking_uri='nosuch://x'"):
        log_run(clf, tracking_uri="nosuch://x")
    monkeypatch.setitem(sys.modules, "mlflow", None)
    monkeypatch.setitem(sys.modules, "mlflow.tracking", None)
    with pytest.raises(MissingDependencyError, match=r"pip install automl-tabular\[mlflow\]"):
        log_run(clf, tracking_uri="file:/nonexistent")
