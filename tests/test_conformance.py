"""The project's own estimators through the common checks of scikit-learn and imbalanced-learn.

Covered elsewhere: ``DatetimeFeatures`` (tests/steps/test_datetime_features.py),
``TabularNetClassifier`` (tests/nets/test_classifier.py) and ``AutoMLClassifier``
(tests/test_estimator.py). ``automl.steps.preprocess`` and ``automl.steps.scale``
define no estimator class: they assemble scikit-learn's own transformers.
"""

from __future__ import annotations

import pytest
from imblearn.utils.estimator_checks import parametrize_with_checks as imblearn_checks
from sklearn.utils.estimator_checks import parametrize_with_checks

from automl.boosters import (
    CatBoostClassifier,
    CatBoostRegressor,
    LightGBMClassifier,
    LightGBMRegressor,
)
from automl.models.xgboost import XGBoostClassifier
from automl.steps.resample import SafeResampler

RESAMPLER_EXPECTED_FAILURES = {
    "check_samplers_one_label": (
        "by design: a fold holding one class is returned unchanged with a note in notes_ "
        "(the step never crashes a fold), where imbalanced-learn's samplers raise"
    ),
}


@parametrize_with_checks([XGBoostClassifier(n_estimators=5, max_depth=3, random_state=0)])
def test_xgboost_sklearn_checks(estimator, check):
    check(estimator)


CATBOOST_EXPECTED_FAILURES = {
    "check_sample_weight_equivalence_on_dense_data": (
        "CatBoost does not treat a weight of 2 as a repeated row: its split scores and "
        "leaf values depend on row counts as well as on weight sums (measured: the "
        "predictions differ even with the bootstrap, ordered boosting and split noise off)"
    ),
}


@parametrize_with_checks(
    [
        LightGBMClassifier(n_estimators=20, random_state=0),
        LightGBMRegressor(n_estimators=20, random_state=0),
        CatBoostClassifier(n_estimators=20, random_state=0),
        CatBoostRegressor(n_estimators=20, random_state=0),
    ],
    expected_failed_checks=lambda estimator: (
        CATBOOST_EXPECTED_FAILURES if "CatBoost" in type(estimator).__name__ else {}
    ),
)
def test_booster_sklearn_checks(estimator, check):
    check(estimator)


def _listed(marker: pytest.MarkDecorator) -> pytest.MarkDecorator:
    """imbalanced-learn's checks as a parametrize mark over a list, not a generator
    (which pytest deprecates)."""
    names, values, *rest = marker.args
    return pytest.mark.parametrize(names, list(values), *rest, **marker.kwargs)


@_listed(
    imblearn_checks(
        [
            SafeResampler(method="smote", random_state=0),
            SafeResampler(method="random_under", random_state=0),
        ],
        expected_failed_checks=lambda estimator: RESAMPLER_EXPECTED_FAILURES,
    )
)
def test_resampler_imblearn_checks(estimator, check):
    check(estimator)


def test_resampler_none_keeps_any_target():
    # "none" sits in every pipeline, regression ones included: no target check there.
    X, y = [[0.0], [1.0], [2.0]], [0.1, 2.5, 3.7]
    assert SafeResampler(method="none").fit_resample(X, y) == (X, y)


def test_resampler_rejects_continuous_target():
    with pytest.raises(ValueError, match="Unknown label type"):
        SafeResampler().fit_resample([[0.0], [1.0], [2.0], [3.0]], [0.1, 2.5, 3.7, 0.2])
