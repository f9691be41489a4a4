"""The main process keeps only the out-of-fold predictions the final model may read."""

from __future__ import annotations

from functools import partial

import numpy as np
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score

from automl.data import infer_schema, validate_fit_data
from automl.final_model import build_final_model
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.oof_retention import KEEP_BEST, trials_worth_keeping
from automl.run_context import RunContext, ThresholdPolicy
from automl.runlog import RunLog


def _record(trial, family, score, fidelity=1.0, status="ok", metric="roc_auc"):
    config = {"family": family} | ({} if fidelity == 1.0 else {"fidelity": fidelity})
    return {
        "trial": trial,
        "status": status,
        "family": family,
        "config": config,
        "mean": {metric: score} if status == "ok" else {},
        "duration": 0.1,
    }


def test_the_best_per_fidelity_and_each_familys_best_are_kept():
    records = [
        _record(0, "a", 0.90),
        _record(1, "a", 0.95),
        _record(2, "a", 0.80),
        _record(3, "b", 0.60),  # worst, but its family's best
        _record(4, "b", 0.50),
        _record(5, "a", 0.99, status="failed"),
        _record(6, "a", 0.70, fidelity=1 / 3),  # the best (and only) at its fidelity
        _record(7, "a", 0.65, fidelity=1 / 3),
    ]
    assert trials_worth_keeping(records, "roc_auc", keep_best=2) == {1, 0, 3, 6, 7}
    assert trials_worth_keeping(records, "roc_auc", keep_best=1) == {1, 3, 6}


def test_a_loss_metric_keeps_the_lowest():
    records = [_record(t, "a", loss, metric="log_loss") for t, loss in enumerate([0.3, 0.1, 0.2])]
    assert trials_worth_keeping(records, "log_loss", keep_best=1) == {1}


def test_the_log_stays_bounded_and_the_disk_keeps_everything(tmp_path):
    log = RunLog(tmp_path, {}, retain=partial(trials_worth_keeping, metric="roc_auc"))
    rng = np.random.default_rng(0)
    for trial in range(300):
        log.append(_record(trial, "a", float(rng.random())), rng.random((50, 2)))
    best = sorted(range(300), key=lambda t: -log.records[t]["mean"]["roc_auc"])[:KEEP_BEST]
    assert set(best) <= set(log.oof)
    assert len(log.oof) <= 2 * KEEP_BEST
    assert len(list((tmp_path / "oof").glob("trial_*.npy"))) == 300
    # a resumed log keeps the same bound, and the same best trials
    resumed = RunLog(
        tmp_path, {}, resume=True, retain=partial(trials_worth_keeping, metric="roc_auc")
    )
    assert set(best) <= set(resumed.oof) and len(resumed.oof) <= 2 * KEEP_BEST


def test_the_final_model_is_the_one_every_trial_kept_would_give():
    X, y = validate_fit_data(*make_classification(n_samples=300, n_features=6, random_state=0))
    graph = PipelineGraph.from_preset("fast").with_families(["logreg", "hist_gb"])
    ctx = ModelContext(n_rows=300, n_features=6, random_state=0)
    folds, _ = make_folds(3, X, y, random_state=0)
    run = RunContext(graph, infer_schema(X), folds, ctx, threshold=ThresholdPolicy(None))
    rng = np.random.default_rng(1)
    logs = [
        RunLog(None, {}),
        RunLog(None, {}, retain=partial(trials_worth_keeping, metric="roc_auc")),
    ]
    for trial in range(80):
        family = "logreg" if trial % 8 else "hist_gb"  # one family rare and weaker
        noise = rng.random(len(y)) * (1.5 if family == "hist_gb" else rng.uniform(0.5, 1.5))
        p = np.clip(0.3 * y + 0.7 * noise, 0, 1)
        oof = np.c_[1 - p, p]
        record = _record(trial, family, float(roc_auc_score(y, p)))
        record["config"] = graph.default_config(family, ctx)
        for log in logs:
            log.append(dict(record), oof.copy())
    assert len(logs[1].oof) < len(logs[0].oof) / 2
    # the weaker family's best trial stays a candidate of the blend
    hist_gb = [r for r in logs[0].records if r["family"] == "hist_gb"]
    assert max(hist_gb, key=lambda r: r["mean"]["roc_auc"])["trial"] in logs[1].oof
    every, retained = (build_final_model(run, log, X, y, time_left=None) for log in logs)
    assert len(every.weights) > 1
    assert every.weights == retained.weights
    np.testing.assert_allclose(every.oof, retained.oof)
