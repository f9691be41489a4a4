"""LightGBM and CatBoost in the converter table, as members behind the library's preprocessing.

The families themselves come from another branch; here the libraries' own
estimators (and an adapter holding one in ``booster_``) replace a fitted member's
model, which is what an export of such a member meets.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

from automl import AutoMLClassifier, AutoMLRegressor
from automl.export import converters, via_attribute

from ._onnx_checks import assert_classifier_parity, assert_regressor_parity, categorical_frame

pytest.importorskip("onnxruntime")
lightgbm = pytest.importorskip("lightgbm")
catboost = pytest.importorskip("catboost")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0, "max_trials": 1}


def _booster(kind: str, task: str):
    if kind == "lightgbm":
        cls = lightgbm.LGBMClassifier if task == "classifier" else lightgbm.LGBMRegressor
        return cls(n_estimators=30, num_leaves=8, verbose=-1, random_state=0)
    cls = catboost.CatBoostClassifier if task == "classifier" else catboost.CatBoostRegressor
    return cls(iterations=30, depth=4, verbose=0, allow_writing_files=False, random_seed=0)


@pytest.fixture(scope="module")
def frame():
    X, y = categorical_frame(360)
    return X, np.where(X["size"].eq("L") & (y == "no"), "maybe", y)  # three classes


@pytest.mark.parametrize("kind", ["lightgbm", "catboost"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_booster_member(kind, n_classes, frame, tmp_path):
    X, y = frame
    if n_classes == 2:
        y = np.where(y == "maybe", "no", y)
    clf = AutoMLClassifier(models=["hist_gb"], ensemble=False, **FAST).fit(X[:260], y[:260])
    pipe = clf.final_model_.members[0][0]
    model = _booster(kind, "classifier")
    model.fit(pipe[:-1].transform(X[:260]), np.searchsorted(clf.classes_, y[:260]))
    pipe.steps[-1] = ("model", model)
    assert_classifier_parity(clf, X[260:], tmp_path)


class BoosterAdapter(ClassifierMixin, BaseEstimator):
    """Holds a fitted LightGBM model in ``booster_``, as the library's adapters do."""

    def fit(self, X, y):
        self.booster_ = _booster("lightgbm", "classifier").fit(X, y)
        self.classes_ = self.booster_.classes_
        return self

    def predict_proba(self, X):
        return self.booster_.predict_proba(X)


def test_adapter_plugs_in_with_one_entry(frame, tmp_path, monkeypatch):
    X, y = frame
    clf = AutoMLClassifier(models=["xgboost"], ensemble=False, **FAST).fit(X[:260], y[:260])
    pipe = clf.final_model_.members[0][0]
    rows = pipe[:-1].transform(X[:260])
    pipe.steps[-1] = ("model", BoosterAdapter().fit(rows, np.searchsorted(clf.classes_, y[:260])))
    monkeypatch.setattr(converters, "_CONVERTERS", dict(converters._CONVERTERS))
    converters.register_converter(BoosterAdapter, via_attribute("booster_"))
    assert_classifier_parity(clf, X[260:], tmp_path)


@pytest.mark.parametrize("kind", ["lightgbm", "catboost"])
def test_booster_regression_member(kind, frame, tmp_path):
    X, _ = frame
    y = 3.0 * X["z"].to_numpy() + np.where(X["colour"].eq("red"), 5.0, 0.0) + 100.0
    reg = AutoMLRegressor(models=["hist_gb"], ensemble=False, **FAST).fit(X[:260], y[:260])
    target = reg.final_model_.members[0][0].steps[-1][1]  # TransformedTargetRegressor
    rows = reg.final_model_.members[0][0][:-1].transform(X[:260])
    model = _booster(kind, "regressor")
    target.regressor_ = model.fit(
        rows, target.transformer_.transform(y[:260].reshape(-1, 1)).ravel()
    )
    assert_regressor_parity(reg, X[260:], tmp_path)


@pytest.mark.parametrize("family", ["lightgbm", "catboost", "xgboost"])
def test_the_library_booster_families_export_as_fitted(family, tmp_path):
    """The families as the search fits them (the library's adapters, early-stopped),
    binary on numeric data and as a regressor."""
    from sklearn.datasets import load_breast_cancer, load_diabetes
    from sklearn.model_selection import train_test_split

    from automl import AutoMLClassifier, AutoMLRegressor

    from ._onnx_checks import assert_classifier_parity, assert_regressor_parity

    # the default final model (3 bagged fold models), in the default double precision:
    # with float32 inputs a diabetes row (standardised, many digits) can land on the
    # other side of a LightGBM split, the caveat test_onnx_precision.py pins down
    fast = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0, "ensemble": False}
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_tr, X_te, y_tr, _ = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    clf = AutoMLClassifier(models=[family], max_trials=1, **fast).fit(X_tr, y_tr)
    assert_classifier_parity(clf, X_te, tmp_path, numeric_dtypes=("float64",))
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X_tr, X_te, y_tr, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    reg = AutoMLRegressor(models=[family], max_trials=1, **fast).fit(X_tr, y_tr)
    assert_regressor_parity(reg, X_te, tmp_path, numeric_dtypes=("float64",))


def test_lightgbm_with_native_categories_exports_and_catboost_with_them_says_why(tmp_path):
    from automl import AutoMLClassifier
    from automl.exceptions import ExportError

    from ._onnx_checks import assert_classifier_parity, categorical_frame

    X, y = categorical_frame()
    fast = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0, "ensemble": False}
    lgbm = AutoMLClassifier(models=["lightgbm"], max_trials=1, **fast).fit(X.iloc[:300], y[:300])
    assert_classifier_parity(lgbm, X.iloc[300:], tmp_path)
    cat = AutoMLClassifier(models=["catboost"], max_trials=1, **fast).fit(X.iloc[:300], y[:300])
    with pytest.raises(ExportError, match="CatBoost .* categorical"):
        cat.export_onnx(str(tmp_path / "cat.onnx"))
