"""NumericImputer: SimpleImputer's results, statistics computed column by column."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.impute import SimpleImputer

from automl.steps.impute import NumericImputer


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("strategy", ["mean", "median", "most_frequent"])
@pytest.mark.parametrize("keep_empty", [True, False])
def test_it_imputes_exactly_as_simple_imputer(dtype, strategy, keep_empty):
    rng = np.random.default_rng(0)
    X = rng.random((500, 5)).astype(dtype)
    X[rng.random(X.shape) < 0.2] = np.nan
    X[:, 3] = np.nan  # an all-missing column: kept as zeros or dropped
    params = {"strategy": strategy, "add_indicator": True, "keep_empty_features": keep_empty}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sklearn's note on the empty column, from both
        ours, theirs = NumericImputer(**params).fit(X), SimpleImputer(**params).fit(X)
        out, expected = ours.transform(X), theirs.transform(X)
    np.testing.assert_allclose(ours.statistics_, theirs.statistics_, rtol=2e-6)
    assert out.shape == expected.shape and out.dtype == expected.dtype
    np.testing.assert_allclose(out, expected, rtol=2e-6)
    assert not np.isnan(out).any()
    np.testing.assert_array_equal(ours.indicator_.features_, theirs.indicator_.features_)
