"""Cross-validation folds: stratified, seeded, and safe with tiny classes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.exceptions import ConfigError, DataError
from automl.folds import AUTO_CV_LARGE, make_folds


def _frame(n: int) -> pd.DataFrame:
    return pd.DataFrame({"a": np.arange(n, dtype=float)})


def test_auto_uses_five_folds_then_three_on_large_data():
    y = np.tile([0, 1], 50)
    folds, _ = make_folds("auto", _frame(100), y, random_state=0)
    assert len(folds) == 5
    y_big = np.tile([0, 1], AUTO_CV_LARGE // 2 + 1)
    folds, _ = make_folds("auto", _frame(len(y_big)), y_big, random_state=0)
    assert len(folds) == 3


def test_folds_partition_the_rows_and_are_stratified():
    y = np.array([0] * 90 + [1] * 10)
    folds, notes = make_folds(5, _frame(100), y, random_state=0)
    tests = np.concatenate([te for _, te in folds])
    assert sorted(tests.tolist()) == list(range(100))
    for train, test in folds:
        assert not set(train) & set(test)
        assert y[test].sum() == 2  # 10 positives spread over 5 folds
    assert notes == []


def test_same_seed_same_folds():
    y = np.tile([0, 1, 2], 30)
    a, _ = make_folds(3, _frame(90), y, random_state=7)
    b, _ = make_folds(3, _frame(90), y, random_state=7)
    assert all(np.array_equal(x[1], z[1]) for x, z in zip(a, b, strict=True))


def test_single_sample_class_trains_in_every_fold_and_is_noted():
    y = np.array([0] * 20 + [1] * 20 + [2])
    folds, notes = make_folds(5, _frame(41), y, random_state=0, classes=np.array(["a", "b", "c"]))
    assert len(folds) == 5
    for train, test in folds:
        assert 40 in train and 40 not in test
    assert any("'c'" in n and "single sample" in n for n in notes)


def test_class_smaller_than_folds_is_validated_in_some_folds():
    y = np.array([0] * 30 + [1] * 2)
    folds, notes = make_folds(5, _frame(32), y, random_state=0)
    assert len(folds) == 5
    assert sum(int(y[te].sum()) for _, te in folds) == 2
    assert any("fewer than the 5 folds" in n for n in notes)


def test_only_one_class_with_two_samples_is_an_error_naming_the_counts():
    y = np.array([0] * 10 + [1])
    with pytest.raises(DataError, match="at least 2 classes with 2 or more samples"):
        make_folds(5, _frame(11), y, random_state=0, classes=np.array(["no", "yes"]))


def test_user_splitter_is_used_as_given():
    from sklearn.model_selection import KFold

    y = np.tile([0, 1], 10)
    folds, _ = make_folds(KFold(4), _frame(20), y, random_state=0)
    assert len(folds) == 4 and folds[0][1].tolist() == [0, 1, 2, 3, 4]


def test_bad_cv_is_a_config_error():
    with pytest.raises(ConfigError):
        make_folds(1, _frame(10), np.tile([0, 1], 5), random_state=0)
