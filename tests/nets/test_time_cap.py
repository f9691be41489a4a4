"""A search caps the training time of the project's nets instead of killing their trials."""

from __future__ import annotations

import time

import numpy as np
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from automl import Real, SearchCV
from automl.nets import TabularNetClassifier, TorchClassifier
from automl.nets.time_cap import cap_training_time
from tests.nets.test_torch_estimator import MLP


def test_a_net_left_uncapped_gets_the_cap_and_a_users_own_is_kept():
    assert cap_training_time(TorchClassifier(MLP), 3.0).max_time == 3.0
    assert cap_training_time(TabularNetClassifier(), 3.0).max_time == 3.0
    assert cap_training_time(TorchClassifier(MLP, max_time=9.0), 3.0).max_time == 9.0
    assert cap_training_time(TorchClassifier(MLP), None).max_time is None


def test_a_net_inside_a_pipeline_is_capped_and_other_estimators_are_untouched():
    pipe = cap_training_time(make_pipeline(StandardScaler(), TorchClassifier(MLP)), 2.5)
    assert pipe.get_params()["torchclassifier__max_time"] == 2.5
    logreg = LogisticRegression(max_iter=7)
    assert cap_training_time(logreg, 2.5) is logreg
    assert logreg.get_params() == LogisticRegression(max_iter=7).get_params()


def test_a_net_too_slow_for_its_trial_limit_still_yields_scored_trials_and_a_model():
    # 100,000 epochs without early stopping never finish within a trial's limit: without
    # the cap every trial would be killed and the search would have no best configuration
    X, y = make_classification(n_samples=300, n_features=8, random_state=0)
    net = TorchClassifier(
        MLP, max_epochs=100_000, early_stopping=False, batch_size=32, n_threads=1, random_state=0
    )
    search = SearchCV(
        net,
        {"lr": Real(1e-3, 1e-2, log=True)},
        search="random",
        time_budget=12,
        max_trials=2,
        cv=2,
        n_jobs=1,
        random_state=0,
    )
    start = time.monotonic()
    search.fit(X, y)
    assert time.monotonic() - start < 2 * 12
    assert "ok" in set(search.cv_results_["status"])
    assert search.best_estimator_.stop_reason_ == "max_time"
    assert search.best_estimator_.max_time is not None
    assert np.mean(search.predict(X) == y) > 0.7
    assert search.estimator.max_time is None  # the user's estimator is left as given
