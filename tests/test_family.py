"""A user's estimator as a model family: searched, ensembled, reported, saved, checked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from automl import AutoMLClassifier, AutoMLRegressor, Categorical, Family, Integer, Real
from automl.exceptions import ConfigError

ROOT = Path(__file__).resolve().parents[1]
#: No time limit (deterministic), few trials, one worker.
CHEAP = {"time_budget": None, "cv": 3, "random_state": 0, "n_jobs": 1}


def _knn() -> Family:
    return Family(
        "knn",
        make_pipeline(StandardScaler(), KNeighborsClassifier()),
        {
            "kneighborsclassifier__n_neighbors": Integer(1, 200, log=True),
            "kneighborsclassifier__weights": Categorical(["uniform", "distance"]),
        },
    )


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def test_knn_family_is_searched_beside_a_builtin_and_reaches_the_leaderboard(cancer, tmp_path):
    X_train, X_test, y_train, y_test = cancer
    clf = AutoMLClassifier(models=["logreg", _knn()], max_trials=4, **CHEAP).fit(X_train, y_train)
    board = clf.leaderboard_
    knn_rows = board[board["family"] == "knn"]
    assert len(knn_rows) >= 1 and (knn_rows["status"] == "ok").all()
    assert knn_rows["config"].iloc[0]["model.kneighborsclassifier__n_neighbors"] >= 1
    assert roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1]) >= 0.98
    text = Path(clf.report(str(tmp_path / "report.md"))).read_text()
    assert "knn" in text


class _Flaky(ClassifierMixin, BaseEstimator):
    """A logistic regression that raises in fit when ``mode="boom"``."""

    def __init__(self, mode: str = "ok", C: float = 1.0) -> None:
        self.mode = mode
        self.C = C

    def fit(self, X, y):
        if self.mode == "boom":
            raise ValueError("boom on purpose")
        self.model_ = LogisticRegression(C=self.C, max_iter=500).fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X):
        return self.model_.predict_proba(X)

    def predict(self, X):
        return self.model_.predict(X)


def test_a_family_whose_configurations_sometimes_raise_never_sinks_the_search(cancer):
    X_train, _, y_train, _ = cancer
    flaky = Family("flaky", _Flaky(), {"mode": ["ok", "boom"], "C": [0.1, 1.0]})
    clf = AutoMLClassifier(models=[flaky], search="grid", max_trials=4, **CHEAP).fit(
        X_train, y_train
    )
    status = clf.leaderboard_.set_index("trial")["status"]
    assert (status == "ok").any() and (status == "failed").any()
    errors = clf.leaderboard_["error"].dropna()
    assert errors.str.contains("boom on purpose").all()
    assert clf.best_config_["model.mode"] == "ok"


def test_a_raw_family_gets_the_input_as_given_and_a_regressor_family_works():
    X, y = load_diabetes(return_X_y=True)  # an array: the raw estimator gets an array back

    class ArrayOnly(KNeighborsRegressor):
        def fit(self, X, y):
            if not isinstance(X, np.ndarray):
                raise TypeError(f"wanted an array, got {type(X).__name__}")
            return super().fit(X, y)

    fam = Family("knn_reg", ArrayOnly(), {"n_neighbors": Integer(2, 50)}, raw=True)
    reg = AutoMLRegressor(models=["linear", fam], max_trials=3, **CHEAP).fit(X, y)
    rows = reg.leaderboard_[reg.leaderboard_["family"] == "knn_reg"]
    assert len(rows) >= 1 and rows["status"].isin(["ok", "pruned"]).all(), rows["error"].tolist()
    assert reg.predict(X[:5]).shape == (5,)


def test_a_second_family_of_the_same_name_replaces_the_first_in_the_workers(cancer):
    X_train, _, y_train, _ = cancer
    good = Family("same_name", _Flaky(), {"C": [0.5, 1.0]})
    AutoMLClassifier(models=[good], max_trials=1, **CHEAP).fit(X_train, y_train)
    bad = Family("same_name", _Flaky(mode="boom"), {"C": [0.5, 1.0]})
    with pytest.raises(Exception, match="boom on purpose"):
        AutoMLClassifier(models=[bad], max_trials=1, **CHEAP).fit(X_train, y_train)


@pytest.mark.parametrize(
    ("models", "message"),
    [
        ([Family("logreg", KNeighborsClassifier(), {"n_neighbors": Integer(1, 9)})], "built-in"),
        ([Family("k", KNeighborsClassifier(), {"k": Integer(1, 9)})], "not a parameter of"),
        ([Family("k", KNeighborsClassifier(), {"n_neighbors": 5})], "not a search dimension"),
        ([Family("k", KNeighborsClassifier(), {})], "non-empty dict"),
        ([Family("k", object(), {"a": [1, 2]})], "with fit, get_params and set_params"),
        (
            [Family("k", KNeighborsClassifier, {"n_neighbors": [1, 2]})],
            "pass KNeighborsClassifier()",
        ),
        ([Family("k", KNeighborsRegressor(), {"n_neighbors": [1, 2]})], "cannot do classification"),
        (
            [Family("k", KNeighborsClassifier(), {"n_neighbors": [1, 2]}, {"n_neighbors": 3})],
            "outside its dimension",
        ),
        (
            [Family("k", KNeighborsClassifier(), {"n_neighbors": [1, 2]}, cost=-1)],
            "positive number",
        ),
        (
            ["logreg", Family("logreg2", LogisticRegression(), {"C": Real(0.1, 1)}), "logreg"],
            "twice",
        ),
    ],
)
def test_bad_families_are_clear_errors_before_any_trial(models, message, tmp_path):
    X, y = load_breast_cancer(return_X_y=True)
    clf = AutoMLClassifier(models=models, max_trials=1, log_dir=str(tmp_path), **CHEAP)
    with pytest.raises(ConfigError, match=message):
        clf.fit(X[:60], y[:60])
    assert not (tmp_path / "trials.jsonl").exists()  # raised before the search started


def test_a_classifier_family_given_to_the_regressor_is_a_clear_error():
    X, y = load_diabetes(return_X_y=True)
    with pytest.raises(ConfigError, match="wraps a classifier.*cannot do regression"):
        AutoMLRegressor(models=[_knn()], max_trials=1, **CHEAP).fit(X[:60], y[:60])


_USER_MODULE = '''
from sklearn.neighbors import KNeighborsClassifier


class ModuleKNN(KNeighborsClassifier):
    """A user's class that lives in an importable module."""
'''

_FIT_SCRIPT = '''
import sys
from sklearn.datasets import load_breast_cancer
from sklearn.neighbors import KNeighborsClassifier

from automl import AutoMLClassifier, Family, Integer
from userest import ModuleKNN


class MainKNN(KNeighborsClassifier):
    """Defined in __main__: the workers receive it pickled by value."""


if __name__ == "__main__":
    X, y = load_breast_cancer(return_X_y=True)
    settings = dict(time_budget=None, cv=3, random_state=0)
    fam = Family("main_knn", MainKNN(), {"n_neighbors": Integer(3, 30)})
    clf = AutoMLClassifier(models=[fam], max_trials=3, n_jobs=2, **settings).fit(X, y)
    print("MAIN", ",".join(clf.leaderboard_["status"]), flush=True)
    mod = Family("module_knn", ModuleKNN(), {"n_neighbors": Integer(3, 30)})
    clf = AutoMLClassifier(models=[mod], max_trials=2, n_jobs=1, **settings).fit(X, y)
    clf.save(sys.argv[1])
'''

_LOAD_SCRIPT = """
import sys
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
import automl

X, y = load_breast_cancer(return_X_y=True)
clf = automl.load(sys.argv[1])
print("AUC", roc_auc_score(y, clf.predict_proba(X)[:, 1]), flush=True)
"""


def test_a_family_from_main_runs_in_two_workers_and_a_saved_one_loads_elsewhere(tmp_path):
    (tmp_path / "userest.py").write_text(_USER_MODULE)
    (tmp_path / "fit_it.py").write_text(textwrap.dedent(_FIT_SCRIPT))
    (tmp_path / "load_it.py").write_text(textwrap.dedent(_LOAD_SCRIPT))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    model = str(tmp_path / "model.joblib")
    fit = subprocess.run(
        [sys.executable, "fit_it.py", model],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert fit.returncode == 0, fit.stderr[-3000:]
    statuses = next(line for line in fit.stdout.splitlines() if line.startswith("MAIN"))
    assert statuses.split()[1].split(",") == ["ok", "ok", "ok"]
    loaded = subprocess.run(
        [sys.executable, "load_it.py", model],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    auc = float(next(x for x in loaded.stdout.splitlines() if x.startswith("AUC")).split()[1])
    assert auc >= 0.95
