"""Search-space dimensions: validation, grids, membership, preset specs."""

from __future__ import annotations

import pytest

from automl.exceptions import ConfigError
from automl.space import Categorical, Integer, Real, describe_dimension, dimension_from_spec


@pytest.mark.parametrize("cls", [Real, Integer])
@pytest.mark.parametrize("low, high", [(1, 1), (2, 1)])
def test_numeric_range_needs_low_below_high(cls, low, high):
    with pytest.raises(ConfigError, match="low < high"):
        cls(low, high)


@pytest.mark.parametrize("cls", [Real, Integer])
@pytest.mark.parametrize("low", [0, -1])
def test_log_range_needs_positive_low(cls, low):
    with pytest.raises(ConfigError, match="log-scale"):
        cls(low, 10, log=True)


def test_config_error_is_a_value_error():
    with pytest.raises(ValueError):
        Real(1.0, 0.0)


def test_real_grid_linear_and_log():
    assert Real(0.0, 1.0).grid(3) == pytest.approx([0.0, 0.5, 1.0])
    assert Real(0.0, 1.0).grid(5) == pytest.approx([0.0, 0.25, 0.5, 0.75, 1.0])
    assert Real(1e-3, 10.0, log=True).grid(5) == pytest.approx([1e-3, 1e-2, 1e-1, 1.0, 10.0])
    assert all(isinstance(v, float) for v in Real(1, 2).grid(3))


def test_integer_grid_distinct_sorted_ints_within_range():
    assert Integer(1, 9).grid(3) == [1, 5, 9]
    assert Integer(1, 2).grid(5) == [1, 2]
    log_grid = Integer(1, 1000, log=True).grid(4)
    assert log_grid == [1, 10, 100, 1000]
    for dim in (Integer(1, 9), Integer(2, 100, log=True), Integer(0, 1)):
        values = dim.grid(4)
        assert values == sorted(set(values))
        assert all(isinstance(v, int) and dim.low <= v <= dim.high for v in values)


def test_contains():
    r, i = Real(0.5, 2.0), Integer(1, 5)
    assert r.contains(0.5) and r.contains(2.0) and r.contains(1)
    assert not r.contains(2.5) and not r.contains("1.0") and not r.contains(None)
    assert i.contains(1) and i.contains(5)
    assert not i.contains(6) and not i.contains(2.0) and not i.contains("2")


def test_categorical():
    dim = Categorical(["sqrt", 0.5, None, True])
    assert dim.choices == ("sqrt", 0.5, None, True)
    assert dim.grid(2) == ["sqrt", 0.5, None, True]
    assert dim.contains(None) and dim.contains("sqrt") and not dim.contains("log2")
    with pytest.raises(ConfigError, match="at least one choice"):
        Categorical([])


def test_dimensions_are_hashable_and_compare_by_value():
    assert Real(0.1, 1.0, log=True) == Real(0.1, 1.0, log=True)
    assert Categorical(["a", "b"]) == Categorical(("a", "b"))
    assert len({Integer(1, 3), Integer(1, 3), Real(1.0, 3.0)}) == 2
    with pytest.raises(AttributeError):
        Real(0.0, 1.0).low = 0.5  # type: ignore[misc]


@pytest.mark.parametrize(
    "spec, expected",
    [
        ({"low": 1, "high": 10}, Integer(1, 10)),
        ({"low": 1, "high": 10, "log": True}, Integer(1, 10, log=True)),
        ({"low": 0.1, "high": 1.0}, Real(0.1, 1.0)),
        ({"low": 1, "high": 2.5}, Real(1.0, 2.5)),
        ({"low": 1e-4, "high": 1e-1, "log": True}, Real(1e-4, 1e-1, log=True)),
        (["a", "b"], Categorical(["a", "b"])),
        (("x",), Categorical(["x"])),
    ],
)
def test_dimension_from_spec(spec, expected):
    dim = dimension_from_spec(spec)
    assert dim == expected and type(dim) is type(expected)


def test_dimension_from_spec_passes_dimensions_through():
    dim = Real(0.0, 1.0)
    assert dimension_from_spec(dim) is dim


@pytest.mark.parametrize("spec", ["five", 5, {"low": 1}, {"high": 2}, None])
def test_dimension_from_spec_rejects_bad_specs(spec):
    with pytest.raises(ConfigError, match="Cannot read a search dimension"):
        dimension_from_spec(spec)


def test_dimension_from_spec_validates_the_range():
    with pytest.raises(ConfigError):
        dimension_from_spec({"low": 5, "high": 1})
    with pytest.raises(ConfigError):
        dimension_from_spec([])


def test_describe_dimension():
    assert describe_dimension(Categorical(["a", 1])) == "{a, 1}"
    assert describe_dimension(Integer(1, 10)) == "[1, 10]"
    assert describe_dimension(Real(0.001, 1.0, log=True)) == "[0.001, 1.0, log]"
