"""ONNX export of a stacked final model: the level-2 linear model over the members.

Nested CV keeps a stack only where it wins, which small test data rarely shows, so
the stack is built here from a fitted ensemble's members and a level-2 model of the
kind the final model fits.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier, AutoMLRegressor
from automl.data import validate_predict_data
from automl.ensemble import predict_matrix
from automl.models import ModelContext
from automl.stacking import StackedModel, _fit_level2, stack_features

from ._onnx_checks import STACK_TOLERANCE, assert_classifier_parity, assert_regressor_parity

pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0}


def _stack(est, X_train, y_train, regression: bool) -> None:
    """Replace the fitted ensemble by a stack of its members, its level-2 model fitted
    on their predictions (the export only needs a fitted stack of the right shape)."""
    members = [pipe for pipe, _ in est.final_model_.members]
    assert len(members) >= 2, "the test needs an ensemble"
    n_classes = 1 if regression else len(est.classes_)
    ctx = ModelContext(task="regression" if regression else "multiclass", n_classes=n_classes)
    X = validate_predict_data(X_train, est.schema_)
    features = stack_features([predict_matrix(m, X, ctx) for m in members], regression)
    target = np.asarray(y_train, float) if regression else np.searchsorted(est.classes_, y_train)
    level2 = _fit_level2(features, target, regression, 0)
    assert level2 is not None
    est.final_model_ = StackedModel(members, level2, n_classes, regression)


@pytest.mark.parametrize("loader", [load_breast_cancer, load_wine])
def test_stacked_classifier_matches_predict_proba(loader, tmp_path):
    X, y = loader(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    clf = AutoMLClassifier(models=["logreg", "random_forest"], max_trials=4, **FAST)
    clf.fit(X_train, y_train)
    _stack(clf, X_train, y_train, regression=False)
    assert_classifier_parity(clf, X_test, tmp_path, tolerance=STACK_TOLERANCE)


def test_stacked_regressor_matches_predict(tmp_path):
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, test_size=0.3, random_state=0)
    reg = AutoMLRegressor(models=["linear", "random_forest"], max_trials=4, **FAST)
    reg.fit(X_train, y_train)
    _stack(reg, X_train, y_train, regression=True)
    assert_regressor_parity(reg, X_test, tmp_path)
