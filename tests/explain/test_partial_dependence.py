"""Partial dependence by brute force, and the SHAP column map, on small known models."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.explain.partial_dependence import GRID_POINTS, partial_dependence
from automl.schema import infer_schema


class _Model:
    """p(class 1) = 0.8 sigmoid(a) + 0.2 when colour is 'red'; it checks the dtypes it receives."""

    def predict_matrix(self, X):
        assert isinstance(X["colour"].dtype, pd.CategoricalDtype)
        assert pd.api.types.is_datetime64_any_dtype(X["day"])
        p = 0.8 / (1 + np.exp(-X["a"].fillna(0).to_numpy(float)))
        p = p + 0.2 * (X["colour"] == "red").to_numpy()
        return np.column_stack([1 - p, p])


@pytest.fixture()
def frame():
    rng = np.random.default_rng(0)
    n = 300
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "colour": pd.Categorical(rng.choice(["red", "green", "blue"], n, p=[0.5, 0.3, 0.2])),
            "day": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), "D"),
        }
    )
    X.loc[::10, "a"] = np.nan
    return X


def test_numeric_levels_and_dates(frame):
    schema = infer_schema(frame)
    records = partial_dependence(
        _Model(), frame, ["a", "colour", "day"], schema, classes=np.array(["no", "yes"])
    )
    a, colour, day = records
    assert a.numeric and len(a.grid) == GRID_POINTS and np.all(np.diff(a.positions) > 0)
    assert np.all(np.diff(a.values[:, 0]) > 0)  # sigmoid: rises with a
    quantiles = frame["a"].dropna().quantile([0.05, 0.95]).to_numpy()
    assert a.positions[0] == pytest.approx(quantiles[0], abs=0.05)
    assert a.positions[-1] == pytest.approx(quantiles[1], abs=0.05)
    assert colour.grid == ["red", "green", "blue"] and not colour.numeric  # most frequent first
    red, green = colour.values[0, 0], colour.values[1, 0]
    assert red - green == pytest.approx(0.2, abs=0.02)
    assert not day.numeric and day.grid == sorted(day.grid)  # dates in order
    assert np.ptp(day.values) < 1e-12  # the model ignores the day
    assert a.lines == ["P(yes)"]


def test_multiclass_lines_and_regression(frame):
    schema = infer_schema(frame)

    class Three:
        def predict_matrix(self, X):
            p = 1 / (1 + np.exp(-X["a"].fillna(0).to_numpy(float)))
            return np.column_stack([0.5 * p, 0.5 * p, 1 - p])

    (record,) = partial_dependence(Three(), frame, ["a"], schema, classes=np.array([3, 5, 7]))
    assert record.lines == ["P(3)", "P(5)", "P(7)"] and record.values.shape == (GRID_POINTS, 3)
    assert np.allclose(record.values.sum(axis=1), 1.0)

    class Values:
        def predict_matrix(self, X):
            return (2 * X["a"].fillna(0).to_numpy(float)).reshape(-1, 1)

    (record,) = partial_dependence(Values(), frame, ["a"], schema, classes=None)
    assert record.lines == ["prediction"]
    assert np.allclose(record.values[:, 0], 2 * record.positions)


def test_shap_column_map_sums_one_hot_columns_back(frame):
    from automl.explain.shap import column_owner
    from automl.steps.preprocess import build_preprocessor

    X = frame.drop(columns=["day"]).assign(colour=frame["colour"].astype(str))
    schema = infer_schema(X)
    pre = build_preprocessor(schema, encoding="onehot").fit(X, np.zeros(len(X)))
    owner = column_owner(pre, X)
    names = list(pre.get_feature_names_out())
    # three one-hot columns come from 'colour'; 'a' and its missing indicator from 'a'
    assert sorted(names[k] for k in np.flatnonzero(owner == 1)) == [
        "colour_blue",
        "colour_green",
        "colour_red",
    ]
    assert len(np.flatnonzero(owner == 0)) == 2 and (owner >= 0).all()
