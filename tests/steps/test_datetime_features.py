"""Tests of automl.steps.datetime_features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

from automl.exceptions import ConfigError, DataError, NotFittedError
from automl.steps.datetime_features import (
    ALL_FEATURES,
    DatetimeFeatures,
    infer_date_format,
    parse_dates,
)


@parametrize_with_checks([DatetimeFeatures()])
def test_sklearn_compatible(estimator, check):
    # Numeric input, as the common checks use, is read as nanoseconds since the epoch.
    check(estimator)


@pytest.fixture
def dates() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "day": ["2021-03-01", "2021-03-15", None, "not a date"],
            "stamp": pd.to_datetime(
                ["2020-01-01 10:30", "2020-01-02", "2019-12-31 23:00", None], format="ISO8601"
            ).tz_localize("Europe/Paris"),
        }
    )


def test_features_values_and_names(dates):
    step = DatetimeFeatures().fit(dates)
    names = step.get_feature_names_out().tolist()
    assert names == [
        "day_year", "day_month", "day_day", "day_day_of_week", "day_elapsed_days",
        "stamp_year", "stamp_month", "stamp_day", "stamp_day_of_week", "stamp_hour",
        "stamp_elapsed_days",
    ]  # fmt: skip
    out = pd.DataFrame(step.transform(dates), columns=names)
    assert out.dtypes.eq(float).all()
    assert out.loc[1, ["day_year", "day_month", "day_day", "day_day_of_week"]].tolist() == [
        2021,
        3,
        15,
        0,
    ]
    assert out.loc[1, "day_elapsed_days"] == 14.0
    assert out.loc[[2, 3], "day_year"].isna().all()  # missing and unparseable → NaN
    assert out.loc[0, "stamp_hour"] == 10.0  # local time of the tz-aware column
    assert out.loc[2, "stamp_elapsed_days"] == 0.0  # earliest date is the origin
    assert np.isnan(out.loc[3, "stamp_elapsed_days"])


def test_hour_only_when_times_present():
    X = pd.DataFrame({"d": pd.date_range("2020-01-01", periods=3, freq="D")})
    assert "d_hour" not in DatetimeFeatures().fit(X).get_feature_names_out()


def test_elapsed_days_relative_to_fit_origin():
    train = pd.DataFrame({"d": ["2020-01-10", "2020-01-20"]})
    test = pd.DataFrame({"d": ["2020-01-05", "2020-02-09"]})
    step = DatetimeFeatures(features=["elapsed_days"]).fit(train)
    assert step.transform(test)[:, 0].tolist() == [-5.0, 30.0]


def test_iso_dates_then_times():
    step = DatetimeFeatures(features=["hour"]).fit(pd.DataFrame({"d": ["2020-01-01 10:00"]}))
    out = step.transform(pd.DataFrame({"d": ["2020-01-02", "2020-01-03T08:15:00"]}))
    assert out[:, 0].tolist() == [0.0, 8.0]


def test_format_learned_at_fit_is_reused():
    train = pd.DataFrame({"d": ["13/02/2020", "01/03/2020"]})  # day first
    step = DatetimeFeatures(features=["month"]).fit(train)
    assert step.date_formats_ == ("%d/%m/%Y",)
    assert step.transform(pd.DataFrame({"d": ["01/02/2020"]}))[0, 0] == 2.0


def test_array_input_and_feature_names():
    X = np.array([["2020-01-01"], ["2020-06-30"]], dtype=object)
    step = DatetimeFeatures(features=["year", "month"]).fit(X)
    assert step.get_feature_names_out().tolist() == ["x0_year", "x0_month"]
    assert step.transform(X).tolist() == [[2020.0, 1.0], [2020.0, 6.0]]


def test_contracts(dates):
    step = DatetimeFeatures(features=("year",))
    assert step.get_params() == {"features": ("year",)}
    assert clone(step).get_params() == step.get_params()
    with pytest.raises(NotFittedError, match="not fitted"):
        step.transform(dates)
    assert step.fit_transform(dates).shape == (4, 2)
    with pytest.raises(ValueError, match="3 features, but DatetimeFeatures is expecting 2"):
        clone(step).fit(dates.to_numpy()).transform(dates.assign(third=1).to_numpy())
    with pytest.raises(ValueError, match="feature names should match"):
        step.transform(dates.rename(columns={"day": "other"}))
    step.set_output(transform="pandas")
    assert list(step.transform(dates).columns) == ["day_year", "stamp_year"]


@pytest.mark.parametrize("features", [["year", "week"], "year", []])
def test_bad_features_parameter(features):
    with pytest.raises(ConfigError, match="'features' parameter"):
        DatetimeFeatures(features=features).fit(pd.DataFrame({"d": ["2020-01-01"]}))


def test_column_without_dates():
    with pytest.raises(DataError, match="'d' holds no value that parses as a date"):
        DatetimeFeatures().fit(pd.DataFrame({"d": ["apple", "pear"]}))


def test_infer_date_format():
    assert infer_date_format(pd.Series(["2021-03-01", None, "2021-03-02"])) == "ISO8601"
    assert infer_date_format(pd.Series(["Mar 1, 2021", "Mar 2, 2021"])) == "%b %d, %Y"
    assert infer_date_format(pd.Series(["20210301", "20210302"])) is None
    assert infer_date_format(pd.Series(["red", "blue"])) is None
    assert infer_date_format(pd.Series([], dtype=object)) is None
    mixed = pd.Series(["2021-03-01", "2021-03-02 10:00:00"])
    assert infer_date_format(mixed) is not None


def test_parse_dates_mixed_offsets_become_utc():
    parsed = parse_dates(pd.Series(["2020-01-01T00:00:00+01:00", "2020-01-01T00:00:00+02:00"]))
    assert str(parsed.dt.tz) == "UTC"
    assert parsed.diff().iloc[1] == pd.Timedelta(hours=-1)


def test_datetime_objects_with_mixed_time_zones():
    stamps = [pd.Timestamp("2020-01-01", tz="UTC"), pd.Timestamp("2020-01-03", tz="Europe/Paris")]
    X = pd.DataFrame({"d": pd.Series(stamps, dtype=object)})
    out = DatetimeFeatures(features=["year", "elapsed_days"]).fit_transform(X)
    np.testing.assert_allclose(out, [[2020.0, 0.0], [2020.0, 2.0 - 1 / 24]])


def test_all_features_constant():
    assert ALL_FEATURES[-1] == "elapsed_days"
