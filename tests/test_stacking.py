"""Stacking is kept only when nested cross-validation says it beats the blend."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier
from automl.stacking import StackedModel, decide_stack, stack_features


def _folds(y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))


def _proba(p: np.ndarray) -> np.ndarray:
    return np.c_[1 - p, p]


def test_members_on_different_scales_are_stacked():
    """Two members see independent noise around the same signal, but one is wildly
    over-confident: its probabilities sit near 0 and 1, so any average of
    probabilities is ruled by it. A level-2 model on their logits rescales it and
    averages the noise away, which nested CV must see."""
    rng = np.random.default_rng(0)
    n = 3000
    y = rng.integers(0, 2, n)
    z = 2.0 * y - 1.0
    a = 1 / (1 + np.exp(-(z + rng.normal(0, 1.5, n))))
    b = 1 / (1 + np.exp(-20 * (z + rng.normal(0, 1.5, n))))
    oof = {0: _proba(a), 1: _proba(b)}
    decision = decide_stack(oof, [0, 1], y, _folds(y), "roc_auc", 1, regression=False, seed=0)
    assert decision.level2 is not None, decision.note
    assert decision.stack_loss < decision.blend_loss
    assert decision.oof is not None and not np.isnan(decision.oof).any()


def test_copies_of_one_member_keep_the_blend():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 1000)
    p = np.clip(0.3 * y + 0.35 + rng.normal(0, 0.2, 1000), 0.01, 0.99)
    oof = {0: _proba(p), 1: _proba(p.copy())}
    decision = decide_stack(oof, [0, 1], y, _folds(y), "roc_auc", 1, regression=False, seed=0)
    assert decision.level2 is None and decision.oof is None
    assert "blend is kept" in decision.note


def test_stack_features_per_task():
    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    assert np.allclose(stack_features([p], regression=False)[:, 0], [np.log(4), 0.0])
    three = np.array([[0.2, 0.3, 0.5]])
    assert stack_features([three, three], regression=False).shape == (1, 6)
    values = np.array([[1.5], [2.5]])
    assert np.array_equal(stack_features([values], regression=True), values)


def test_regression_members_with_different_skills_are_stacked():
    rng = np.random.default_rng(2)
    n = 2000
    y = rng.normal(size=n)
    a = y * 2.0 + rng.normal(0, 0.3, n)  # informative but on the wrong scale
    b = rng.normal(size=n)  # noise
    oof = {0: a.reshape(-1, 1), 1: b.reshape(-1, 1)}
    folds = [(tr, te) for tr, te in _folds(rng.integers(0, 2, n))]
    decision = decide_stack(oof, [0, 1], y, folds, "rmse", 0, regression=True, seed=0)
    assert decision.level2 is not None, decision.note  # the linear stack rescales a


def test_a_fit_with_an_ensemble_predicts_through_whatever_final_model_it_kept():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    clf = AutoMLClassifier(
        models=["logreg", "hist_gb"], time_budget=15, n_jobs=1, random_state=0
    ).fit(X_tr, y_tr)
    stacked = isinstance(clf.final_model_, StackedModel)
    assert any(("Stack" in n) for n in clf.notes_) or len(clf.ensemble_) < 2
    assert clf.score(X_te, y_te) > 0.93
    proba = clf.predict_proba(X_te)
    assert proba.shape == (len(X_te), 2) and np.allclose(proba.sum(axis=1), 1)
    if stacked:
        assert len(clf.final_model_.members) == len(clf.ensemble_)


def test_uncovered_rows_are_left_out_of_the_judgement():
    """Rows in no test fold (the first block of a time-series split) have no
    out-of-fold prediction: they must neither train nor score the level-2 model."""
    rng = np.random.default_rng(3)
    n = 600
    y = rng.integers(0, 2, n)
    p = np.clip(0.4 * y + 0.3 + rng.normal(0, 0.15, n), 0.01, 0.99)
    q = np.clip(0.2 * y + 0.4 + rng.normal(0, 0.15, n), 0.01, 0.99)
    p[:100] = np.nan  # never predicted
    q[:100] = np.nan
    folds = [(np.arange(0, 100 * k), np.arange(100 * k, 100 * (k + 1))) for k in range(1, 6)]
    decision = decide_stack(
        {0: _proba(p), 1: _proba(q)}, [0, 1], y, folds, "roc_auc", 1, regression=False
    )
    assert np.isfinite(decision.blend_loss)
    if decision.oof is not None:
        assert np.isnan(decision.oof[:100]).all() and not np.isnan(decision.oof[100:]).any()
