"""Tests of automl.profile."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.data import encode_target, infer_schema, validate_fit_data
from automl.profile import profile_data


@pytest.fixture
def profile() -> dict:
    X = pd.DataFrame(
        {
            "num": [1.0, np.nan, 3.0, 4.0, 5.0, np.nan],
            "city": ["a", "b", None, "a", "b", "a"],
            "flag": [True, False, True, True, False, True],
            "const": 1,
            "when": pd.date_range("2020-01-01", periods=6, tz="UTC"),
        }
    )
    y = pd.Series([True, True, True, True, False, True])
    Xv, labels = validate_fit_data(X, y)
    y_encoded, classes = encode_target(labels)
    return profile_data(Xv, y_encoded, classes, infer_schema(Xv))


def test_sizes_and_kinds(profile):
    assert profile["n_rows"] == 6 and profile["n_columns"] == 5
    columns = profile["columns"]
    assert columns["numeric"] == {"count": 1, "names": ["num"]}
    assert columns["categorical"]["names"] == ["city"]
    assert columns["boolean"]["names"] == ["flag"]
    assert columns["datetime"]["names"] == ["when"]
    assert columns["high_cardinality"]["count"] == 0
    assert columns["dropped"]["names"] == ["const"]


def test_class_balance(profile):
    assert profile["class_balance"] == [
        {"label": False, "count": 1, "share": pytest.approx(1 / 6)},
        {"label": True, "count": 5, "share": pytest.approx(5 / 6)},
    ]
    assert profile["minority_share"] == pytest.approx(1 / 6)
    assert profile["imbalance_ratio"] == 5.0


def test_missing_and_dropped(profile):
    assert profile["missing"]["total_cells"] == 3
    assert profile["missing"]["share"] == pytest.approx(3 / 30)
    assert profile["missing"]["per_column"] == {"num": 2, "city": 1}
    assert profile["dropped"] == [{"column": "const", "reason": "constant (value 1)"}]


def test_json_serialisable(profile):
    assert json.loads(json.dumps(profile))["n_rows"] == 6
    for label in (np.array(["x", "y"]), np.array([3, 7]), pd.Categorical(["x", "y"])):
        X = pd.DataFrame({"v": [0.1, 0.2, 0.3]})
        y_encoded, classes = encode_target(np.asarray(label)[[0, 1, 1]])
        json.dumps(profile_data(X, y_encoded, classes, infer_schema(X)))
