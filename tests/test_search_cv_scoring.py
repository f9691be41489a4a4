"""SearchCV with several metrics, as scikit-learn's multi-metric search takes them."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import brier_score_loss, make_scorer
from sklearn.model_selection import cross_validate

from automl import Real, SearchCV
from automl.exceptions import ConfigError, NotFittedError

#: No time limit (deterministic): the trial count ends the search.
CHEAP = {"time_budget": None, "cv": 3, "random_state": 0, "n_jobs": 1, "search": "random"}
SPACE = {"C": Real(0.001, 10.0, log=True)}


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer(return_X_y=True)


@pytest.fixture(scope="module")
def several(cancer):
    X, y = cancer
    search = SearchCV(
        LogisticRegression(max_iter=5000),
        SPACE,
        scoring=["roc_auc", "f1", "log_loss"],
        refit="log_loss",
        max_trials=5,
        **CHEAP,
    )
    return search.fit(X, y)


def test_every_metric_gets_scikit_learns_columns(several):
    results = several.cv_results_
    for name in ("roc_auc", "f1", "log_loss"):
        for key in ("mean_test", "std_test", "rank_test", "split0_test", "split2_test"):
            assert len(results[f"{key}_{name}"]) == 5
    assert "mean_test_score" not in results
    assert several.multimetric_ is True
    assert several.scorer_ == {"roc_auc": "roc_auc", "f1": "f1", "log_loss": "log_loss"}
    # a loss ranks lowest first, a score highest first
    assert results["rank_test_log_loss"][np.argmin(results["mean_test_log_loss"])] == 1
    assert results["rank_test_roc_auc"][np.argmax(results["mean_test_roc_auc"])] == 1


def test_the_scores_are_scikit_learns(several, cancer):
    # each metric of each configuration, on the same (unshuffled stratified) folds
    X, y = cancer
    for i, params in enumerate(several.cv_results_["params"]):
        sk = cross_validate(
            LogisticRegression(max_iter=5000, **params),
            X,
            y,
            cv=3,
            scoring=["roc_auc", "f1", "neg_log_loss"],
        )
        results = several.cv_results_
        assert results["mean_test_roc_auc"][i] == pytest.approx(sk["test_roc_auc"].mean(), abs=1e-9)
        assert results["mean_test_f1"][i] == pytest.approx(sk["test_f1"].mean(), abs=1e-9)
        assert results["mean_test_log_loss"][i] == pytest.approx(
            -sk["test_neg_log_loss"].mean(), rel=1e-6
        )


def test_refit_names_the_metric_optimised_and_refitted(several, cancer):
    X, y = cancer
    losses = several.cv_results_["mean_test_log_loss"]
    assert several.best_index_ == int(np.nanargmin(losses))
    assert several.best_score_ == losses[several.best_index_]
    assert several.best_params_ == several.cv_results_["params"][several.best_index_]
    assert several.best_estimator_.C == pytest.approx(several.best_params_["C"])
    assert several.score(X, y) > 0  # the optimised metric, log loss, keeps its sign
    assert list(several.trials_.columns[3:9]) == [
        "log_loss_mean",
        "log_loss_std",
        "roc_auc_mean",
        "roc_auc_std",
        "f1_mean",
        "f1_std",
    ]


def test_a_dict_may_optimise_a_scorer_beside_built_in_metrics(cancer):
    X, y = cancer
    brier = make_scorer(brier_score_loss, greater_is_better=False, response_method="predict_proba")
    search = SearchCV(
        LogisticRegression(max_iter=5000),
        SPACE,
        scoring={"brier": brier, "auc": "roc_auc"},
        refit="brier",
        max_trials=3,
        **CHEAP,
    ).fit(X, y)
    results = search.cv_results_
    assert set(search.scorer_) == {"brier", "auc"} and search.scorer_["auc"] == "roc_auc"
    assert np.isfinite(results["mean_test_auc"]).all()
    assert search.best_index_ == int(np.nanargmax(results["mean_test_brier"]))  # neg Brier
    assert search.best_score_ == results["mean_test_brier"][search.best_index_]


def test_two_names_of_one_metric_fill_both_keys_and_one_trials_column(cancer):
    X, y = cancer
    search = SearchCV(
        LogisticRegression(max_iter=5000),
        SPACE,
        scoring={"auc": "roc_auc", "roc": "auc", "f1": "f1"},
        refit="f1",
        max_trials=2,
        **CHEAP,
    ).fit(X, y)
    results = search.cv_results_
    np.testing.assert_array_equal(results["mean_test_auc"], results["mean_test_roc"])
    assert list(search.trials_.columns[3:7]) == ["f1_mean", "f1_std", "roc_auc_mean", "roc_auc_std"]
    assert search.trials_.columns.is_unique


def test_without_refit_the_first_metric_is_optimised_and_nothing_refitted(cancer):
    X, y = cancer
    search = SearchCV(
        LogisticRegression(max_iter=5000),
        SPACE,
        scoring=["f1", "roc_auc"],
        refit=False,
        max_trials=3,
        **CHEAP,
    ).fit(X, y)
    assert search.best_index_ == int(np.nanargmax(search.cv_results_["mean_test_f1"]))
    with pytest.raises(NotFittedError, match="refit=False"):
        search.predict(X)


def test_a_regressor_scores_several_losses():
    X, y = load_diabetes(return_X_y=True)
    search = SearchCV(
        Ridge(),
        {"alpha": Real(1e-3, 100.0, log=True)},
        scoring=["rmse", "mae", "r2"],
        refit="mae",
        max_trials=4,
        **CHEAP,
    ).fit(X, y)
    results = search.cv_results_
    assert search.best_index_ == int(np.nanargmin(results["mean_test_mae"]))
    sk = cross_validate(
        Ridge(**search.best_params_), X, y, cv=3, scoring=["neg_mean_absolute_error", "r2"]
    )
    assert search.best_score_ == pytest.approx(-sk["test_neg_mean_absolute_error"].mean())
    assert results["mean_test_r2"][search.best_index_] == pytest.approx(sk["test_r2"].mean())


def test_a_resumed_search_keeps_its_metrics_and_the_one_it_optimised(cancer, tmp_path):
    X, y = cancer
    settings = {**CHEAP, "log_dir": str(tmp_path), "scoring": ["roc_auc", "f1"]}
    first = SearchCV(LogisticRegression(max_iter=5000), SPACE, refit="f1", max_trials=2, **settings)
    first.fit(X, y)
    again = SearchCV(
        LogisticRegression(max_iter=5000), SPACE, refit="f1", max_trials=3, resume=True, **settings
    ).fit(X, y)
    assert again.n_trials_ == 3
    np.testing.assert_array_equal(
        again.cv_results_["mean_test_f1"][:2], first.cv_results_["mean_test_f1"]
    )
    # optimising another metric is another search: its log is not continued
    other = SearchCV(
        LogisticRegression(max_iter=5000),
        SPACE,
        refit="roc_auc",
        max_trials=3,
        resume=True,
        **settings,
    )
    with pytest.raises(ConfigError, match="settings"):
        other.fit(X, y)


@pytest.mark.parametrize(
    "scoring, refit, message",
    [
        (["roc_auc", "f1"], True, "ambiguous"),
        (["roc_auc", "f1"], "accuracy", "none of the metrics"),
        (["roc_auc", "neg_brier_score"], "roc_auc", "only the optimised one"),
        (["roc_auc", "rmse"], "roc_auc", "not one of automl's classification metrics"),
        (["roc_auc", "precision"], "precision", "cannot be optimised"),
        ([], False, "names no metric"),
        (["f1", "f1"], "f1", "twice"),
        ("roc_auc", "roc_auc", "needs several"),
        ({1: "roc_auc"}, False, "map names"),
        (["roc_auc", 3], "roc_auc", "metric names"),
        (["roc_auc", "f1"], 1.5, "'refit' parameter"),
    ],
)
def test_bad_scoring_and_refit_are_clear_errors(cancer, scoring, refit, message):
    X, y = cancer
    search = SearchCV(
        LogisticRegression(), SPACE, scoring=scoring, refit=refit, max_trials=1, **CHEAP
    )
    with pytest.raises(ConfigError, match=message):
        search.fit(X, y)
