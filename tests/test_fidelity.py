"""Fidelity in trials: subsampled training folds, untouched scoring folds, full-fidelity finals."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from automl import fidelity as fidelity_module
from automl.data import infer_schema, validate_fit_data
from automl.evaluate import DataRef, TrialTask, run_trial
from automl.fidelity import (
    default_min_fidelity,
    fidelity_label,
    fidelity_of,
    scored_folds,
    subsample_train,
    with_fidelity,
)
from automl.final_model import build_final_model
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.leaderboard import build_leaderboard
from automl.models import ModelContext
from automl.progress import status_text
from automl.run_context import RunContext
from automl.runlog import RunLog
from automl.search.runner import trial_record
from automl.search.session import _prune_reference


def _setup(n=300, seed=0, weights=(0.8, 0.2)):
    X, y = make_classification(
        n_samples=n, n_features=6, n_informative=4, weights=list(weights), random_state=seed
    )
    X, y = validate_fit_data(X, y)
    y = np.asarray(y)
    schema = infer_schema(X)
    graph = PipelineGraph.from_preset("fast").with_families(["logreg", "hist_gb"])
    ctx = ModelContext(n_rows=n, n_features=6, random_state=0)
    folds, _ = make_folds(3, X, y, random_state=0)
    run = RunContext(graph, schema, folds, ctx, seed=0)
    return X, y, run


def test_subsample_is_a_seeded_stratified_subset_of_the_training_fold():
    y = np.r_[np.zeros(900, int), np.ones(100, int)]
    train = np.arange(0, 1000, 1)
    rows = subsample_train(train, y, 0.2, seed=3, stratify=True)
    assert set(rows) <= set(train) and len(rows) == 200
    assert np.sum(y[rows] == 1) == 20  # the class shares are kept exactly
    np.testing.assert_array_equal(rows, subsample_train(train, y, 0.2, seed=3, stratify=True))
    assert not np.array_equal(rows, subsample_train(train, y, 0.2, seed=4, stratify=True))
    assert subsample_train(train, y, 1.0, seed=3, stratify=True) is train
    # a rare class keeps at least two rows; regression draws plain random rows
    rare = np.r_[np.zeros(98, int), np.ones(2, int)]
    assert np.sum(rare[subsample_train(np.arange(100), rare, 0.1, 0, stratify=True)]) == 2
    assert len(subsample_train(np.arange(100), rare.astype(float), 0.1, 0, stratify=False)) == 10


def test_default_min_fidelity_keeps_about_500_rows_per_fold():
    assert default_min_fidelity(400) == 1.0  # small data: one full-fidelity rung
    assert default_min_fidelity(2000) == pytest.approx(0.25)
    assert default_min_fidelity(10**6) == pytest.approx(1 / 27)
    assert fidelity_label(1 / 9) == "1/9" and fidelity_label(1.0) == "1"


def test_a_low_fidelity_trial_trains_on_a_subsample_and_scores_every_row():
    X, y, run = _setup()
    config = with_fidelity(run.graph.default_config("logreg", run.model), 0.3)
    result = run_trial(TrialTask(trial=1, config=config, run=run, data=DataRef(X=X, y=y)))
    assert result["status"] == "ok" and result["fidelity"] == pytest.approx(0.3)
    oof = result["oof"]
    assert np.all(np.isfinite(oof))  # the scoring folds are untouched: every row predicted
    for k, (train, test) in enumerate(run.folds):
        rows = subsample_train(train, y, 0.3, 7919 * k, stratify=True)
        assert len(rows) == pytest.approx(0.3 * len(train), abs=2)
        pipe = run.graph.compile(config, run.schema, run.model).fit(X.iloc[rows], y[rows])
        np.testing.assert_allclose(oof[test], pipe.predict_proba(X.iloc[test]))


def _record(trial, auc, fidelity, config, **extra):
    return {
        "trial": trial,
        "status": "ok",
        "family": config["family"],
        "fidelity": fidelity,
        "config": with_fidelity(config, fidelity),
        "mean": {"roc_auc": auc},
        "std": {"roc_auc": 0.01},
        "duration": 0.1,
        **extra,
    }


def _log(run, y, rows):
    log = RunLog(None, header={})
    rng = np.random.default_rng(0)
    for record in rows:
        p = np.clip(0.15 * y + 0.85 * rng.random(len(y)), 0, 1)  # a plausible AUC
        log.append(record, np.c_[1 - p, p])
    return log


def test_the_final_model_and_ensemble_use_full_fidelity_trials_only():
    X, y, run = _setup()
    base = run.graph.default_config("logreg", run.model)
    log = _log(
        run,
        y,
        [
            _record(0, 0.99, 1 / 3, base),  # the best score, but from a model of 1/3 the rows
            _record(1, 0.90, 1.0, base),
            _record(2, 0.89, 1.0, {**base, "model.C": 0.1}),
        ],
    )
    final = build_final_model(run, log, X, y, time_left=None)
    assert final.best_record["trial"] == 1
    assert 0 not in final.weights
    board = build_leaderboard(log.records, "roc_auc")
    assert "fidelity" in board.columns
    assert board["trial"].tolist() == [1, 2, 0]  # full fidelity first, then lower ones
    assert board["fidelity"].tolist() == pytest.approx([1.0, 1.0, 1 / 3])


def test_without_a_full_fidelity_trial_the_best_scoring_fidelity_stands_in_with_a_note():
    X, y, run = _setup()
    base = run.graph.default_config("logreg", run.model)
    # a lower fidelity's score is pessimistic: the best score wins, not the most rows
    log = _log(run, y, [_record(0, 0.95, 1 / 9, base), _record(1, 0.9, 1 / 3, base)])
    final = build_final_model(run, log, X, y, time_left=None)
    assert final.best_record["trial"] == 0
    assert any("No trial finished at full fidelity" in n and "1/9" in n for n in final.notes)


def test_a_low_fidelity_trial_on_large_folds_scores_a_seeded_share_of_each_fold(monkeypatch):
    # MIN_SCORE_ROWS stands in for 20,000 rows: the folds here hold 100 rows each
    monkeypatch.setattr(fidelity_module, "MIN_SCORE_ROWS", 40)
    X, y, run = _setup()
    config = with_fidelity(run.graph.default_config("logreg", run.model), 0.3)
    result = run_trial(TrialTask(trial=1, config=config, run=run, data=DataRef(X=X, y=y)))
    assert result["status"] == "ok"
    oof = result["oof"]
    scored = scored_folds(run.folds, y, 0.3, run.seed, stratify=True)
    for k, ((_, test), (_, part)) in enumerate(zip(run.folds, scored, strict=True)):
        assert set(part) < set(test) and len(part) == pytest.approx(40, abs=2)
        assert np.isfinite(oof[part]).all()
        assert np.isnan(oof[np.setdiff1d(test, part)]).all()  # never predicted: cheap
        auc = roc_auc_score(y[part], oof[part, 1])
        assert result["fold_scores"]["roc_auc"][k] == pytest.approx(auc)
    # every trial at that fidelity is scored on the same rows
    task = TrialTask(trial=2, config={**config, "model.C": 0.01}, run=run, data=DataRef(X=X, y=y))
    other = run_trial(task)
    np.testing.assert_array_equal(np.isfinite(other["oof"]), np.isfinite(oof))
    # such trials alone still make a final model that predicts every row, scored on
    # the rows they predicted
    log = RunLog(None, header={})
    first = TrialTask(trial=1, config=config, run=run, data=DataRef(X=X, y=y))
    for t, res in ((first, result), (task, other)):
        log.append(trial_record(t, res, 0.0, 1.0), res["oof"])
    final = build_final_model(run, log, X, y, time_left=None)
    assert np.isfinite(final.cv_score)
    assert np.isfinite(final.model.predict_proba(X)).all()


def test_pruning_compares_like_with_like():
    _, y, run = _setup()
    base = run.graph.default_config("logreg", run.model)
    log = _log(run, y, [_record(0, 0.99, 1 / 3, base), _record(1, 0.80, 1.0, base)])
    best_full, _ = _prune_reference(log, "roc_auc", 1.0)
    best_low, _ = _prune_reference(log, "roc_auc", 1 / 3)
    assert best_full == pytest.approx(-0.80) and best_low == pytest.approx(-0.99)
    assert _prune_reference(log, "roc_auc", 1 / 9)[0] is None


def test_refit_on_all_rows_reuses_the_rounds_early_stopping_found():
    X, y, run = _setup()
    config = run.graph.default_config("hist_gb", run.model)
    result = run_trial(TrialTask(trial=0, config=config, run=run, data=DataRef(X=X, y=y)))
    n_iter = result["fit_info"]["n_iter"]
    assert len(n_iter) == 3 and all(1 <= n <= config["model.max_iter"] for n in n_iter)
    log = _log(run, y, [_record(0, 0.95, 1.0, config, fit_info={"n_iter": [10, 12, 14]})])
    final = build_final_model(run, log, X, y, time_left=None)
    model = final.best_pipeline.steps[-1][1]
    # median 12 rounds, times k/(k-1) = 3/2 for 3 folds; no new early stopping
    assert model.n_iter_ == 18 and model.early_stopping is False


def test_progress_shows_trials_per_fidelity_and_the_best_full_score():
    text = status_text(12, 0.9812, "roc_auc", {1 / 9: 8, 1 / 3: 3, 1.0: 1})
    assert text == "12 trials (1/9: 8, 1/3: 3, 1: 1), best roc_auc=0.9812"
    assert status_text(3, None, "roc_auc", {1 / 9: 3}).endswith("no full-fidelity result yet")
    assert status_text(2, 0.5, "roc_auc", {1.0: 2}) == "2 trials, best roc_auc=0.5000"
    assert fidelity_of({"config": {"family": "logreg", "fidelity": 0.5}}) == 0.5


def test_the_report_leaderboard_shows_fidelity_only_for_a_multi_fidelity_search():
    from automl.report._run_tables import leaderboard

    _, y, run = _setup()
    base = run.graph.default_config("logreg", run.model)
    records = [_record(0, 0.9, 1 / 3, base), _record(1, 0.8, 1.0, base)]
    table = leaderboard(
        build_leaderboard(records, "roc_auc"), "roc_auc", [{"trial": 1, "weight": 1}]
    )
    assert "fidelity" in table.columns
    column = table.columns.index("fidelity")
    assert [row[column][0] for row in table.rows] == ["1", "1/3"]
    plain = leaderboard(build_leaderboard(records[1:], "roc_auc"), "roc_auc", [])
    assert "fidelity" not in plain.columns
