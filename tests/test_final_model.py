"""From the trial log to the final model: members that fit the time, refit failures."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification

from automl.data import infer_schema, validate_fit_data
from automl.final_model import _within_time, build_final_model
from automl.folds import make_folds
from automl.graph import PipelineGraph
from automl.models import ModelContext
from automl.run_context import RunContext, ThresholdPolicy
from automl.runlog import RunLog
from automl.search.budget import refit_wall_seconds


def test_refit_wall_seconds_is_the_longest_first_schedule():
    assert refit_wall_seconds([], 2) == 0.0
    assert refit_wall_seconds([10.0, 1.0, 1.0], 2) == 10.0  # one long refit is not shared
    assert refit_wall_seconds([3.0, 3.0, 2.0, 2.0, 2.0], 2) == 7.0
    assert refit_wall_seconds([3.0, 3.0, 2.0], 1) == 8.0
    assert refit_wall_seconds([3.0, 3.0, 2.0], 0) == 8.0  # at least one worker


def test_members_are_kept_by_weight_while_their_refits_fit_the_time():
    weights = {1: 0.4, 2: 0.3, 3: 0.2, 4: 0.1}
    predicted = {1: 2.0, 2: 9.0, 3: 3.0, 4: 1.0}
    # two threads, 5 s: trial 2 (9 s) cannot run beside anything in time; 3 and 4 can
    kept = _within_time(weights, predicted, best=1, time_left=5.0, n_parallel=2)
    assert set(kept) == {1, 3, 4}
    assert sum(kept.values()) == pytest.approx(1.0)
    assert kept[1] == pytest.approx(0.4 / 0.7)
    # the best trial stays even when it alone overruns
    assert _within_time(weights, predicted, best=2, time_left=1.0, n_parallel=2) == {2: 1.0}
    assert _within_time(weights, predicted, best=1, time_left=None, n_parallel=2) == weights


def test_a_best_trial_that_cannot_refit_is_replaced_by_the_next_best():
    X, y = validate_fit_data(*make_classification(n_samples=200, n_features=5, random_state=0))
    schema = infer_schema(X)
    graph = PipelineGraph.from_preset("fast").with_families(["logreg"])
    ctx = ModelContext(n_rows=200, n_features=5, random_state=0)
    folds, _ = make_folds(3, X, y, random_state=0)
    good = graph.default_config("logreg", ctx)
    broken = {**good, "model.C": -1.0}  # LogisticRegression refuses C <= 0 at fit time
    log = RunLog(None, header={})
    rng = np.random.default_rng(0)
    for trial, config, auc in (
        (0, broken, 0.95),
        (1, good, 0.90),
        (2, good | {"model.C": 0.1}, 0.89),
    ):
        p = np.clip(0.5 * y + 0.5 * rng.random(len(y)), 0, 1)
        log.append(
            {
                "trial": trial,
                "status": "ok",
                "family": "logreg",
                "config": config,
                "mean": {"roc_auc": auc},
                "duration": 0.1,
            },
            np.c_[1 - p, p],
        )
    run = RunContext(graph, schema, folds, ctx, threshold=ThresholdPolicy("f1"), ensemble=False)
    final = build_final_model(run, log, X, y, time_left=None)
    stand_in = final.best_record["trial"]
    assert stand_in != 0 and final.weights == {stand_in: 1.0}
    # the threshold and CV score describe the model kept, not the one that failed
    np.testing.assert_array_equal(final.oof, log.oof[stand_in])
    assert final.best_pipeline.predict_proba(X).shape == (200, 2)
    assert any("Trial 0 failed to refit" in note for note in final.notes)
    assert any(f"Trial {stand_in}, the next best, stands in alone" in n for n in final.notes)


def test_a_member_whose_turn_comes_too_late_is_not_started_but_the_best_always_is():
    """Most models cannot be stopped once fitting: a member reached after the refit
    deadline would overrun the budget, so it is skipped, while the best trial (or a
    trial refitted alone) always refits, so the fit has a model."""
    import time

    from automl.refit import _refit

    X, y = validate_fit_data(*make_classification(n_samples=200, n_features=5, random_state=0))
    graph = PipelineGraph.from_preset("fast").with_families(["logreg"])
    ctx = ModelContext(n_rows=200, n_features=5, random_state=0)
    folds, _ = make_folds(3, X, y, random_state=0)
    run = RunContext(graph, infer_schema(X), folds, ctx, threshold=ThresholdPolicy("f1"))
    config = graph.default_config("logreg", ctx)
    past = time.monotonic() - 1.0
    pipe, _, error = _refit(run, config, X, y, None, past, allowance=3.0, essential=False)
    assert pipe is None and error is not None and "no time left" in error
    pipe, _, error = _refit(run, config, X, y, None, past, allowance=3.0, essential=True)
    assert error is None and pipe.predict_proba(X).shape == (200, 2)
