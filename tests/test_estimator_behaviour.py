"""Estimator behaviour beyond the conventions: preset choice, budgets, thresholds, notes."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification

from automl import AutoMLClassifier


@pytest.fixture(scope="module")
def imbalanced_data():
    X, y = make_classification(
        n_samples=300, n_features=6, weights=[0.9, 0.1], flip_y=0.02, random_state=0
    )
    return X, y


def test_auto_pipeline_switches_to_imbalanced_and_says_so(imbalanced_data, tiny_clf):
    X, y = imbalanced_data
    clf = tiny_clf().fit(X, y)
    assert clf.graph_.name == "imbalanced"
    assert any("imbalanced" in note for note in clf.notes_)


def test_default_pipeline_opts_out(imbalanced_data, tiny_clf):
    X, y = imbalanced_data
    clf = tiny_clf(pipeline="default").fit(X, y)
    assert clf.graph_.name == "default"
    assert not any("imbalanced" in note for note in clf.notes_)


def test_ranking_metric_on_imbalanced_data_tunes_the_threshold_for_f1(imbalanced_data, tiny_clf):
    X, y = imbalanced_data
    clf = tiny_clf(metric="roc_auc").fit(X, y)
    assert clf.pos_index_ == 1  # the minority class is positive
    # tuned for the rare class's F1: below one half (0.28 measured), so more rows are
    # predicted positive than at the argmax
    assert clf.threshold_ is not None and 0.05 < clf.threshold_ < 0.45
    p1 = clf.predict_proba(X)[:, 1]
    assert (clf.predict(X) == 1).sum() > (p1 >= 0.5).sum()
    # the leaderboard shows the threshold's spread over folds
    assert np.isfinite(clf.leaderboard_.loc[0, "threshold_mean"])


def test_balanced_data_with_ranking_metric_predicts_at_one_half(tiny_clf):
    X, y = make_classification(n_samples=200, n_features=5, random_state=0)
    clf = tiny_clf().fit(X, y)
    assert clf.threshold_ is None
    proba = clf.predict_proba(X)
    assert np.array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])


def test_a_tiny_time_budget_still_gives_a_model():
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    clf = AutoMLClassifier(time_budget=0.5, random_state=0).fit(X, y)
    assert len(clf.leaderboard_) >= 1
    assert clf.predict(X).shape == (150,)


def test_notes_and_timings_are_reported():
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    clf = AutoMLClassifier(
        time_budget=20, max_trials=3, models=["logreg"], cv=3, random_state=0
    ).fit(X, y)
    assert set(clf.timings_) == {"budget", "search", "refit", "total", "predicted_refit"}
    assert clf.timings_["total"] >= clf.timings_["search"]
    assert isinstance(clf.notes_, list)


def test_resume_without_a_random_state_keeps_the_first_seed(tmp_path):
    X, y = make_classification(n_samples=150, n_features=5, random_state=0)
    settings = {
        "time_budget": None,
        "models": ["logreg"],
        "cv": 3,
        "n_jobs": 1,
        "log_dir": str(tmp_path),
    }
    first = AutoMLClassifier(max_trials=2, **settings).fit(X, y)
    again = AutoMLClassifier(max_trials=3, resume=True, **settings).fit(X, y)
    assert [r["trial"] for r in again.trials_] == [0, 1, 2]
    assert again.trials_[0]["mean"] == first.trials_[0]["mean"]
