"""Leakage canary: oversampling before the split inflates CV; the library resamples inside folds.

The features are pure noise, so no model can beat an AUC of 0.5 on new rows.
Oversampling all rows first puts copies (or near-copies) of each minority row
on both sides of every CV split, and the CV score soars. Searched inside each
training fold, resampling leaves the CV score honest: near 0.5 and close to
the held-out score.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score, train_test_split

from automl import AutoMLClassifier
from automl.graph import PipelineGraph


@pytest.fixture(scope="module")
def noise():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 8))
    y = (rng.random(600) < 0.12).astype(int)  # imbalanced, and unrelated to X
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.mark.parametrize(
    "sampler",
    [RandomOverSampler(random_state=0), SMOTE(random_state=0)],
    ids=["random_over", "smote"],
)
def test_oversampling_before_the_split_inflates_cv(noise, sampler):
    X_train, _, y_train, _ = noise
    X_res, y_res = sampler.fit_resample(X_train, y_train)
    naive = cross_val_score(
        RandomForestClassifier(n_estimators=60, random_state=0, n_jobs=1),
        X_res,
        y_res,
        scoring="roc_auc",
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    ).mean()
    assert naive > 0.8, f"the canary is dead: naive CV AUC {naive:.3f} on pure noise"


@pytest.mark.slow
def test_resampling_inside_folds_keeps_cv_honest(noise):
    X_train, X_test, y_train, y_test = noise
    # no portfolio: its entries, learned on the default graph, resample nothing and
    # would fill the few trials before the search proposes samplers
    graph = replace(PipelineGraph.from_preset("imbalanced"), portfolio=False)
    clf = AutoMLClassifier(
        pipeline=graph,
        models=["logreg", "random_forest"],
        max_trials=6,
        time_budget=None,
        cv=3,
        n_jobs=1,
        random_state=0,
    )
    clf.fit(X_train, y_train)
    ok = [r for r in clf.trials_ if r["status"] == "ok"]
    resampled = [r for r in ok if r["config"]["resample"] != "none"]
    assert resampled, "no successful trial searched a sampler; the canary tests nothing"
    for record in resampled:
        assert record["mean"]["roc_auc"] < 0.7, record["config"]
    best_cv = clf.leaderboard_.loc[0, "roc_auc_mean"]
    held_out = clf.evaluate(X_test, y_test)["roc_auc"]
    assert best_cv < 0.65 and clf.cv_score_ < 0.65
    assert abs(clf.cv_score_ - held_out) < 0.15
    assert abs(best_cv - held_out) < 0.15
    assert 0.35 < held_out < 0.65
