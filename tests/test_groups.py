"""Folds that keep groups together: honest CV scores on grouped rows (issue 17)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupKFold, TimeSeriesSplit

from automl import AutoMLClassifier, AutoMLRegressor
from automl.exceptions import DataError
from automl.group_folds import group_folds, validate_groups


def _grouped(n_groups: int = 60, per_group: int = 5, seed: int = 0):
    """Rows duplicated per group with small noise; labels random per group (no signal)."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_groups, 4))
    labels = rng.integers(0, 2, n_groups)
    groups = np.repeat(np.arange(n_groups), per_group)
    X = pd.DataFrame(centres[groups] + rng.normal(scale=0.01, size=(len(groups), 4)))
    X.columns = [f"f{i}" for i in range(4)]
    return X, labels[groups], groups


def _clf(**kw):
    settings = dict(
        time_budget=None, max_trials=2, models=["extra_trees"], cv=5, n_jobs=1, random_state=0
    )
    return AutoMLClassifier(**{**settings, **kw})


def test_groups_make_the_cv_score_honest():
    X, y, groups = _grouped()
    # no signal across groups: an honest estimate is near 0.5, memorising neighbours gives ~1
    honest = _clf(metric="roc_auc").fit(X, y, groups=groups)
    leaky = _clf(metric="roc_auc").fit(X, y)
    assert leaky.cv_score_ > 0.9
    assert abs(honest.cv_score_ - 0.5) < 0.15
    assert any("groups together" in n for n in honest.notes_)


def test_folds_never_split_a_group():
    X, y, groups = _grouped(n_groups=23)
    for stratify in (True, False):
        folds, _ = group_folds("auto", X, y, groups, random_state=0, stratify=stratify)
        assert len(folds) == 5
        for train, test in folds:
            assert not set(groups[train]) & set(groups[test])
        assert sorted(np.concatenate([te for _, te in folds])) == list(range(len(y)))


def test_fewer_groups_than_folds_uses_one_fold_per_group():
    X, y, groups = _grouped(n_groups=3)
    folds, notes = group_folds(5, X, y, groups, random_state=0, stratify=False)
    assert len(folds) == 3 and any("Only 3 groups" in n for n in notes)


def test_a_splitter_given_as_cv_receives_the_groups():
    X, y, groups = _grouped(n_groups=20)
    clf = _clf(cv=GroupKFold(n_splits=4)).fit(X, y, groups=groups)
    assert np.isfinite(clf.cv_score_)
    folds, notes = group_folds(TimeSeriesSplit(3), X, y, groups, random_state=0, stratify=False)
    assert len(folds) == 3 and any("in no validation fold" in n for n in notes)


def test_the_regressor_takes_groups_too():
    X, _, groups = _grouped(n_groups=30)
    y = X["f0"].to_numpy() * 3 + np.random.default_rng(1).normal(scale=0.1, size=len(X))
    reg = AutoMLRegressor(
        time_budget=None, max_trials=2, models=["linear"], n_jobs=1, random_state=0
    ).fit(X, y, groups=groups)
    assert reg.cv_score_ < 0.5 and any("groups together" in n for n in reg.notes_)


@pytest.mark.parametrize(
    "groups, match",
    [
        (np.r_[np.nan, np.arange(9.0)], "missing"),
        (np.arange(9), "groups has 9"),
        (np.zeros(10), "single group"),
        (np.zeros((10, 2)), "1-D"),
    ],
)
def test_bad_groups_are_named(groups, match):
    with pytest.raises(DataError, match=match):
        validate_groups(groups, 10)
