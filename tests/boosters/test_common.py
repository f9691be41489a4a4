"""What the booster adapters share: the inner split, row weights, labels, the GPU choice."""

from __future__ import annotations

import numpy as np
import pytest

from automl.boosters.common import (
    GPU_MIN_ROWS,
    MIN_VALIDATION_ROWS,
    encode_labels,
    fill_columns,
    inner_split,
    row_weights,
    wants_gpu,
)
from automl.exceptions import DataError


def test_inner_split_is_stratified_disjoint_and_large_enough():
    y = (np.arange(300) % 10 == 0).astype(int)  # 30 positives
    train, val = inner_split(300, 0.1, seed=0, strata=y)
    assert len(val) == MIN_VALIDATION_ROWS  # 10 % would be 30 rows: too few
    assert set(train).isdisjoint(val) and len(train) + len(val) == 300
    assert y[val].sum() == 5 and y[train].sum() == 25  # the class shares are kept
    big_train, big_val = inner_split(5000, 0.1, seed=0)
    assert len(big_val) == 500 and len(big_train) == 4500


def test_inner_split_refuses_what_cannot_be_split():
    assert inner_split(20, 0.1, seed=0) is None  # too few rows
    y = np.zeros(200, dtype=int)
    y[0] = 1  # a class of one row cannot be in both parts
    assert inner_split(200, 0.1, seed=0, strata=y) is None


def test_row_weights_multiply_class_and_sample_weights():
    y = np.array([0, 0, 0, 1])
    assert row_weights(None, 4) is None
    np.testing.assert_allclose(row_weights(None, 4, y, "balanced"), [2 / 3, 2 / 3, 2 / 3, 2])
    weights = row_weights([1.0, 2.0, 0.0, 1.0], 4, y, {1: 3.0})
    np.testing.assert_allclose(weights, [1.0, 2.0, 0.0, 3.0])


@pytest.mark.parametrize(
    "weights, match",
    [([1.0, 2.0], "shape \\(3,\\)"), ([1.0, -1.0, 1.0], "non-negative"), ([0, 0, 0], "zero")],
)
def test_row_weights_reject_bad_sample_weights(weights, match):
    with pytest.raises(DataError, match=match):
        row_weights(weights, 3)


def test_labels_drop_rows_of_zero_weight_and_remember_every_class():
    y = np.array(["a", "b", "c", "a", "c"])
    labels = encode_labels(y, [1.0, 0.0, 1.0, 1.0, 1.0], None)
    assert list(labels.classes) == ["a", "b", "c"] and list(labels.present) == [0, 2]
    assert list(labels.codes) == [0, 1, 0, 1] and labels.keep.sum() == 4
    proba = fill_columns(np.array([[0.25, 0.75]]), labels.present, 3)
    np.testing.assert_allclose(proba, [[0.25, 0.0, 0.75]])


def test_gpu_only_when_asked_or_large_and_usable():
    def usable():
        return True

    assert not wants_gpu("cpu", 10**6, usable)
    assert not wants_gpu("auto", GPU_MIN_ROWS - 1, usable)
    assert not wants_gpu("cuda", 100, lambda: False)
