"""The ``lightgbm`` family and its adapters: quality, early stopping, weights, categories."""

from __future__ import annotations

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_breast_cancer, load_wine, make_classification, make_friedman1
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split

from automl.boosters import LightGBMClassifier, LightGBMRegressor
from automl.boosters.lightgbm_training import lightgbm_cuda_usable
from automl.exceptions import ConfigError, DataError
from automl.models import ModelContext, get_family


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.fixture(scope="module")
def cancer_model(cancer):
    X_tr, _, y_tr, _ = cancer
    return LightGBMClassifier(random_state=0).fit(X_tr, y_tr)


@pytest.fixture(scope="module")
def imbalanced():
    X, y = make_classification(
        n_samples=1500, n_features=8, n_informative=4, weights=[0.93], flip_y=0.02, random_state=1
    )
    return train_test_split(X, y, test_size=0.4, stratify=y, random_state=0)


def test_breast_cancer_quality_and_early_stopping(cancer, cancer_model):
    X_te, y_te, model = cancer[1], cancer[3], cancer_model
    # held out: 0.990 measured
    assert roc_auc_score(y_te, model.predict_proba(X_te)[:, 1]) >= 0.98
    # early stopping ended boosting before the 2000-round cap (at 452), and the
    # booster holds the rounds kept
    assert 1 <= model.n_estimators_ < model.n_estimators
    assert model.booster_.current_iteration() == model.n_estimators_


def test_without_early_stopping_every_round_is_kept(cancer):
    X_tr, _, y_tr, _ = cancer
    model = LightGBMClassifier(n_estimators=30, early_stopping_rounds=None, random_state=0)
    assert model.fit(X_tr, y_tr).n_estimators_ == 30


def test_a_spent_time_limit_stops_after_the_first_round(cancer):
    X_tr, X_te, y_tr, _ = cancer
    model = LightGBMClassifier(max_time=1e-9, random_state=0).fit(X_tr, y_tr)
    assert model.n_estimators_ == 1
    assert np.all(np.isfinite(model.predict_proba(X_te)))


def test_multiclass_wine(capfd):
    X, y = load_wine(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    y_tr, y_te = y_tr + 10, y_te + 10  # labels 10, 11, 12
    model = LightGBMClassifier(n_estimators=300, random_state=0).fit(X_tr, y_tr)
    proba = model.predict_proba(X_te)
    assert proba.shape == (len(y_te), 3) and list(model.classes_) == [10, 11, 12]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # held out: 1.0 measured
    assert np.mean(model.predict(X_te) == y_te) >= 0.92
    assert capfd.readouterr().err == ""


def test_regression_quality(capfd):
    X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0)
    model = LightGBMRegressor(random_state=0).fit(X_tr, y_tr)
    # held out: 0.917 measured; predicting the mean scores 0
    assert r2_score(y_te, model.predict(X_te)) >= 0.85
    assert model.n_estimators_ < 2000
    assert capfd.readouterr().err == ""


def test_balanced_class_weight_raises_minority_recall(imbalanced):
    X_tr, X_te, y_tr, y_te = imbalanced
    plain = LightGBMClassifier(random_state=0).fit(X_tr, y_tr)
    balanced = LightGBMClassifier(class_weight="balanced", random_state=0).fit(X_tr, y_tr)
    recall = [np.mean(m.predict(X_te)[y_te == 1] == 1) for m in (plain, balanced)]
    assert recall[1] > recall[0] + 0.05  # 0.57 -> 0.76 measured
    # a dict weighs the same way; sample_weight multiplies it
    as_dict = LightGBMClassifier(class_weight={0: 1.0, 1: 10.0}, random_state=0).fit(X_tr, y_tr)
    by_rows = LightGBMClassifier(random_state=0).fit(
        X_tr, y_tr, sample_weight=np.where(y_tr == 1, 10.0, 1.0)
    )
    np.testing.assert_allclose(as_dict.predict_proba(X_te), by_rows.predict_proba(X_te))


def test_zero_sample_weight_is_dropping_the_rows(imbalanced):
    X_tr, X_te, y_tr, _ = imbalanced
    weight = (np.random.default_rng(0).random(len(y_tr)) > 0.3).astype(float)
    weighted = LightGBMClassifier(random_state=0).fit(X_tr, y_tr, sample_weight=weight)
    dropped = LightGBMClassifier(random_state=0).fit(X_tr[weight > 0], y_tr[weight > 0])
    np.testing.assert_allclose(weighted.predict_proba(X_te), dropped.predict_proba(X_te))
    regressor = LightGBMRegressor(random_state=0)
    a = regressor.fit(X_tr, y_tr * 2.0, sample_weight=weight).predict(X_te)
    b = regressor.fit(X_tr[weight > 0], y_tr[weight > 0] * 2.0).predict(X_te)
    np.testing.assert_allclose(a, b)


def test_pickle_round_trip(cancer, cancer_model, tmp_path):
    X_te, model = cancer[1], cancer_model
    joblib.dump(model, tmp_path / "model.joblib")
    loaded = joblib.load(tmp_path / "model.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X_te), model.predict_proba(X_te))
    assert loaded.n_estimators_ == model.n_estimators_


def test_native_categories_split_on_codes():
    # the label is a function of the category alone, with -1 (missing) one more level
    rng = np.random.default_rng(0)
    codes = rng.integers(-1, 12, size=1200).astype(float)
    X = np.column_stack([codes, rng.normal(size=1200)])
    y = np.isin(codes, [-1, 2, 3, 5, 7, 11]).astype(int)
    model = LightGBMClassifier(categorical_features=[0], random_state=0)
    model.fit(X[:800], y[:800])
    assert np.mean(model.predict(X[800:]) == y[800:]) >= 0.97


def test_bad_parameters_are_named():
    X, y = np.zeros((40, 2)), np.arange(40) % 2
    with pytest.raises(ConfigError, match="'validation_fraction' parameter of LightGBMClassifier"):
        LightGBMClassifier(validation_fraction=1.5).fit(X, y)
    with pytest.raises(ConfigError, match="'categorical_features'.*\\[0, 2\\)"):
        LightGBMClassifier(categorical_features=[3]).fit(X, y)
    with pytest.raises(ConfigError, match="'device'"):
        LightGBMRegressor(device="tpu").fit(X, y)
    with pytest.raises(DataError, match="sample_weight"):
        LightGBMClassifier().fit(X, y, sample_weight=-np.ones(40))


def test_cuda_falls_back_to_the_cpu_quietly(cancer, capfd):
    X_tr, X_te, y_tr, _ = cancer
    usable = lightgbm_cuda_usable.__wrapped__()  # the probe itself, uncached
    model = LightGBMClassifier(device="cuda", n_estimators=20, random_state=0).fit(X_tr, y_tr)
    assert model.predict_proba(X_te).shape == (len(X_te), 2)
    assert isinstance(usable, bool)
    assert capfd.readouterr().err == ""


def test_family_passes_the_context_on():
    family = get_family("lightgbm")
    assert family.categorical_encoding == "ordinal" and family.supports("regression")
    ctx = ModelContext(categorical_features=(0, 1), time_limit=10.0, n_threads=2, device="cpu")
    model = family.build({**family.default(ctx), "class_weight": "balanced"}, ctx)
    assert isinstance(model, LightGBMClassifier)
    assert model.categorical_features == [0, 1] and model.class_weight == "balanced"
    assert 0 < model.max_time < 10.0 and model.n_jobs == 2
    regressor = family.build({}, ModelContext(task="regression", n_classes=1))
    assert isinstance(regressor, LightGBMRegressor) and regressor.max_time is None
    with pytest.raises(ConfigError, match="Unknown parameter.*'max_depthh'"):
        family.build({"max_depthh": 3}, ctx)


@pytest.mark.slow
def test_automl_with_pandas_categories_and_missing_values(capfd):
    from automl import AutoMLClassifier

    rng = np.random.default_rng(0)
    n = 700
    city = pd.Series(rng.choice(list("abcdefgh"), size=n)).astype("category")
    city[rng.random(n) < 0.12] = np.nan
    x = rng.normal(size=n)
    logit = 2.5 * (city.isin(["a", "c", "e"]) | city.isna()) - 1.2 + 0.5 * x
    y = (rng.random(n) < 1 / (1 + np.exp(-logit.to_numpy()))).astype(int)
    X = pd.DataFrame({"city": city, "x": x})
    clf = AutoMLClassifier(
        models=["lightgbm"], time_budget=8, cv=3, n_jobs=1, ensemble=False, random_state=0
    )
    clf.fit(X.iloc[:500], y[:500])
    model = clf.best_pipeline_.named_steps["model"]
    assert isinstance(model, LightGBMClassifier) and model.categorical_features == [0]
    # held out: 0.81 measured; the true probabilities score 0.84
    assert roc_auc_score(y[500:], clf.predict_proba(X.iloc[500:])[:, 1]) >= 0.75
    assert capfd.readouterr().err == ""


def test_missing_category_codes_fit_quietly_and_predict_as_missing(capfd):
    # the encoders code a missing or unseen category as -1: LightGBM must read it as
    # missing, and say nothing about it (a fit once printed "Met negative value in
    # categorical features" on hotel_rates)
    rng = np.random.default_rng(0)
    codes = rng.integers(-1, 5, 600).astype(float)
    X = np.c_[codes, rng.normal(size=600)]
    y = (codes >= 2).astype(int)
    model = LightGBMClassifier(categorical_features=[0], early_stopping_rounds=10, random_state=0)
    model.fit(X, y)  # early stopping: a validation set is built
    out = capfd.readouterr()
    assert out.out == "" and out.err == ""
    as_nan = X.copy()
    as_nan[codes < 0, 0] = np.nan
    np.testing.assert_allclose(model.predict_proba(X), model.predict_proba(as_nan))
    assert np.mean(model.predict(X) == y) > 0.95


@pytest.mark.parametrize("classify", [True, False])
def test_float32_rows_train_as_they_are_without_a_float64_copy(classify, monkeypatch):
    # the large-data path hands float32 over: LightGBM bins it as it is, so the model
    # equals the one fitted on the same values in float64, and no float64 copy is made
    import lightgbm as lgb

    if classify:
        X, y = make_classification(n_samples=600, n_features=6, random_state=0)
        model = LightGBMClassifier
    else:
        X, y = make_friedman1(n_samples=600, random_state=0)
        model = LightGBMRegressor
    X32 = X.astype(np.float32)
    dtypes = []
    original = lgb.Dataset.__init__

    def spy(self, data, *args, **kwargs):
        dtypes.append(np.asarray(data).dtype)
        original(self, data, *args, **kwargs)

    monkeypatch.setattr(lgb.Dataset, "__init__", spy)
    from_32 = model(n_estimators=40, random_state=0).fit(X32, y)
    assert dtypes and all(d == np.float32 for d in dtypes)
    from_64 = model(n_estimators=40, random_state=0).fit(X32.astype(np.float64), y)
    predict = from_32.predict_proba if classify else from_32.predict
    again = from_64.predict_proba if classify else from_64.predict
    np.testing.assert_allclose(predict(X32), again(X32.astype(np.float64)), rtol=1e-12)
