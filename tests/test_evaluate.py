"""run_trial: honest cross-validation that returns plain data and never raises."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest
from imblearn.pipeline import Pipeline
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from automl import metrics as M
from automl.data import infer_schema, validate_fit_data
from automl.ensemble import aligned_proba
from automl.evaluate import DataRef, TrialTask, run_trial
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.pruning import prune_tolerance
from automl.run_context import RunContext, ThresholdPolicy
from automl.thresholds import threshold_scores, tune_threshold


def _data(n=120, n_classes=2, seed=0, minority=None):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["u", "v", "w"], size=n)}
    )
    if minority is None:
        y = np.arange(n) % n_classes
    else:
        y = (np.arange(n) < minority).astype(int)
    X["a"] += y
    X, y = validate_fit_data(X, y)
    return X, np.asarray(y), infer_schema(X)


def _task(
    X,
    y,
    schema,
    *,
    config=None,
    graph=None,
    metric="roc_auc",
    tune=False,
    cv=3,
    time_limit=None,
    preset="fast",
    family="logreg",
):
    n_classes = len(np.unique(y))
    graph = graph or PipelineGraph.from_preset(preset)
    ctx = ModelContext(
        task="binary" if n_classes == 2 else "multiclass",
        n_classes=n_classes,
        n_rows=len(y),
        random_state=0,
    )
    folds, _ = make_folds(cv, X, y, random_state=0)
    config = config or graph.default_config(family, ctx)
    policy = ThresholdPolicy(tune_for=metric if tune else None)
    run = RunContext(graph, schema, folds, ctx, metric=metric, threshold=policy)
    return TrialTask(trial=7, config=config, run=run, data=DataRef(X=X, y=y), time_limit=time_limit)


@pytest.fixture(scope="module")
def binary():
    return _data()


def test_run_trial_returns_fold_scores_and_oof(binary):
    X, y, schema = binary
    task = _task(X, y, schema)
    result = run_trial(task)
    assert result["status"] == "ok" and result["error"] is None
    assert result["trial"] == 7 and result["pid"] == os.getpid()
    assert set(result["fold_scores"]) == set(M.REPORTED)
    assert all(len(v) == 3 for v in result["fold_scores"].values())
    for m in M.REPORTED:
        assert result["mean"][m] == pytest.approx(np.mean(result["fold_scores"][m]))
        assert result["std"][m] == pytest.approx(np.std(result["fold_scores"][m]))
    oof = result["oof"]
    assert oof.shape == (len(y), 2) and np.all(np.isfinite(oof))
    np.testing.assert_allclose(oof.sum(axis=1), 1.0)
    assert result["threshold"] is None
    assert result["fit_time"] > 0 and result["predict_time"] > 0 and result["duration"] > 0
    assert set(result["step_times"]) == {"preprocess", "scale", "model"}
    assert result["notes"] == []
    # per-fold scores are the metric on each held-out fold
    for k, (_, test) in enumerate(task.run.folds):
        assert result["fold_scores"]["roc_auc"][k] == pytest.approx(
            M.score("roc_auc", y[test], oof[test])
        )


def test_oof_predictions_come_from_models_that_never_saw_the_row(binary):
    X, y, schema = binary
    task = _task(X, y, schema)
    oof = run_trial(task)["oof"]
    for train, test in task.run.folds:
        pipe = task.run.graph.compile(task.config, schema, task.run.model).fit(
            X.iloc[train], y[train]
        )
        np.testing.assert_allclose(oof[test], pipe.predict_proba(X.iloc[test]))


def test_multiclass_trial():
    X, y, schema = _data(n=150, n_classes=3)
    result = run_trial(_task(X, y, schema, family="hist_gb"))
    assert result["status"] == "ok", result["error"]
    assert result["oof"].shape == (150, 3)
    # one informative column shifted by the class: 0.76 measured; no ranking at all is 0.5
    assert 0.7 <= result["mean"]["roc_auc"] <= 1.0


@pytest.mark.parametrize("metric", ["f1", "mcc", "balanced_accuracy", "accuracy"])
def test_threshold_is_tuned_on_oof_for_threshold_metrics(binary, metric):
    X, y, schema = _data(minority=30)
    task = _task(X, y, schema, metric=metric, tune=True)
    result = run_trial(task)
    assert result["status"] == "ok", result["error"]
    oof = result["oof"]
    th = result["threshold"]
    assert set(th) == {"value", "mean", "std"}
    assert th["value"] == pytest.approx(tune_threshold(y, oof[:, 1], metric))
    fold_t, values, final = threshold_scores(y, oof, task.run.folds, metric, 1)
    assert final == th["value"]
    assert th["mean"] == pytest.approx(np.mean(fold_t)) and th["std"] == pytest.approx(
        np.std(fold_t)
    )
    # the optimised metric is scored per fold at a threshold tuned on the other folds
    assert result["fold_scores"][metric] == pytest.approx(values)
    for k, (_, test) in enumerate(task.run.folds):
        others = np.setdiff1d(np.arange(len(y)), test)
        t = tune_threshold(y[others], oof[others, 1], metric)
        assert fold_t[k] == pytest.approx(t)
        assert values[k] == pytest.approx(M.score(metric, y[test], oof[test], threshold=t))


@pytest.mark.parametrize(
    "bad",
    [
        {"model.C": -1.0},  # the estimator refuses it
        {"family": "random_forest"},  # not in the graph
        {"resample": "smoote"},  # unknown sampler
    ],
)
def test_failing_configuration_returns_failed_and_never_raises(binary, bad):
    X, y, schema = binary
    task = _task(X, y, schema)
    task.config = {**task.config, **bad}
    result = run_trial(task)
    assert result["status"] == "failed"
    assert isinstance(result["error"], str) and result["error"]
    assert result["oof"] is None
    assert result["duration"] >= 0


def test_failure_reports_the_error_and_where(binary):
    X, y, schema = binary
    task = _task(X, y, schema)
    task.config = {**task.config, "model.C": -1.0}
    error = run_trial(task)["error"]
    assert error.startswith("InvalidParameterError: ") and "'C' parameter" in error
    assert "(at " in error and ".py:" in error


def test_data_that_cannot_load_is_a_failure(binary, tmp_path):
    X, y, schema = binary
    task = _task(X, y, schema)
    task.data = DataRef(path=str(tmp_path / "missing.joblib"))
    result = run_trial(task)
    assert result["status"] == "failed" and "FileNotFoundError" in result["error"]


class _Fixed(ClassifierMixin, BaseEstimator):
    """Predicts given probabilities (NaN ones, say), optionally after a pause."""

    def __init__(self, value=np.nan, pause=0.0):
        self.value = value
        self.pause = pause

    def fit(self, X, y):
        time.sleep(self.pause)
        self.classes_ = np.unique(y)
        return self

    def predict_proba(self, X):
        return np.full((len(X), len(self.classes_)), self.value)


@dataclass(frozen=True)
class _FixedGraph(PipelineGraph):
    value: float = np.nan
    pause: float = 0.0

    def compile(self, config, schema, ctx):  # noqa: D102
        return Pipeline([("model", _Fixed(self.value, self.pause))])


def _fixed_graph(**kwargs):
    base = PipelineGraph.from_preset("fast")
    return _FixedGraph(name="fixed", families=base.families, **kwargs)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_nan_probabilities_are_a_failure(binary, value):
    X, y, schema = binary
    result = run_trial(_task(X, y, schema, graph=_fixed_graph(value=value)))
    assert result["status"] == "failed"
    assert "NaN" in result["error"] and "FloatingPointError" in result["error"]
    assert result["oof"] is None


def test_cooperative_time_limit_between_folds(binary):
    X, y, schema = binary
    task = _task(X, y, schema, graph=_fixed_graph(value=0.5, pause=0.3), time_limit=0.1)
    result = run_trial(task)
    assert result["status"] == "timeout"
    assert "after 1 of 3 folds" in result["error"]
    assert result["oof"] is None


def test_resampling_notes_are_collected_per_fold():
    X, y, schema = _data(n=60, minority=6)  # 4 minority rows per training fold
    graph = PipelineGraph.from_preset("imbalanced")
    task = _task(X, y, schema, graph=graph)
    task.config = {**task.config, "resample": "smote", "resample.k_neighbors": 8}
    result = run_trial(task)
    assert result["status"] == "ok", result["error"]
    assert len(result["notes"]) == 3
    assert all(
        note.startswith(f"fold {k}: smote: k_neighbors lowered to 3")
        for k, note in enumerate(result["notes"])
    )
    assert "resample" in result["step_times"]


def test_aligned_proba_fills_classes_absent_from_fit():
    X, y, schema = _data(n=60, n_classes=3)
    graph = PipelineGraph.from_preset("fast")
    ctx = ModelContext(task="multiclass", n_classes=3, n_rows=60, random_state=0)
    pipe = graph.compile(graph.default_config("logreg", ctx), schema, ctx)
    keep = y != 1
    pipe.fit(X[keep], y[keep])
    proba = aligned_proba(pipe, X, 3)
    assert proba.shape == (60, 3)
    assert np.all(proba[:, 1] == 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_task_is_plain_enough_to_pickle(binary):
    import pickle

    X, y, schema = binary
    task = _task(X, y, schema)
    clone = pickle.loads(pickle.dumps(replace(task, data=DataRef(X=X, y=y))))
    assert run_trial(clone)["mean"]["roc_auc"] == pytest.approx(run_trial(task)["mean"]["roc_auc"])


def test_a_trial_that_cannot_beat_the_best_is_pruned_after_two_folds():
    X, y = validate_fit_data(*make_classification(n_samples=300, n_features=6, random_state=0))
    graph = PipelineGraph.from_preset("fast")
    ctx = ModelContext(n_rows=300, random_state=0)
    bad = {**graph.default_config("logreg", ctx), "model.C": 1e-3, "model.penalty": "l1"}
    task = replace(_task(X, y, infer_schema(X), config=bad, graph=graph, cv=5), prune_loss=-0.99)
    result = run_trial(task)
    assert result["status"] == "pruned"
    assert len(result["fold_scores"]["roc_auc"]) == 2
    assert result["prune_loss"] > -0.99
    # without a best to beat, the same configuration runs every fold
    assert run_trial(replace(task, prune_loss=None))["status"] == "ok"
    # nor is it pruned when fold scores are known to swing by more than the gap
    assert run_trial(replace(task, prune_spread=1.0))["status"] == "ok"


def test_pruning_compares_with_the_best_trials_same_folds():
    """Folds differ in difficulty: the first folds are judged against the best's same folds."""
    X, y = validate_fit_data(*make_classification(n_samples=300, n_features=6, random_state=0))
    graph = PipelineGraph.from_preset("fast")
    ctx = ModelContext(n_rows=300, random_state=0)
    weak = {**graph.default_config("logreg", ctx), "model.C": 1e-3, "model.penalty": "l1"}
    task = _task(X, y, infer_schema(X), config=weak, graph=graph, cv=5)
    own = [-v for v in run_trial(task)["fold_scores"]["roc_auc"]]
    # the best's mean is clearly better, all of it earned on the last fold (never judged)
    hard_first = (own[0], own[1], own[2], own[3], -1.0)
    paired = replace(task, prune_loss=float(np.mean(hard_first)), prune_folds=hard_first)
    assert run_trial(paired)["status"] == "ok"
    assert run_trial(replace(paired, prune_folds=None))["status"] == "pruned"  # unpaired
    # the same overall mean, earned on the first folds: the trial is clearly worse there
    easy_first = (-1.0, -1.0, own[2], own[3], own[4])
    assert run_trial(replace(paired, prune_folds=easy_first))["status"] == "pruned"


def test_prune_tolerance_widens_with_the_spread_of_fold_scores():
    assert prune_tolerance(-0.4) == pytest.approx(0.02)
    assert prune_tolerance(-0.99) == pytest.approx(0.0495)
    assert prune_tolerance(-0.4, 0.1, 2) == pytest.approx(0.1 / np.sqrt(2))
    assert prune_tolerance(-0.4, 0.1, 4) == pytest.approx(0.05)
    assert prune_tolerance(-0.99, 0.01, 2) == pytest.approx(0.0495)
