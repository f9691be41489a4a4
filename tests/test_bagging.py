"""The bagged final model: the fold models of a trial, averaged, instead of a refit.

Small generated data, a few deterministic trials (no time limit), 3 folds given as
a splitter so the test can rebuild them.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import SimpleNamespace

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.model_selection import KFold, StratifiedKFold

import automl
import automl.final_model as final_model_module
from automl import AutoMLClassifier, AutoMLRegressor
from automl.bagging import BaggedPipeline
from automl.ensemble import aligned_proba
from automl.exceptions import ConfigError
from automl.fold_models import KEEP_BEST, prune_fold_models
from automl.search.session import _reserve

SPLIT = StratifiedKFold(3, shuffle=True, random_state=0)
BASE = {"time_budget": None, "random_state": 0, "n_jobs": 1}


@pytest.fixture(scope="module")
def binary():
    X, y = make_classification(240, 6, n_informative=4, random_state=0)
    return pd.DataFrame(X, columns=[f"f{j}" for j in range(6)]), y


def _clf(**kw):
    settings = {**BASE, "max_trials": 2, "models": ["logreg"], "cv": SPLIT, **kw}
    return AutoMLClassifier(**settings)


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_bagged_classifier_predicts_the_mean_of_its_fold_models(binary, n_jobs):
    X, y = binary
    clf = _clf(final_model="bag", ensemble=False, n_jobs=n_jobs).fit(X, y)
    assert clf.final_model_kind_ == "bagged"
    assert "Final model: bagged fold models of 1 member." in clf.notes_
    assert clf.timings_["predicted_refit"] == 0.0
    ((bag, _),) = clf.final_model_.members
    assert isinstance(bag, BaggedPipeline) and len(bag.pipelines) == 3
    mean = np.mean([aligned_proba(p, X, 2) for p in bag.pipelines], axis=0)
    np.testing.assert_allclose(clf.predict_proba(X), mean, atol=1e-12)
    # the kept models are exactly those that made the out-of-fold predictions
    for pipe, (_, test) in zip(bag.pipelines, SPLIT.split(X, y), strict=True):
        np.testing.assert_allclose(
            pipe.predict_proba(X.iloc[test]), clf.oof_proba_[test], atol=1e-12
        )
    assert clf.best_pipeline_ is bag and clf.best_pipeline_steps_[-1][1] == "LogisticRegression"


def test_a_bagged_regressor_predicts_the_mean_of_its_fold_models():
    X, y = make_regression(200, 5, noise=5.0, random_state=0)
    X = pd.DataFrame(X, columns=[f"f{j}" for j in range(5)])
    split = KFold(3, shuffle=True, random_state=0)
    reg = AutoMLRegressor(
        **BASE, max_trials=2, models=["linear"], cv=split, ensemble=False, final_model="auto"
    )
    reg.fit(X, y)
    assert reg.final_model_kind_ == "bagged"  # "auto" bags with 3 k-fold folds
    ((bag, _),) = reg.final_model_.members
    np.testing.assert_allclose(reg.predict(X), np.mean([p.predict(X) for p in bag.pipelines], 0))
    for pipe, (_, test) in zip(bag.pipelines, split.split(X), strict=True):
        np.testing.assert_allclose(pipe.predict(X.iloc[test]), reg.oof_proba_[test, 0], rtol=1e-9)
    assert reg.score(X, y) > 0.9


def test_a_bag_averages_probabilities_over_every_class_even_one_a_fold_missed():
    X = np.arange(12, dtype=float).reshape(-1, 1)
    y = np.array([0] * 5 + [1] * 5 + [2] * 2)
    from sklearn.linear_model import LogisticRegression

    no_two = LogisticRegression().fit(X[:10], y[:10])
    every = LogisticRegression().fit(X, y)
    bag = BaggedPipeline([no_two, every], n_classes=3)
    expected = (np.c_[no_two.predict_proba(X), np.zeros(12)] + every.predict_proba(X)) / 2
    np.testing.assert_allclose(bag.predict_proba(X), expected)
    np.testing.assert_allclose(bag.predict_proba(X).sum(axis=1), 1.0)


def test_save_and_load_keep_a_bagged_model(binary, tmp_path):
    X, y = binary
    clf = _clf(final_model="bag").fit(X, y)
    loaded = automl.load(clf.save(str(tmp_path / "bag.joblib")))
    assert loaded.final_model_kind_ == "bagged"
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))


def test_refit_refits_on_all_rows_and_chooses_exactly_what_bagging_chooses(binary):
    X, y = binary
    refit = _clf(final_model="refit", max_trials=3).fit(X, y)
    bag = _clf(final_model="bag", max_trials=3).fit(X, y)
    assert refit.final_model_kind_ == "refit" and refit.timings_["predicted_refit"] > 0
    assert not any("bagged" in note for note in refit.notes_)
    for pipe, _ in refit.final_model_.members:  # one pipeline fitted on every row
        assert not isinstance(pipe, BaggedPipeline)
        again = clone(pipe).fit(X, y)
        np.testing.assert_allclose(pipe.predict_proba(X), again.predict_proba(X), atol=1e-10)
    # the out-of-fold decisions do not depend on how the members are made
    assert refit.ensemble_ == bag.ensemble_
    assert refit.cv_score_ == bag.cv_score_ and refit.threshold_ == bag.threshold_
    np.testing.assert_array_equal(refit.oof_proba_, bag.oof_proba_)


def test_auto_refits_with_two_folds_and_bags_with_three(binary):
    X, y = binary
    two = _clf(cv=2, max_trials=1, final_model="auto").fit(X, y)
    assert two.final_model_kind_ == "refit"
    assert any("at least 3 k-fold folds" in note for note in two.notes_)
    assert _clf(cv=3, max_trials=1, final_model="auto").fit(X, y).final_model_kind_ == "bagged"
    assert _clf(cv=3, max_trials=1).fit(X, y).final_model_kind_ == "refit"  # the default


def test_a_member_whose_fold_models_are_missing_is_refitted(binary, monkeypatch):
    X, y = binary
    real = final_model_module.load_bags

    def drop_the_best(records, trials, run, notes):
        Path(records[trials[0]]["fold_models"]).unlink()  # say, pruned or lost
        return real(records, trials, run, notes)

    monkeypatch.setattr(final_model_module, "load_bags", drop_the_best)
    clf = _clf(final_model="bag", ensemble=False).fit(X, y)
    assert clf.final_model_kind_ == "refit"
    assert any("kept no fold models; it is refitted" in n for n in clf.notes_)
    ((pipe, _),) = clf.final_model_.members
    assert not isinstance(pipe, BaggedPipeline)  # refitted on every row:
    np.testing.assert_allclose(
        pipe.predict_proba(X), clone(pipe).fit(X, y).predict_proba(X), atol=1e-10
    )


@pytest.mark.parametrize("with_log_dir", [False, True])
def test_the_fold_model_files_are_gone_after_fit(binary, tmp_path, monkeypatch, with_log_dir):
    X, y = binary
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the scratch folder goes
    log_dir = tmp_path / "log" if with_log_dir else None
    clf = _clf(final_model="bag", log_dir=None if log_dir is None else str(log_dir)).fit(X, y)
    kept = [r["fold_models"] for r in clf.trials_ if r.get("fold_models")]
    assert kept, "the trials kept their fold models while the fit ran"
    folder = Path(kept[0]).parent
    assert folder.parent == (log_dir if with_log_dir else tmp_path)
    assert not folder.exists()
    assert not list(tmp_path.glob("automl-folds-*"))


def test_only_the_best_trials_keep_their_fold_models(tmp_path):
    records = []
    for trial in range(KEEP_BEST + 5):
        path = tmp_path / f"trial_{trial}.joblib"
        joblib.dump([trial], path)
        score = 0.5 + 0.01 * ((trial * 7) % 25)  # shuffled scores
        records.append(
            {
                "trial": trial,
                "status": "ok",
                "config": {},
                "mean": {"roc_auc": score},
                "fold_models": str(path),
            }
        )
    prune_fold_models(records, "roc_auc")
    best = sorted(records, key=lambda r: -r["mean"]["roc_auc"])
    assert all(Path(r["fold_models"]).exists() for r in best[:KEEP_BEST])
    assert not any(Path(r["fold_models"]).exists() for r in best[KEEP_BEST:])
    assert len(list(tmp_path.iterdir())) == KEEP_BEST


def test_no_refit_time_is_reserved_for_members_that_will_be_bagged(tmp_path):
    path = tmp_path / "trial_0.joblib"
    joblib.dump([0], path)
    record = {
        "trial": 0,
        "status": "ok",
        "config": {},
        "mean": {"roc_auc": 0.9},
        "duration": 10.0,
        "fold_models": str(path),
    }
    log = SimpleNamespace(records=[record])
    run = SimpleNamespace(
        metric="roc_auc",
        ensemble=False,
        folds=[0] * 3,
        final_model="bag",
        parallelism=SimpleNamespace(refit_workers=1),
    )
    budget = SimpleNamespace(time_budget=100.0)
    assert _reserve(log, run, budget) == 0.0
    path.unlink()  # its file was dropped: it will be refitted, so its refit is kept back
    assert _reserve(log, run, budget) == pytest.approx(1.3 * 10.0 / 2)
    assert _reserve(log, SimpleNamespace(**{**vars(run), "final_model": "refit"}), budget) > 0


def test_a_bad_final_model_names_the_allowed_values(binary):
    X, y = binary
    with pytest.raises(ConfigError, match="'final_model'.*'auto', 'refit', 'bag'.*'bagging'"):
        _clf(final_model="bagging").fit(X, y)


def test_report_and_feature_importance_read_a_bagged_model(binary, tmp_path):
    X, y = binary
    clf = _clf(final_model="bag", models=["random_forest"], max_trials=1).fit(X, y)
    assert clf.refit_step_times_ == {}  # nothing was refitted
    text = Path(clf.report(str(tmp_path / "run.md"))).read_text()
    assert "single pipeline (best trial) (bagged fold models)" in text
    assert "RandomForestClassifier" in text  # the best pipeline's steps, from its first fold
    permutation = clf.feature_importance(X, y, n_repeats=2, random_state=0)
    assert list(permutation.index.sort_values()) == list(X.columns)
    assert permutation["importance"].max() > 0.05  # shuffling a real signal hurts the bag
    pytest.importorskip("shap")
    shap = clf.feature_importance(X, y, method="shap")  # the first fold model's trees
    assert list(shap.index.sort_values()) == list(X.columns)
    assert np.all(np.isfinite(shap["importance"])) and shap["importance"].sum() > 0
