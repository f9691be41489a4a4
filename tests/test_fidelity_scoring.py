"""Low-fidelity trials score on a subsample of large scoring folds (issue 15).

The row threshold is lowered through ``RunContext.score_subsample_rows`` so that
small generated data takes the large-data path.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from automl.data import infer_schema, validate_fit_data
from automl.evaluate import DataRef, TrialTask, run_trial
from automl.fidelity import (
    SCORE_SUBSAMPLE_MIN_ROWS,
    fidelity_of,
    subsample_score,
    subsample_train,
    with_fidelity,
)
from automl.final_model import build_final_model
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.report.run_report import _scored_oof
from automl.run_context import RunContext, ThresholdPolicy
from automl.runlog import RunLog
from automl.search.budget import Budget
from automl.search.session import run_search

#: The lowered threshold: 3 folds of 600 rows score on 200 rows each, so they subsample.
LOW = 100


def _setup(n=600, threshold=LOW, metric="roc_auc", tune=None):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, weights=[0.8], random_state=0
    )
    X, y = validate_fit_data(X, y)
    y = np.asarray(y)
    graph = PipelineGraph.from_preset("fast").with_families(["logreg", "hist_gb"])
    ctx = ModelContext(n_rows=n, n_features=6, random_state=0)
    folds, _ = make_folds(3, X, y, random_state=0)
    run = RunContext(
        graph,
        infer_schema(X),
        folds,
        ctx,
        metric=metric,
        threshold=ThresholdPolicy(tune_for=tune),
        seed=0,
        score_subsample_rows=threshold,
    )
    return X, y, run


def _trial(X, y, run, config, trial=0):
    return run_trial(TrialTask(trial=trial, config=config, run=run, data=DataRef(X=X, y=y)))


def test_a_large_scoring_fold_is_subsampled_small_ones_and_full_fidelity_are_not():
    y = (np.arange(100_000) % 10 == 0).astype(int)  # 10 % positives
    test = np.arange(0, 100_000, 2)  # 50,000 scoring rows
    rows = subsample_score(test, y, 1 / 27, seed=3, stratify=True)
    assert len(rows) == pytest.approx(SCORE_SUBSAMPLE_MIN_ROWS / 2, abs=2)  # the floor wins
    assert set(rows) <= set(test) and np.all(np.diff(rows) > 0)
    assert y[rows].mean() == pytest.approx(y[test].mean(), abs=0.001)  # stratified
    np.testing.assert_array_equal(rows, subsample_score(test, y, 1 / 27, 3, stratify=True))
    assert len(subsample_score(test, y, 0.5, 3, stratify=True)) == pytest.approx(25_000, abs=2)
    assert subsample_score(test, y, 1.0, 3, stratify=True) is test
    small = test[: SCORE_SUBSAMPLE_MIN_ROWS - 1]
    assert subsample_score(small, y, 1 / 27, 3, stratify=True) is small
    # a rare class keeps rows, in regression the draw is plain
    rare = np.zeros(100, dtype=int)
    rare[:3] = 1
    kept = subsample_score(np.arange(100), rare, 0.1, 0, stratify=True, min_rows=20)
    assert rare[kept].sum() >= 2 and len(kept) == pytest.approx(10, abs=2)
    plain = subsample_score(np.arange(100), rare * 1.0, 0.1, 0, stratify=False, min_rows=20)
    assert len(plain) == 10


def test_low_fidelity_trials_score_the_same_subsample_for_every_configuration():
    X, y, run = _setup()
    base = run.graph.default_config("logreg", run.model)
    configs = (base, {**base, "model.C": 0.05}, run.graph.default_config("hist_gb", run.model))
    results = [_trial(X, y, run, with_fidelity(config, 1 / 9)) for config in configs]
    assert all(r["status"] == "ok" for r in results)
    scored = [~np.isnan(r["oof"][:, 0]) for r in results]
    for mask in scored[1:]:
        np.testing.assert_array_equal(mask, scored[0])  # comparable: the same rows
    for k, (_, test) in enumerate(run.folds):
        rows = test[scored[0][test]]
        # max(1/9 x 200, 100 / 2) = 50 rows of the 200, both classes, drawn from this fold
        assert len(rows) == pytest.approx(50, abs=2) and len(np.unique(y[rows])) == 2
        np.testing.assert_array_equal(
            rows, subsample_score(test, y, 1 / 9, 7919 * k, stratify=True, min_rows=LOW)
        )
        for r in results:  # the fold's score is measured on exactly those rows
            expected = roc_auc_score(y[rows], r["oof"][rows, 1])
            assert r["fold_scores"]["roc_auc"][k] == pytest.approx(expected)
    # the training subsample is the one it always was
    pipe = run.graph.compile(with_fidelity(base, 1 / 9), run.schema, run.model)
    train, test = run.folds[0]
    fit_rows = subsample_train(train, y, 1 / 9, 0, stratify=True)
    pipe.fit(X.iloc[fit_rows], y[fit_rows])
    rows = test[scored[0][test]]
    np.testing.assert_allclose(results[0]["oof"][rows], pipe.predict_proba(X.iloc[rows]))


def test_full_fidelity_and_small_scoring_folds_are_unchanged():
    X, y, run = _setup()
    config = run.graph.default_config("logreg", run.model)
    full = _trial(X, y, run, config)
    assert np.all(np.isfinite(full["oof"]))  # every row scored at full fidelity
    untouched = replace(run, score_subsample_rows=SCORE_SUBSAMPLE_MIN_ROWS)  # the default
    np.testing.assert_allclose(full["oof"], _trial(X, y, untouched, config)["oof"])
    low = _trial(X, y, untouched, with_fidelity(config, 1 / 9))
    assert np.all(np.isfinite(low["oof"]))  # 200-row scoring folds: scored whole


def test_pruning_and_threshold_tuning_read_only_the_scored_rows():
    X, y, run = _setup(metric="f1", tune="f1")
    config = with_fidelity(run.graph.default_config("logreg", run.model), 1 / 9)
    result = _trial(X, y, run, config)
    assert result["status"] == "ok"
    assert 0.0 < result["threshold"]["value"] < 1.0 and np.isfinite(result["mean"]["f1"])
    X, y, run = _setup()
    bad = {**run.graph.default_config("logreg", run.model), "model.C": 1e-4, "model.penalty": "l1"}
    task = TrialTask(trial=1, config=with_fidelity(bad, 1 / 9), run=run, data=DataRef(X=X, y=y))
    pruned = run_trial(replace(task, prune_loss=-0.999))
    assert pruned["status"] == "pruned" and np.isfinite(pruned["prune_loss"])


def test_without_a_full_fidelity_trial_the_final_model_predicts_every_row():
    X, y, run = _setup()
    log = RunLog(None, header={})
    configs = [
        run.graph.default_config("logreg", run.model),
        run.graph.default_config("hist_gb", run.model),
    ]
    for trial, config in enumerate(configs):
        config = with_fidelity(config, 1 / 3)
        result = _trial(X, y, run, config, trial)
        record = {k: v for k, v in result.items() if k not in ("oof", "pid")}
        log.append({**record, "family": config["family"], "config": config}, result["oof"])
    assert np.isnan(log.oof[0][:, 0]).any()  # part of each scoring fold was left out
    final = build_final_model(run, log, X, y, time_left=None)
    assert any("No trial finished at full fidelity" in n for n in final.notes)
    proba = final.model.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.all(np.isfinite(proba))
    assert roc_auc_score(y, proba[:, 1]) > 0.9
    assert np.isfinite(final.cv_score) and final.cv_score > 0.8
    scored = ~np.isnan(final.oof[:, 0])
    np.testing.assert_array_equal(scored, ~np.isnan(log.oof[0][:, 0]))

    class Fitted:  # what the report reads of an estimator
        oof_y_, oof_proba_ = y, final.oof

    y_scored, proba_scored = _scored_oof(Fitted())
    assert len(y_scored) == scored.sum() and np.all(np.isfinite(proba_scored))


def test_a_bohb_search_on_subsampled_scoring_ends_with_a_model_of_every_row():
    X, y, run = _setup()
    run = replace(run, strategy="bohb", strategy_options=(("min_fidelity", 1 / 9),))
    log = RunLog(None, header={})
    run_search(run, X, y, Budget(None, 14), log)
    fidelities = {fidelity_of(r.get("config")) for r in log.records if r["status"] == "ok"}
    assert min(fidelities) == pytest.approx(1 / 9) and max(fidelities) < 1.0 + 1e-9
    low = [r for r in log.records if r["status"] == "ok" and fidelity_of(r["config"]) < 1 / 3]
    assert low and all(np.isfinite(r["mean"]["roc_auc"]) for r in low)
    # only the highest fidelity's predictions are held to the end of the search
    top = max(fidelities)
    assert log.oof and all(
        fidelity_of(r["config"]) == pytest.approx(top) for r in log.records if r["trial"] in log.oof
    )
    final = build_final_model(run, log, X, y, time_left=None)
    proba = final.model.predict_proba(X)
    assert proba.shape == (len(y), 2) and np.all(np.isfinite(proba))
    assert roc_auc_score(y, proba[:, 1]) > 0.9
