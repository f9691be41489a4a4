"""AutoMLRegressor through scikit-learn's common estimator checks."""

from __future__ import annotations

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from automl import AutoMLRegressor

#: Checks AutoMLRegressor fails on purpose: automl raises its own DataError with a
#: message that names the problem and a hint (house style), not scikit-learn's phrases.
EXPECTED_FAILED_CHECKS = {
    "check_n_features_in_after_fitting": (
        "predict with the wrong number of columns raises DataError 'X has 1 columns but 4 were "
        "seen in fit (expected ...)', not sklearn's 'X has 1 features, but ... is expecting 4'"
    ),
    "check_complex_data": (
        "complex X raises DataError \"Column 'x0' holds complex numbers\", naming the column, "
        "instead of sklearn's 'Complex data not supported'"
    ),
    "check_dtype_object": (
        "a dict inside an object column raises DataError (a ValueError naming the column), "
        "where sklearn expects np.asarray's TypeError"
    ),
    "check_estimators_empty_data_messages": (
        "a (12, 0) X raises DataError 'X is empty: shape (12, 0). At least 1 row and 1 column "
        "are needed', not sklearn's '0 feature(s) ... a minimum of 1 is required'"
    ),
    "check_supervised_y_2d": (
        "a 2-D y with one column is raveled silently by design, so no DataConversionWarning"
    ),
    "check_fit2d_1sample": (
        "one row (so a constant target) raises DataError 'y is constant (every value is 1.0): "
        "there is nothing to learn', which matches none of sklearn's '1 sample' phrases"
    ),
    "check_fit2d_predict1d": (
        "1-D X at predict raises DataError 'X must be 2-D ... Hint: use X.reshape(-1, 1)', "
        "not sklearn's 'Reshape your data'"
    ),
    "check_requires_y_none": (
        "y=None raises DataError 'y is None. Pass the target values, one per row of X', not "
        "sklearn's 'requires y to be passed, but the target y is None'"
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "the check sets cv to a list of (train, test) pairs, which the cv parameter refuses "
        "(an int, 'auto' or a splitter); and repeating rows differs from weighting them by "
        "design: imputers, encoders and scalers are fitted unweighted (see the README)"
    ),
}


def _expected_failed_checks(estimator):
    return EXPECTED_FAILED_CHECKS


def _cheap_instance() -> AutoMLRegressor:
    return AutoMLRegressor(
        time_budget=None, max_trials=2, models=["linear"], cv=2, n_jobs=1, random_state=0
    )


@pytest.mark.slow
@parametrize_with_checks(
    [_cheap_instance()], expected_failed_checks=_expected_failed_checks, xfail_strict=True
)
def test_sklearn_common_checks(estimator, check):
    check(estimator)
