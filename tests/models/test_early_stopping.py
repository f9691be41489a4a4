"""Boosting stops early on a split of the rows it is fitted on, and reports the rounds kept."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from threadpoolctl import threadpool_limits

from automl.models import ModelContext, get_family
from automl.models.xgboost import XGBoostClassifier, XGBoostRegressor
from automl.rounds import REFIT_ROUNDS_KEY, refit_config, refit_rounds, rounds_used


@pytest.fixture(autouse=True)
def _one_thread():
    with threadpool_limits(limits=1):
        yield


def test_refit_rounds_is_the_scaled_median():
    assert refit_rounds([10, 12, 14], n_folds=3) == 18
    assert refit_rounds([10, 30, 12, 11, 50], n_folds=5) == 15  # median 12 * 5/4
    assert refit_rounds([40], n_folds=1) == 40  # a holdout: the rounds as found
    assert refit_rounds([400, 420], n_folds=5, maximum=450) == 450
    record = {"config": {"family": "xgboost"}, "fit_info": {"n_iter": [8, 9, 10]}}
    assert refit_config(record, 5)[REFIT_ROUNDS_KEY] == 11
    assert REFIT_ROUNDS_KEY not in refit_config({"config": {"family": "logreg"}}, 5)


def test_xgboost_classifier_stops_early_and_refits_the_rounds_given():
    X, y = make_classification(n_samples=400, n_features=6, random_state=0)
    model = XGBoostClassifier(n_estimators=500, learning_rate=0.3, random_state=0).fit(X, y)
    assert 1 <= model.n_rounds_ < 500
    assert model.booster_.best_iteration + 1 == model.n_rounds_
    ctx = ModelContext(n_rows=400, random_state=0)
    fixed = get_family("xgboost").build({"n_estimators": 500, "refit_rounds": 37}, ctx)
    fixed.fit(X, y)
    assert fixed.early_stopping is False and fixed.n_rounds_ == 37
    assert fixed.booster_.get_booster().num_boosted_rounds() == 37


def test_xgboost_regressor_stops_early():
    X, y = make_regression(n_samples=400, n_features=6, noise=10.0, random_state=0)
    model = XGBoostRegressor(n_estimators=600, learning_rate=0.3, random_state=0).fit(X, y)
    assert 1 <= model.n_rounds_ < 600
    ctx = ModelContext(task="regression", n_classes=1, n_rows=400, random_state=0)
    built = get_family("xgboost").build({"refit_rounds": 25}, ctx)
    assert rounds_used(built.fit(X, y)) == 25
    assert np.corrcoef(model.predict(X), y)[0, 1] > 0.9


def test_hist_gb_reports_its_rounds_in_both_tasks():
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    clf = get_family("hist_gb").build({"max_iter": 200}, ModelContext(random_state=0)).fit(X, y)
    assert clf.n_rounds_ == clf.n_iter_
    ctx = ModelContext(task="regression", n_classes=1, random_state=0)
    Xr, yr = make_regression(n_samples=300, n_features=6, random_state=0)
    reg = get_family("hist_gb").build({"refit_rounds": 12}, ctx).fit(Xr, yr)
    assert reg.n_rounds_ == 12 and reg.early_stopping is False


@pytest.mark.parametrize(
    "classify, class_weight", [(True, None), (True, "balanced"), (False, None)]
)
def test_large_histogram_boosting_stops_on_rows_split_off_before_float64(
    classify, class_weight, monkeypatch
):
    # large data: the early-stopping rows are split off the float32 array before
    # scikit-learn's float64 copy (one copy less); the model is the one scikit-learn
    # fits on those same rows, and smaller data keeps scikit-learn's own split
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    from automl.boosters.common import inner_split
    from automl.models import hist_gb

    make = make_classification if classify else make_regression
    X, y = make(n_samples=3000, n_features=8, random_state=0)
    X = X.astype(np.float32)
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    ours = hist_gb.StoppingHGBClassifier if classify else hist_gb.StoppingHGBRegressor
    plain = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
    params = dict(max_iter=300, early_stopping=True, n_iter_no_change=5, random_state=3)
    if class_weight is not None:
        params["class_weight"] = class_weight

    small = ours(**params).fit(X, y, sample_weight=w)
    reference = plain(**params).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(small.predict(X), reference.predict(X))

    monkeypatch.setattr(hist_gb, "OWN_SPLIT_MIN_CELLS", X.size)
    large = ours(**params).fit(X, y, sample_weight=w)
    train, val = inner_split(len(y), 0.1, 3, y if classify else None)
    w_val = w[val]
    if class_weight is not None:  # as scikit-learn weighs the rows it splits off itself
        from sklearn.utils.class_weight import compute_sample_weight

        w_val = w_val * compute_sample_weight(class_weight, y)[val]
    same_rows = plain(**params).fit(
        X[train].astype(np.float64),
        y[train],
        w[train],
        X_val=X[val].astype(np.float64),
        y_val=y[val],
        sample_weight_val=w_val,
    )
    assert 1 <= large.n_rounds_ < 300 and large.n_rounds_ == same_rows.n_iter_
    np.testing.assert_allclose(large.predict(X), same_rows.predict(X))
