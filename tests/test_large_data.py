"""The large-data path: fewer folds on a short budget, the subsampled first trial."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier
from automl import large_data as L
from automl.folds import make_folds


@pytest.mark.parametrize(
    ("rows", "cols", "budget", "expected"),
    [
        (1_000_000, 50, 300, 2),  # the case: a 5-fold default trial would take ~70 s
        (750_000, 50, 3600, 3),  # an hour affords the usual rule's 3 folds, never more
        (200_000, 50, 300, 3),  # 3 folds fit in 15 s; the usual rule's 3 is kept
        (40_000, 200, 10, 3),  # under LARGE_MIN_ROWS: the usual rule, whatever the budget
        (5_000, 30, 60, 5),
        (1_000_000, 50, None, 3),  # no time budget: nothing to share out
    ],
)
def test_fold_count_follows_the_predicted_trial_cost(rows, cols, budget, expected):
    default = 5 if rows <= 10_000 else 3
    assert L.auto_n_splits(default, rows, cols, budget) == expected


def test_the_rule_switches_at_the_budget_share():
    rows, cols = 100_000, 50
    two_fold = L.predicted_trial_seconds(rows, cols, 2)
    at_threshold = two_fold / L.TRIAL_SHARE
    three_fold = L.predicted_trial_seconds(rows, cols, 3) / L.TRIAL_SHARE
    assert L.auto_n_splits(3, rows, cols, 0.99 * three_fold) == 2
    assert L.auto_n_splits(3, rows, cols, three_fold) == 3
    assert L.auto_n_splits(3, rows, cols, 0.5 * at_threshold) == 2  # fewest is 2 folds


def test_an_explicit_cv_is_respected_and_auto_takes_fewer_folds():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(60_000, 50)))
    y = (rng.random(60_000) < 0.1).astype(np.int64)
    auto, _ = make_folds("auto", X, y, random_state=0, time_budget=5)
    explicit, _ = make_folds(5, X, y, random_state=0, time_budget=5)
    relaxed, _ = make_folds("auto", X, y, random_state=0, time_budget=None)
    assert (len(auto), len(explicit), len(relaxed)) == (2, 5, 3)
    # every row is validated exactly once, and the positives are spread evenly
    tests = np.concatenate([te for _, te in auto])
    assert np.array_equal(np.sort(tests), np.arange(60_000))
    assert abs(y[auto[0][1]].mean() - y.mean()) < 0.005


def test_the_first_trial_is_subsampled_only_on_large_slow_data():
    assert 0 < L.first_trial_fraction(750_000, 50, 2, 300) < 0.1
    assert L.first_trial_fraction(20_000, 50, 5, 300) is None  # small data
    assert L.first_trial_fraction(60_000, 5, 3, 300) is None  # a full trial is fast already
    assert L.first_trial_fraction(750_000, 50, 2, None) is None
    assert L.use_float32(750_000, 50) and not L.use_float32(5_000, 50)


def test_subsampled_first_trial_runs_first_and_the_final_model_uses_full_data(
    monkeypatch, binary_data
):
    """The rule's thresholds lowered so 200 rows take the large-data path (Bayesian search)."""
    monkeypatch.setattr(L, "LARGE_MIN_ROWS", 100)
    monkeypatch.setattr(L, "FIRST_MODEL_SECONDS", 0.0)
    monkeypatch.setattr(L, "FIRST_TRIAL_CELLS", 400)
    monkeypatch.setattr(L, "FIRST_TRIAL_MIN_ROWS", 40)
    X, y = binary_data
    clf = AutoMLClassifier(
        time_budget=120,
        max_trials=3,
        models=["logreg"],
        cv=3,
        n_jobs=1,
        random_state=0,
        search="bayes",
    ).fit(X, y)
    first = clf.trials_[0]
    assert first["trial"] == 0 and 0 < first["config"]["fidelity"] < 0.5
    assert first["status"] == "ok"
    full = [r for r in clf.trials_ if "fidelity" not in r["config"]]
    assert len(full) == 2  # the default itself still runs on all rows
    assert "fidelity" not in clf.best_config_
    assert all(m["trial"] != 0 for m in clf.ensemble_)


def test_auto_search_is_multi_fidelity_on_large_slow_data_only():
    assert L.resolve_search("auto", 750_000, 50, 2, 300) == "bohb"
    assert L.resolve_search("auto", 20_000, 50, 5, 300) == "bayes"  # small data
    assert L.resolve_search("auto", 60_000, 5, 3, 300) == "bayes"  # a full trial is fast
    assert L.resolve_search("auto", 750_000, 50, 2, None) == "bayes"  # no budget: no clock
    assert L.resolve_search("random", 750_000, 50, 2, 300) == "random"  # the user's choice


def test_auto_search_on_the_large_data_path_starts_with_subsamples(monkeypatch):
    """Thresholds lowered so 3,000 rows take the large-data path: "auto" runs BOHB, whose
    first rung trains on subsamples of each fold."""
    from sklearn.datasets import make_classification

    monkeypatch.setattr(L, "LARGE_MIN_ROWS", 100)
    monkeypatch.setattr(L, "FIRST_MODEL_SECONDS", 0.0)
    X, y = make_classification(n_samples=3000, n_features=6, random_state=0)
    clf = AutoMLClassifier(
        time_budget=120, max_trials=6, models=["logreg"], cv=3, n_jobs=1, random_state=0
    ).fit(X, y)
    assert clf.search_ == "bohb"
    fidelities = [r["config"].get("fidelity", 1.0) for r in clf.trials_]
    assert fidelities[0] < 1.0 and min(fidelities) < 0.5
    assert "fidelity" not in clf.best_config_  # the final model stands on all rows
    small = AutoMLClassifier(max_trials=2, models=["logreg"], cv=3, n_jobs=1, random_state=0)
    assert small.fit(X[:90], y[:90]).search_ == "bayes"  # under LARGE_MIN_ROWS (100 here)
