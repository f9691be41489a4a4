"""One search session through AutoMLClassifier: the refit reserve, pruning and the
memory limit, on the real loop with real worker processes (small data, few trials)."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification

from automl import AutoMLClassifier
from automl.exceptions import SearchError
from automl.search.budget import predict_refit_seconds
from automl.search.runner import SearchRunner

SETTINGS = {"max_trials": 3, "models": ["logreg"], "cv": 3, "n_jobs": 1, "random_state": 0}


@pytest.fixture(scope="module")
def data():
    return make_classification(n_samples=150, n_features=5, random_state=0)


@pytest.fixture
def reserves(monkeypatch):
    """``(finished trials, refit reserve)`` each time the search loop may start trials,
    and the loop's budget."""
    seen: dict = {"reserve": [], "budget": None}
    fill = SearchRunner._fill

    def spy(self):
        seen["budget"] = self.budget
        seen["reserve"].append((len(self.log.records), self.budget.reserve))
        return fill(self)

    monkeypatch.setattr(SearchRunner, "_fill", spy)
    return seen


def _refit_seconds(clf: AutoMLClassifier) -> dict[int, float]:
    """Predicted refit time (3 folds) of each successful trial, by trial id."""
    ok = [r for r in clf.trials_ if r["status"] == "ok"]
    return {r["trial"]: predict_refit_seconds(r["duration"], 3) for r in ok}


def test_refit_reserve_is_kept_for_the_best_trial(data, reserves):
    # refit: a bagged member keeps no reserve (tests/test_bagging.py)
    # a generous budget: three logreg trials take a second or two, so time never cuts in
    clf = AutoMLClassifier(time_budget=120, ensemble=False, final_model="refit", **SETTINGS).fit(
        *data
    )
    assert len(clf.leaderboard_) == 3
    # nothing is kept back before a trial finished; after, the single best trial's refit
    assert {r for n, r in reserves["reserve"] if n == 0} == {0.0}
    assert all(r > 0 for n, r in reserves["reserve"] if n > 0)
    assert {n for n, _ in reserves["reserve"]} >= {0, 1, 2}  # seen between all trials
    refit = _refit_seconds(clf)
    score = {r["trial"]: r["mean"]["roc_auc"] for r in clf.trials_ if r["trial"] in refit}
    best = [t for t in refit if score[t] == max(score.values())]  # ties: either
    assert reserves["budget"].reserve in [pytest.approx(refit[t]) for t in best]


def test_refit_reserve_with_an_ensemble_covers_the_top_trials(data, reserves):
    clf = AutoMLClassifier(time_budget=120, ensemble=True, final_model="refit", **SETTINGS).fit(
        *data
    )
    seconds = list(_refit_seconds(clf).values())  # 3 trials, all ok
    assert len(seconds) == 3
    # three refits, however many run at once: at least the longest, at most all in a row
    assert max(seconds) - 1e-9 <= reserves["budget"].reserve <= sum(seconds) + 1e-9


def test_no_time_budget_keeps_no_reserve(data, reserves):
    AutoMLClassifier(time_budget=None, **SETTINGS).fit(*data)
    assert reserves["reserve"] and {r for _, r in reserves["reserve"]} == {0.0}


def test_a_hopeless_trial_is_pruned_in_the_real_loop():
    """XOR labels: logistic regression cannot rank them (AUC ~0.5), gradient boosting can.
    Trial 0 is logreg's default, trial 1 hist_gb's; trial 2, logreg's portfolio entry,
    is then stopped after 2 of 3 folds."""
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(240, 4))
    y = ((X[:, 0] > 0) ^ (X[:, 1] > 0)).astype(int)
    clf = AutoMLClassifier(
        time_budget=None,
        max_trials=3,
        models=["logreg", "hist_gb"],
        cv=3,
        n_jobs=1,
        random_state=0,
    ).fit(X, y)
    board = clf.leaderboard_.set_index("trial")
    assert board.loc[1, "family"] == "hist_gb" and board.loc[1, "roc_auc_mean"] > 0.9
    assert board.loc[2, "family"] == "logreg" and board.loc[2, "status"] == "pruned"
    pruned = next(r for r in clf.trials_ if r["trial"] == 2)
    assert len(pruned["fold_scores"]["roc_auc"]) == 2
    assert any("pruned after 2 folds" in note for note in pruned["notes"])
    assert pruned["mean"]["roc_auc"] < 0.7
    # a pruned trial is never part of the final model
    assert 2 not in {m["trial"] for m in clf.ensemble_}


def test_memory_limit_stops_every_trial_and_says_so():
    # a worker process holds far more than 1 MB; the data are big enough that no trial ends
    # before the first memory check (every 0.5 s), so each is stopped as out of memory
    X, y = make_classification(n_samples=20_000, n_features=20, random_state=0)
    clf = AutoMLClassifier(
        time_budget=None,
        max_trials=2,
        models=["hist_gb"],
        cv=3,
        n_jobs=1,
        random_state=0,
        memory_limit=1,
    )
    with pytest.raises(SearchError, match=r"Every trial failed.*memory_limit"):
        clf.fit(X, y)
