"""ONNX export of bagged members (the mean of each member's fold pipelines), run in
onnxruntime and compared with predict_proba/predict on held-out rows."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier, AutoMLRegressor
from automl.bagging import BaggedPipeline

from ._onnx_checks import assert_classifier_parity, assert_regressor_parity

pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0, "final_model": "bag"}


def test_bagged_ensemble_of_linear_and_forests(tmp_path):
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    clf = AutoMLClassifier(
        models=["logreg", "random_forest", "extra_trees"], max_trials=4, **FAST
    ).fit(X_train, y_train)
    members = clf.final_model_.members
    assert len(members) >= 2 and all(isinstance(p, BaggedPipeline) for p, _ in members)
    assert_classifier_parity(clf, X_test, tmp_path)


def test_bagged_multiclass_forest(tmp_path):
    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, random_state=0, stratify=y)
    clf = AutoMLClassifier(models=["random_forest"], max_trials=1, **FAST).fit(X_train, y_train)
    assert clf.final_model_kind_ == "bagged"
    assert_classifier_parity(clf, X_test, tmp_path)


def test_bagged_regressor(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(240, 4))
    y = X @ np.array([1.0, -2.0, 0.5, 0.0]) + 0.1 * rng.normal(size=240)
    reg = AutoMLRegressor(models=["linear", "hist_gb"], max_trials=3, **FAST).fit(X[:180], y[:180])
    assert reg.final_model_kind_ == "bagged"
    assert_regressor_parity(reg, X[180:], tmp_path)
