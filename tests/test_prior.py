"""Data whose columns carry no information: a prior-only model with a note."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import load


@pytest.fixture(scope="module")
def constant_frame():
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b", "c"], size=90, p=[0.5, 0.3, 0.2])
    X = pd.DataFrame({"k": 1.0, "name": "same", "gone": np.nan}, index=range(90))
    return X, y


def test_all_constant_or_missing_columns_give_the_class_prior(constant_frame, tiny_clf):
    X, y = constant_frame
    clf = tiny_clf().fit(X, y)
    assert any("no feature carries information" in n for n in clf.notes_)
    expected = pd.Series(y).value_counts(normalize=True).reindex(clf.classes_).to_numpy()
    proba = clf.predict_proba(X.head(4))
    np.testing.assert_allclose(proba, np.tile(expected, (4, 1)))
    assert (clf.predict(X.head(4)) == "a").all()  # the most frequent class
    assert clf.leaderboard_.empty and clf.trials_ == []


def test_prior_model_saves_loads_and_reports(constant_frame, tiny_clf, tmp_path):
    X, y = constant_frame
    clf = tiny_clf().fit(X, y)
    loaded = load(clf.save(str(tmp_path / "prior.joblib")))
    np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))
    html = (tmp_path / "r.html").read_text() if clf.report(str(tmp_path / "r.html")) else ""
    assert "no feature carries information" in html
