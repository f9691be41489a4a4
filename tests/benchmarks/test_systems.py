"""Every baseline system fits mixed data (strings, booleans, NaN) and answers alike."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.exceptions import ConfigError
from benchmarks.cell import encode_predictions, score_predictions
from benchmarks.prep import FrameEncoder
from benchmarks.systems import check_system_name, get_system, system_names


def _mixed(n=160, n_classes=2, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    X = pd.DataFrame(
        {
            "num": rng.normal(size=n) + y,
            "with_nan": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
            "colour": pd.Series(rng.choice(["red", "green", "blue"], n)).where(rng.random(n) > 0.1),
            "flag": rng.random(n) < 0.5,
        }
    )
    labels = np.array(["lo", "mid", "hi"])[y] if n_classes == 3 else y
    return X, pd.Series(labels)


def test_frame_encoder_learns_categories_on_training_rows_only():
    X, _ = _mixed()
    enc = FrameEncoder().fit(X.iloc[:100])
    test = X.iloc[100:].copy()
    test.loc[test.index[0], "colour"] = "purple"
    codes = enc.transform(test, "codes")
    assert enc.categorical_ == ["colour"] and list(enc.categories_["colour"]) == [
        "blue",
        "green",
        "red",
    ]
    assert np.isnan(codes["colour"].iloc[0]) and codes.dtypes.eq(np.float64).all()
    assert isinstance(enc.transform(test, "category")["colour"].dtype, pd.CategoricalDtype)
    assert X.equals(_mixed()[0])  # the caller's frame is unchanged


@pytest.mark.parametrize("name", ["xgb", "hgb", "lr"])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_baselines_fit_mixed_data(name, n_classes):
    X, y = _mixed(n_classes=n_classes)
    system = get_system(name).fit(X.iloc[:120], y.iloc[:120], budget=1, seed=0, metric="roc_auc")
    proba, labels = system.predict_proba(X.iloc[120:]), system.predict(X.iloc[120:])
    assert proba.shape == (40, n_classes) and np.allclose(proba.sum(axis=1), 1, atol=1e-4)
    assert set(labels) <= set(system.classes_) and list(system.classes_) == sorted(set(y))
    assert system.version()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["skopt_xgb", "flaml"])
def test_budgeted_baselines_report_a_cv_score(name):
    if name == "flaml":
        pytest.importorskip("flaml", reason="FLAML is the optional [bench] extra")
    X, y = _mixed()
    system = get_system(name).fit(X.iloc[:120], y.iloc[:120], budget=1, seed=0, metric="roc_auc")
    assert system.predict_proba(X.iloc[120:]).shape == (40, 2)
    assert system.cv_score_ is not None and 0 <= system.cv_score_ <= 1


def test_scores_use_predict_for_labels_and_align_proba_columns():
    y = np.array(["b", "a", "b", "c"])
    proba = np.array([[0.1, 0.9, 0.0], [0.8, 0.2, 0.0], [0.3, 0.7, 0.0], [0.2, 0.2, 0.6]])
    # system classes in another order than the dataset's sorted ones
    encoded = encode_predictions(
        y,
        np.array(["b", "a", "b", "a"]),
        proba[:, [1, 0, 2]],
        system_classes=np.array(["b", "a", "c"]),
        classes=np.array(["a", "b", "c"]),
    )
    scores = score_predictions(*encoded, pos_index=1)
    assert scores["roc_auc"] == pytest.approx(1.0)
    assert scores["accuracy"] == pytest.approx(0.75)  # from the given labels, not the argmax


def test_unknown_system_names_list_the_valid_ones():
    assert {"automl", "xgb", "hgb", "lr", "skopt_xgb", "flaml"} <= set(system_names())
    with pytest.raises(ConfigError, match="Did you mean 'hgb'"):
        check_system_name("hgbb")
    check_system_name("some.module:Class")
