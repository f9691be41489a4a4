"""search="hyperband" and search="bohb" end to end: quality, fidelities in the log, resume."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier, AutoMLRegressor
from automl.exceptions import ConfigError
from automl.fidelity import fidelity_of, without_fidelity


@pytest.mark.slow
def test_hyperband_classifier_reaches_the_level_of_a_working_model():
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    clf = AutoMLClassifier(search="hyperband", time_budget=10, random_state=0).fit(X_tr, y_tr)
    assert roc_auc_score(y_te, clf.predict_proba(X_te)[:, 1]) >= 0.98
    assert "fidelity" in clf.leaderboard_.columns


@pytest.mark.slow
def test_bohb_regressor_reaches_the_level_of_a_working_model():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0)
    reg = AutoMLRegressor(search="bohb", time_budget=10, random_state=0).fit(X_tr, y_tr)
    # a linear model reaches about 0.45 on these rows; the mean predictor 0
    assert reg.score(X_te, y_te) >= 0.35


SETTINGS = dict(
    search="hyperband", time_budget=None, cv=3, models=["logreg"], n_jobs=1, random_state=0
)


def test_mixed_fidelity_log_resumes_and_the_final_model_is_full_fidelity(tmp_path):
    # 3,000 rows, 3 folds: 2,000 training rows per fold, so the rungs are 1/3 and 1
    X, y = make_classification(n_samples=3000, n_features=8, random_state=0)
    first = AutoMLClassifier(log_dir=str(tmp_path), max_trials=5, **SETTINGS).fit(X, y)
    fids = [r["fidelity"] for r in first.trials_]
    assert fids == pytest.approx([1 / 3] * 3 + [1.0] * 2)  # bracket s=1: 3 at 1/3, best at 1
    assert sorted(first.leaderboard_["fidelity"].unique()) == pytest.approx([1 / 3, 1.0])
    members = {m["trial"] for m in first.ensemble_}
    assert all(fidelity_of(first.trials_[t]) == 1.0 for t in members)
    assert fidelity_of(first.best_config_) == 1.0

    resumed = AutoMLClassifier(log_dir=str(tmp_path), resume=True, max_trials=11, **SETTINGS)
    resumed.fit(X, y)
    assert len(resumed.trials_) == 11 and resumed.trials_[:5] == first.trials_
    runs = [
        (repr(sorted(without_fidelity(r["config"]).items())), r["fidelity"])
        for r in resumed.trials_
    ]
    assert len(set(runs)) == len(runs)  # nothing re-run at the same fidelity
    assert all(fidelity_of(resumed.trials_[m["trial"]]) == 1.0 for m in resumed.ensemble_)
    assert np.isfinite(resumed.cv_score_)


@pytest.mark.parametrize("cls", [AutoMLClassifier, AutoMLRegressor])
def test_an_unknown_search_lists_the_multi_fidelity_strategies(cls):
    X, y = make_classification(n_samples=60, n_features=4, random_state=0)
    with pytest.raises(ConfigError) as info:
        cls(search="hyperbnd", max_trials=1, time_budget=None).fit(X, y)
    assert "hyperband" in str(info.value) and "bohb" in str(info.value)
