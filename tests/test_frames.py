"""Real-world frames: every pandas dtype a user meets, with missing values, end to end.

Each case builds a frame of some dtype (nullable integers holding ``pd.NA``,
``string`` of either storage, Arrow-backed columns, polars, ...) and its plain
numpy/pandas equivalent. A model fitted on the frame must predict exactly what a
model fitted on the plain equivalent predicts, before and after a save/load round
trip. Fits are tiny (one logistic regression family, two trials, 200 rows).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import cache

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

import automl
from automl import AutoMLClassifier
from automl.data import infer_schema, validate_fit_data
from automl.exceptions import SearchError

try:  # the cloudpickle loky uses: joblib's vendored copy (older joblib) or the package
    from joblib.externals import cloudpickle
except ImportError:  # pragma: no cover - depends on the joblib version
    import cloudpickle

# Worker processes rebuild the failing family below whatever pytest's import mode:
# ship this module's functions and classes by value rather than by import path.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

N = 200
#: Probabilities may differ by solver round-off (lbfgs stops at a tolerance; BLAS threads).
TOL = 1e-4
#: Two parallel workers: the dtype matrix must hold where trials run in parallel (issue 13).
SETTINGS = {
    "models": ["logreg"],
    "max_trials": 2,
    "time_budget": None,
    "cv": 3,
    "n_jobs": 2,
    "random_state": 0,
}


def _plain() -> tuple[pd.DataFrame, np.ndarray]:
    """Numpy-backed columns with NaN/NaT for missing values, and labels."""
    rng = np.random.default_rng(0)
    num = rng.normal(size=N)
    count = rng.integers(0, 6, N).astype(float)
    flag = rng.random(N) > 0.5
    city = rng.choice(["Paris", "Lyon", "Nice"], N).astype(object)
    when = pd.Series(pd.date_range("2021-01-01", periods=N, freq="37h"))
    y = np.where(num + 0.4 * count + (city == "Lyon") + rng.normal(0, 0.7, N) > 1.5, "yes", "no")
    frame = pd.DataFrame(
        {
            "num": num,
            "count": count,
            "flag": pd.Series(flag, dtype=object),
            "city": city,
            "when": when,
        }
    )
    frame.loc[::9, "num"] = np.nan
    frame.loc[3::11, "count"] = np.nan
    frame.loc[5::13, "flag"] = np.nan
    frame.loc[2::17, "city"] = np.nan
    frame.loc[7::19, "when"] = pd.NaT
    frame["city"] = frame["city"].astype(pd.Series(["a", None]).dtype)  # this pandas' strings
    return frame, y


def _with(column: str, convert: Callable[[pd.Series], object]) -> Callable[[pd.DataFrame], object]:
    def make(plain: pd.DataFrame) -> pd.DataFrame:
        frame = plain.copy()
        frame[column] = convert(plain[column])
        return frame

    return make


def _nullable_int(dtype: str) -> Callable[[pd.DataFrame], object]:
    return _with("count", lambda s: pd.array([pd.NA if pd.isna(v) else int(v) for v in s], dtype))


def _arrow(plain: pd.DataFrame) -> pd.DataFrame:
    pytest.importorskip("pyarrow")
    frame = plain.convert_dtypes(dtype_backend="pyarrow")
    assert str(frame["count"].dtype) == "int64[pyarrow]"
    return frame


def _arrow_dates(plain: pd.DataFrame) -> pd.DataFrame:
    pa = pytest.importorskip("pyarrow")
    frame = plain.copy()
    frame["when"] = pd.Series(
        pd.array(plain["when"].dt.date, dtype=pd.ArrowDtype(pa.date32())), index=plain.index
    )
    return frame


def _plain_dates(plain: pd.DataFrame) -> pd.DataFrame:
    frame = plain.copy()
    frame["when"] = plain["when"].dt.normalize()
    return frame


def _arrow_timestamp_tz(plain: pd.DataFrame) -> pd.DataFrame:
    pa = pytest.importorskip("pyarrow")
    frame = _tz_aware(plain)
    frame["when"] = frame["when"].astype(pd.ArrowDtype(pa.timestamp("us", tz="Europe/Paris")))
    return frame


def _tz_aware(plain: pd.DataFrame) -> pd.DataFrame:
    frame = plain.copy()
    frame["when"] = plain["when"].dt.tz_localize("Europe/Paris")
    return frame


def _polars(plain: pd.DataFrame) -> object:
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    frame = plain.copy()
    frame["flag"] = plain["flag"].astype("boolean")
    return pl.from_pandas(frame)


def _int_names(plain: pd.DataFrame) -> pd.DataFrame:
    frame = plain.copy()
    frame.columns = range(plain.shape[1])
    return frame


def _plain_int_names(plain: pd.DataFrame) -> pd.DataFrame:
    frame = plain.copy()
    frame.columns = [str(i) for i in range(plain.shape[1])]
    return frame


def _float32(plain: pd.DataFrame) -> pd.DataFrame:
    frame = plain.copy()
    frame["num"] = plain["num"].astype("float32")
    return frame


def _same(plain: pd.DataFrame) -> pd.DataFrame:
    return plain


#: id -> (make the frame from the plain one, make the plain equivalent)
CASES: dict[str, tuple[Callable, Callable]] = {
    **{dt: (_nullable_int(dt), _same) for dt in ("Int8", "Int16", "Int32", "Int64")},
    **{dt: (_nullable_int(dt), _same) for dt in ("UInt8", "UInt16", "UInt32", "UInt64")},
    "Float64": (_with("num", lambda s: s.astype("Float64")), _same),
    "Float32": (_with("num", lambda s: s.astype("Float32")), _float32),
    "boolean": (_with("flag", lambda s: s.astype("boolean")), _same),
    "string-python": (_with("city", lambda s: s.astype("string[python]")), _same),
    "string-pyarrow": (_with("city", lambda s: s.astype("string[pyarrow]")), _same),
    "str-default": (_with("city", lambda s: s.astype(pd.StringDtype(na_value=np.nan))), _same),
    "object-None": (_with("city", lambda s: s.astype(object).where(s.notna(), None)), _same),
    "category-unused": (
        _with("city", lambda s: s.astype(pd.CategoricalDtype(["Lyon", "Nice", "Paris", "Rome"]))),
        _same,
    ),
    "arrow-backend": (_arrow, _same),
    "arrow-date32": (_arrow_dates, _plain_dates),
    "arrow-timestamp-tz": (_arrow_timestamp_tz, _tz_aware),
    "tz-aware": (_tz_aware, _same),
    "polars": (_polars, _same),
    "int-column-names": (_int_names, _plain_int_names),
}


@cache
def _fitted_plain(variant: str) -> AutoMLClassifier:
    plain, y = _plain()
    make = {"same": _same, "float32": _float32, "dates": _plain_dates, "tz": _tz_aware}
    make["names"] = _plain_int_names
    return AutoMLClassifier(**SETTINGS).fit(make[variant](plain), y)


_VARIANT = {_same: "same", _float32: "float32", _plain_dates: "dates", _tz_aware: "tz"}
_VARIANT[_plain_int_names] = "names"


@pytest.mark.parametrize("case", list(CASES))
def test_dtype_fits_predicts_and_round_trips_like_plain_data(case, tmp_path):
    make_frame, make_plain = CASES[case]
    plain, y = _plain()
    frame = make_frame(plain)
    clf = AutoMLClassifier(**SETTINGS).fit(frame, y)
    assert all(r["status"] == "ok" for r in clf.trials_), clf.leaderboard_["error"].tolist()
    reference = _fitted_plain(_VARIANT[make_plain])
    expected = reference.predict_proba(make_plain(plain))
    np.testing.assert_allclose(clf.predict_proba(frame), expected, atol=TOL)
    loaded = automl.load(clf.save(str(tmp_path / "model.joblib")))
    np.testing.assert_array_equal(loaded.predict(frame), clf.predict(frame))
    # a single row at predict, missing values included, goes through the same conversion
    first = frame[:1] if case != "polars" else frame.head(1)
    np.testing.assert_allclose(loaded.predict_proba(first), clf.predict_proba(frame)[:1])


def test_schema_records_each_columns_source_dtype_and_kind():
    plain, y = _plain()
    frame = plain.copy()
    frame["count"] = _nullable_int("Int64")(plain)["count"]
    frame["flag"] = plain["flag"].astype("boolean")
    frame["city"] = plain["city"].astype("string[python]")
    Xv, _ = validate_fit_data(frame, y)
    schema = infer_schema(Xv)
    assert Xv["count"].dtype == np.float64 and Xv["flag"].dtype == object
    assert schema.source_dtypes["count"] == "Int64"
    assert schema.conversions["count"] == "Int64 -> float64 (numeric)"
    assert schema.conversions["flag"] == "boolean -> object (boolean)"
    assert schema.conversions["city"].startswith("string -> ")
    assert schema.conversions["city"].endswith("(categorical)")
    assert schema.kind_of("when") == "datetime"


def test_nullable_column_with_na_in_parallel_workers():
    plain, y = _plain()
    frame = _nullable_int("Int64")(plain)
    frame["flag"] = plain["flag"].astype("boolean")
    clf = AutoMLClassifier(**{**SETTINGS, "n_jobs": 2}).fit(frame, y)
    assert set(clf.leaderboard_["status"]) == {"ok"}
    assert clf.predict(frame).shape == (N,)


# ---------------------------------------------------------- failure reasons from workers


class _Boom(ClassifierMixin, BaseEstimator):
    """Raises in ``fit``: every trial of its family fails with the same message."""

    def fit(self, X, y):
        raise ValueError("boom 42")


def _build_boom(params, ctx):
    return _Boom()


def _no_params(ctx):
    return {}


@pytest.fixture
def boom_family():
    """A user-registered family whose estimator raises ``ValueError("boom 42")`` in fit."""
    from automl.models import ModelFamily, register, registry

    family = register(
        ModelFamily(
            name="boom_test",
            build=_build_boom,
            space=_no_params,
            default=_no_params,
            supports_class_weight=False,
        )
    )
    yield family.name
    registry._FAMILIES.pop(family.name, None)


def test_failing_family_in_parallel_workers_reports_its_message(boom_family):
    plain, y = _plain()
    parallel = {**SETTINGS, "n_jobs": 2}
    clf = AutoMLClassifier(**{**parallel, "models": [boom_family, "logreg"]}).fit(plain, y)
    errors = clf.leaderboard_.set_index("family")["error"]
    assert "ValueError: boom 42" in errors[boom_family]
    assert "ValueError: boom 42 (at " in errors[boom_family]  # where it was raised
    with pytest.raises(SearchError, match="ValueError: boom 42"):
        AutoMLClassifier(**{**parallel, "models": [boom_family], "max_trials": 1}).fit(plain, y)
