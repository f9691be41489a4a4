"""Degenerate data that must still fit: tiny classes and contradictory rows.

Each case fits the whole estimator on small data with a small budget; the
cross-validation adapts (single-sample classes train in every fold, tiny classes
are validated in only some folds) and ``notes_`` say what was done.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier

SETTINGS = {"models": ["logreg"], "max_trials": 4, "time_budget": None, "n_jobs": 1}


def _blobs(sizes: dict[str, int], seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Two numeric columns and a categorical one; class k centred at (k, -k)."""
    rng = np.random.default_rng(seed)
    labels = np.concatenate([[name] * n for name, n in sizes.items()])
    codes = pd.factorize(labels)[0].astype(float)
    X = pd.DataFrame(
        {
            "a": codes + rng.normal(0, 0.5, len(labels)),
            "b": -codes + rng.normal(0, 0.5, len(labels)),
            "c": rng.choice(["x", "y", "z"], len(labels)),
        }
    )
    order = rng.permutation(len(labels))
    return X.iloc[order].reset_index(drop=True), labels[order]


def _check_fitted(clf: AutoMLClassifier, X: pd.DataFrame, classes: list[str]) -> None:
    assert list(clf.classes_) == sorted(classes)
    assert (clf.leaderboard_["status"] == "ok").any(), clf.leaderboard_["error"].tolist()
    proba = clf.predict_proba(X)
    assert proba.shape == (len(X), len(classes))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(clf.predict(X)) <= set(classes)


def test_a_single_row_in_each_of_two_classes_beside_bigger_ones():
    X, y = _blobs({"big": 60, "mid": 40, "one": 1, "lone": 1})
    clf = AutoMLClassifier(**SETTINGS, random_state=0).fit(X, y)
    _check_fitted(clf, X, ["big", "mid", "one", "lone"])
    note = next(n for n in clf.notes_ if "single sample" in n)
    assert "'lone'" in note and "'one'" in note and "never validated" in note


@pytest.mark.parametrize("cv", ["auto", 3])
def test_three_rows_in_the_rarest_of_several_classes(cv):
    X, y = _blobs({"a": 50, "b": 40, "c": 30, "rare": 3}, seed=1)
    clf = AutoMLClassifier(**SETTINGS, cv=cv, random_state=0).fit(X, y)
    _check_fitted(clf, X, ["a", "b", "c", "rare"])
    if cv == "auto":  # 5 folds for 3 rows: the rare class is validated in 3 of them
        assert any("rarest class has 3 samples" in n and "5 folds" in n for n in clf.notes_)
    else:
        assert not any("rarest class" in n for n in clf.notes_)


def test_duplicated_rows_with_conflicting_labels():
    X, y = _blobs({"no": 70, "yes": 50}, seed=2)
    copies = X.iloc[:30]
    flipped = np.where(y[:30] == "yes", "no", "yes")
    X = pd.concat([X, copies, copies], ignore_index=True)
    y = np.concatenate([y, y[:30], flipped])
    clf = AutoMLClassifier(**SETTINGS, random_state=0).fit(X, y)
    _check_fitted(clf, X, ["no", "yes"])
    note = next(n for n in clf.notes_ if "conflicting labels" in n)
    assert "30 groups of identical rows" in note
    # identical rows get identical predictions, whatever their labels
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[120:150], proba[150:180])


def test_every_row_duplicated_with_both_labels_still_fits():
    X, y = _blobs({"no": 30, "yes": 30}, seed=3)
    X = pd.concat([X, X], ignore_index=True)
    y = np.concatenate([y, np.where(y == "yes", "no", "yes")])
    clf = AutoMLClassifier(**SETTINGS, random_state=0).fit(X, y)
    _check_fitted(clf, X, ["no", "yes"])
    assert any("conflicting labels" in n for n in clf.notes_)
