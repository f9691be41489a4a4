"""Tests of automl.data: validation of X and y, schema inference, target encoding."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from automl.data import (
    Schema,
    encode_target,
    encode_with_classes,
    infer_schema,
    minority_class,
    validate_fit_data,
    validate_predict_data,
)
from automl.exceptions import DataError

N = 60


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(0)


@pytest.fixture
def frame(rng: np.random.Generator) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "num": rng.normal(size=N),
            "count": rng.integers(0, 4, N),
            "city": pd.Series(rng.choice(["Paris", "Lyon", "Nice"], N), dtype="str"),
            "colour": pd.Series(rng.choice(["red", "blue", None], N), dtype="string"),
            "size": pd.Categorical(rng.choice(["S", "M", "L"], N)),
            "flag": rng.random(N) > 0.5,
            "maybe": pd.array([True, False, None] * (N // 3), dtype="boolean"),
            "age": pd.array([*range(N - 1), None], dtype="Int64"),
            "score": pd.array([0.5, None] * (N // 2), dtype="Float64"),
            "when": pd.date_range("2021-01-01", periods=N, freq="D", tz="Europe/Paris"),
            "signup": pd.date_range("2020-02-01", periods=N, freq="7D").strftime("%d/%m/%Y"),
            "user_id": [f"u{i:05d}" for i in range(N)],
        }
    )


@pytest.fixture
def labels(rng: np.random.Generator) -> np.ndarray:
    return rng.choice(["no", "yes"], N)


def fit_schema(X, y) -> tuple[pd.DataFrame, Schema]:
    Xv, _ = validate_fit_data(X, y)
    return Xv, infer_schema(Xv)


# --------------------------------------------------------------------- accepted input


def test_dataframe_kinds(frame, labels):
    Xv, schema = fit_schema(frame, labels)
    assert schema.numeric == ("num", "count", "age", "score")
    assert schema.categorical == ("city", "colour", "size")
    assert schema.boolean == ("flag", "maybe")
    assert schema.datetime == ("when", "signup")
    assert schema.high_cardinality == ("user_id",)
    assert schema.dropped == ()
    assert schema.from_dataframe
    assert schema.n_features_in == frame.shape[1]
    assert schema.columns == tuple(frame.columns)
    assert "Europe/Paris" in schema.dtypes["when"]
    assert any("'user_id' is high-cardinality" in note for note in schema.notes)


def test_caller_objects_not_mutated(frame, labels):
    before = frame.copy()
    y = pd.Series(labels)
    Xv, yv = validate_fit_data(frame, y)
    Xv["num"] = 0.0
    yv[0] = "changed"
    pd.testing.assert_frame_equal(frame, before)
    assert y.iloc[0] == labels[0]


def test_numpy_input_named_x0(rng):
    X = rng.normal(size=(10, 3))
    Xv, y = validate_fit_data(X, [0, 1] * 5)
    schema = infer_schema(Xv)
    assert list(Xv.columns) == ["x0", "x1", "x2"]
    assert schema.numeric == ("x0", "x1", "x2")
    assert not schema.from_dataframe
    assert isinstance(y, np.ndarray) and y.ndim == 1


def test_list_of_rows_keeps_column_types():
    Xv, schema = fit_schema([[1, "a"], [2, "b"], [3, "a"]], ["p", "q", "p"])
    assert schema.numeric == ("x0",)
    assert schema.categorical == ("x1",)


def test_object_numpy_mixed_column_becomes_strings():
    X = np.array([[1, 1.5], ["a", 2.5], [2, 3.5], ["b", 0.5]], dtype=object)
    Xv, schema = fit_schema(X, [0, 1, 0, 1])
    assert schema.categorical == ("x0",)
    assert schema.numeric == ("x1",)
    assert list(Xv["x0"]) == ["1", "a", "2", "b"]


def test_non_string_column_names_converted(rng):
    X = pd.DataFrame(rng.normal(size=(6, 2)), columns=[0, 1])
    Xv, _ = validate_fit_data(X, [0, 1] * 3)
    assert list(Xv.columns) == ["0", "1"]


def test_object_booleans_and_dropped_columns(rng):
    X = pd.DataFrame(
        {
            "b": pd.Series([True, False, None] * 4, dtype=object),
            "const": 7,
            "empty": [None] * 12,
            "one_or_missing": ["x", None] * 6,
            "v": rng.normal(size=12),
        }
    )
    _, schema = fit_schema(X, [0, 1] * 6)
    assert schema.boolean == ("b",)
    assert schema.dropped == ("const", "empty")
    assert "column 'const' dropped: constant (value 7)" in schema.notes
    assert "column 'empty' dropped: all values missing" in schema.notes
    assert "one_or_missing" in schema.categorical


def test_date_strings_detected_and_numbers_rejected():
    n = 40
    X = pd.DataFrame(
        {
            "iso": pd.date_range("2020-01-01 08:30", periods=n, freq="h").astype(str),
            "dayfirst": pd.date_range("2020-01-01", periods=n).strftime("%d/%m/%Y"),
            "compact": [str(20200101 + i) for i in range(n)],
            "amount": [str(i * 1.5) for i in range(n)],
            "words": ["Mon", "Tue", "Wed", "Thu"] * (n // 4),
        }
    )
    _, schema = fit_schema(X, [0, 1] * (n // 2))
    assert schema.datetime == ("iso", "dayfirst")
    assert "compact" not in schema.datetime and "amount" not in schema.datetime
    assert "words" in schema.categorical


def test_mostly_unparseable_dates_are_not_dates():
    values = [f"2020-01-{d:02d}" for d in range(1, 29)] + ["n/a", "unknown", "soon"]
    _, schema = fit_schema(pd.DataFrame({"d": values}), [0, 1] * 15 + [0])
    assert schema.datetime == ()


def test_high_cardinality_rules(rng):
    n = 400
    X = pd.DataFrame(
        {
            "zip": [f"{z:05d}" for z in rng.integers(0, 120, n)],
            "low": rng.choice(list("abcdefgh"), n),
            "text": [f"the customer said thing number {i % 50}" for i in range(n)],
            "int_id": np.arange(n),
        }
    )
    _, schema = fit_schema(X, [0, 1] * (n // 2))
    assert set(schema.high_cardinality) == {"zip", "text"}
    assert schema.categorical == ("low",)
    assert "int_id" in schema.numeric
    assert any("'int_id' holds distinct integers" in note for note in schema.notes)


@pytest.mark.parametrize(
    "y",
    [
        pd.Series(["a", "b", "a", "b"], dtype="category"),
        pd.Series(["a", "b", "a", "b"], dtype="string"),
        pd.Series([True, False, True, False]),
        pd.Series([1, 2, 1, 2], dtype="Int64"),
        np.array([[1], [2], [1], [2]]),
        pd.DataFrame({"t": [1, 2, 1, 2]}),
        [1.5, 2.5, 1.5, 2.5],
    ],
)
def test_label_types_accepted(y):
    _, labels = validate_fit_data([[1], [2], [3], [4]], y)
    assert labels.shape == (4,)
    encoded, classes = encode_target(labels)
    assert encoded.dtype == np.int64 and len(classes) == 2
    np.testing.assert_array_equal(classes[encoded], labels)


# ------------------------------------------------------------------------ fit errors


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.empty((0, 3)), "empty"),
        (np.empty((5, 0)), "empty"),
        (pd.DataFrame(), "empty"),
        (np.arange(5.0), "2-D.*1-D.*reshape"),
        (np.zeros((2, 2, 2)), "2-D.*3-D"),
        (pd.Series([1.0, 2.0]), "2-D.*Series"),
        (sparse.csr_matrix(np.eye(3)), "sparse.*toarray"),
        ([[1, 2], [3]], "same number of values"),
        (None, "X is None"),
    ],
)
def test_bad_shapes_of_X(X, match):
    with pytest.raises(DataError, match=match):
        validate_fit_data(X, [0, 1, 0])


def test_length_mismatch():
    with pytest.raises(DataError, match="X has 4 rows but y has 3 labels"):
        validate_fit_data(np.zeros((4, 2)), [0, 1, 0])


def test_y_not_1d():
    with pytest.raises(DataError, match=r"y must be 1-D.*\(4, 2\)"):
        validate_fit_data(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(DataError, match="y must be 1-D.*2 columns"):
        validate_fit_data(np.zeros((4, 2)), pd.DataFrame({"a": [0, 1] * 2, "b": 1}))


@pytest.mark.parametrize("missing", [None, np.nan])
def test_missing_labels_counted_and_located(missing):
    y = pd.Series(["a", missing, "b", "a", missing], dtype=object)
    with pytest.raises(DataError, match=r"y has 2 missing labels.*positions \[1, 4\]"):
        validate_fit_data(np.zeros((5, 1)), y)


def test_single_class():
    with pytest.raises(DataError, match="single class.*'a'.*at least 2 classes"):
        validate_fit_data(np.zeros((3, 1)), ["a", "a", "a"])


def test_rare_class_is_allowed():
    _, y = validate_fit_data(np.zeros((4, 1)), ["a", "a", "a", "b"])
    assert list(y) == ["a", "a", "a", "b"]


def test_mixed_label_types():
    with pytest.raises(DataError, match="mixes label types.*int.*str"):
        validate_fit_data(np.zeros((4, 1)), np.array([1, "a", 2, "b"], dtype=object))


def test_infinite_values_named(rng):
    X = pd.DataFrame({"ok": rng.normal(size=4), "bad": [1.0, np.inf, 2.0, -np.inf]})
    with pytest.raises(DataError, match="infinite values in columns 'bad'"):
        validate_fit_data(X, [0, 1, 0, 1])


def test_duplicated_column_names():
    X = pd.DataFrame(np.zeros((2, 3)), columns=["a", "b", "a"])
    with pytest.raises(DataError, match="duplicated column names: 'a'"):
        validate_fit_data(X, [0, 1])


def test_column_names_colliding_after_str():
    X = pd.DataFrame(np.zeros((2, 2)), columns=[1, "1"])
    with pytest.raises(DataError, match="same name once converted to str.*'1'"):
        validate_fit_data(X, [0, 1])


@pytest.mark.parametrize(
    "X",
    [
        np.array([[1 + 2j], [3 + 0j]]),
        pd.DataFrame({"z": pd.Series([1 + 2j, 3j], dtype=object)}),
    ],
)
def test_complex_numbers(X):
    with pytest.raises(DataError, match="complex numbers"):
        validate_fit_data(X, [0, 1])


def test_unsupported_values_and_dtypes():
    X = pd.DataFrame({"lists": pd.Series([[1], [2]], dtype=object)})
    with pytest.raises(DataError, match="'lists' holds values of type list"):
        validate_fit_data(X, [0, 1])
    X = pd.DataFrame({"span": pd.to_timedelta([1, 2], unit="D")})
    with pytest.raises(DataError, match="'span'.*timedelta.*total_seconds"):
        validate_fit_data(X, [0, 1])


# -------------------------------------------------------------------- predict checks


def test_predict_reorders_columns(frame, labels):
    _, schema = fit_schema(frame, labels)
    shuffled = frame[list(reversed(frame.columns))]
    Xp = validate_predict_data(shuffled, schema)
    assert tuple(Xp.columns) == schema.columns
    pd.testing.assert_series_equal(Xp["num"], frame["num"])


def test_predict_missing_and_extra_columns(frame, labels):
    _, schema = fit_schema(frame, labels)
    with pytest.raises(DataError, match="missing columns 'num', 'city'"):
        validate_predict_data(frame.drop(columns=["num", "city"]), schema)
    with pytest.raises(DataError, match="extra columns 'surprise'.*reordered"):
        validate_predict_data(frame.assign(surprise=1), schema)


def test_predict_numpy_for_dataframe_model(frame, labels):
    _, schema = fit_schema(frame, labels)
    Xp = validate_predict_data(frame.to_numpy(), schema)
    assert tuple(Xp.columns) == schema.columns
    assert pd.api.types.is_float_dtype(Xp["num"])


def test_predict_wrong_column_count_for_numpy(rng):
    _, schema = fit_schema(rng.normal(size=(6, 3)), [0, 1] * 3)
    with pytest.raises(DataError, match="X has 2 columns but 3 were seen in fit"):
        validate_predict_data(rng.normal(size=(2, 2)), schema)


def test_predict_numeric_column_with_strings(frame, labels):
    _, schema = fit_schema(frame, labels)
    bad = frame.assign(num=frame["num"].astype(object))
    bad.loc[3, "num"] = "oops"
    with pytest.raises(DataError, match="'num' was numeric at fit.*'oops'"):
        validate_predict_data(bad, schema)
    fine = frame.assign(num=frame["num"].astype(str))
    assert validate_predict_data(fine, schema)["num"].dtype == float


def test_predict_infinite_values(frame, labels):
    _, schema = fit_schema(frame, labels)
    with pytest.raises(DataError, match="infinite values in columns 'num'"):
        validate_predict_data(frame.assign(num=np.inf), schema)


def test_predict_unseen_categories_and_numbers_in_string_column(frame, labels):
    X = frame.assign(code=[str(i % 3) for i in range(N)])
    _, schema = fit_schema(X, labels)
    Xp = validate_predict_data(X.assign(city="Berlin", code=[i % 4 for i in range(N)]), schema)
    assert (Xp["city"] == "Berlin").all()
    assert Xp["code"].tolist()[:4] == ["0", "1", "2", "3"]


def test_predict_sparse_and_empty(frame, labels):
    _, schema = fit_schema(frame, labels)
    with pytest.raises(DataError, match="sparse"):
        validate_predict_data(sparse.csr_matrix(np.eye(3)), schema)
    with pytest.raises(DataError, match="empty"):
        validate_predict_data(frame.iloc[:0], schema)


# ------------------------------------------------------------------ target encoding


def test_encode_target_and_minority():
    encoded, classes = encode_target(np.array(["b", "a", "c", "b"]))
    assert encoded.tolist() == [1, 0, 2, 1] and classes.tolist() == ["a", "b", "c"]
    assert minority_class(encoded) == 2  # "a" and "c" tie; the larger label wins
    assert minority_class(np.array([1, 1, 0, 0, 0])) == 1


def test_encode_with_classes():
    classes = np.array(["no", "yes"])
    assert encode_with_classes(pd.Series(["yes", "no"]), classes).tolist() == [1, 0]
    with pytest.raises(DataError, match="labels not seen in fit: 'maybe'"):
        encode_with_classes(["yes", "maybe"], classes)
    with pytest.raises(DataError, match="1 missing labels"):
        encode_with_classes(["yes", None], classes)
    assert encode_with_classes([1, 0], np.array([0, 1])).tolist() == [1, 0]


# ------------------------------------------------------ extension and Arrow dtypes


def test_nullable_columns_become_numpy_backed():
    X = pd.DataFrame(
        {
            "full": pd.array([1, 2, 3, 4], dtype="Int64"),
            "gaps": pd.array([1, None, 3, 4], dtype="UInt8"),
            "f32": pd.array([0.5, None, 1.5, 2.0], dtype="Float32"),
            "flag": pd.array([True, False, True, False], dtype="boolean"),
            "maybe": pd.array([True, None, False, True], dtype="boolean"),
            "mixed_na": pd.Series([1, pd.NA, 2.5, None], dtype=object),
        }
    )
    Xv, schema = fit_schema(X, [0, 1, 0, 1])
    assert Xv["full"].dtype == np.int64 and Xv["gaps"].dtype == np.float64
    assert Xv["f32"].dtype == np.float32 and Xv["flag"].dtype == bool
    assert Xv["maybe"].dtype == object and Xv["maybe"].isna().tolist() == [0, 1, 0, 0]
    assert Xv["mixed_na"].dtype == np.float64
    assert schema.numeric == ("full", "gaps", "f32", "mixed_na")
    assert schema.boolean == ("flag", "maybe")
    assert schema.source_dtypes["gaps"] == "UInt8"
    assert schema.conversions["maybe"] == "boolean -> object (boolean)"
    # predict converts the same way, whatever dtype the column comes back in
    Xp = validate_predict_data(X.astype({"gaps": "Int32"}), schema)
    assert Xp["gaps"].dtype == np.float64 and np.isnan(Xp["gaps"].iloc[1])


def test_arrow_backed_columns_become_numpy_backed():
    pa = pytest.importorskip("pyarrow")
    X = pd.DataFrame(
        {
            "n": pd.array([1, None, 3, 4], dtype="int64[pyarrow]"),
            "s": pd.array(["a", "b", None, "a"], dtype="string[pyarrow]"),
            "t": pd.array([1, 2, None, 4], dtype=pd.ArrowDtype(pa.timestamp("ms", tz="UTC"))),
            "d": pd.array([1, 2, 3, None], dtype=pd.ArrowDtype(pa.date32())),
            "nothing": pd.array([None] * 4, dtype=pd.ArrowDtype(pa.null())),
        }
    )
    Xv, schema = fit_schema(X, [0, 1, 0, 1])
    assert Xv["n"].dtype == np.float64
    assert str(Xv["t"].dtype) == "datetime64[ms, UTC]" and Xv["t"].isna().sum() == 1
    assert str(Xv["d"].dtype) == "datetime64[s]"
    assert schema.categorical == ("s",) and schema.datetime == ("t", "d")
    assert schema.dropped == ("nothing",)
    assert schema.source_dtypes["t"] == "timestamp[ms, tz=UTC][pyarrow]"
    durations = pd.DataFrame({"span": pd.array([1, 2], dtype=pd.ArrowDtype(pa.duration("s")))})
    with pytest.raises(DataError, match="'span'.*durations"):
        validate_fit_data(durations, [0, 1])


def test_polars_frame_and_labels_are_accepted():
    pl = pytest.importorskip("polars")
    pytest.importorskip("pyarrow")
    X = pl.DataFrame({"a": [1, None, 3, 4], "b": ["x", "y", None, "x"]})
    Xv, y = validate_fit_data(X, pl.Series("y", ["p", "q", "p", "q"]))
    schema = infer_schema(Xv)
    assert schema.numeric == ("a",) and schema.categorical == ("b",)
    assert schema.from_dataframe and y.tolist() == ["p", "q", "p", "q"]
    Xp = validate_predict_data(X.select(["b", "a"]), schema)
    assert list(Xp.columns) == ["a", "b"]


@pytest.mark.parametrize("dtype", ["Int64", "string[python]", "boolean", "category"])
def test_labels_of_extension_dtypes(dtype):
    values = {"Int64": [0, 1, 1, 0], "boolean": [True, False, True, False]}
    y = pd.Series(values.get(dtype, ["a", "b", "b", "a"]), dtype=dtype)
    _, labels = validate_fit_data(np.zeros((4, 1)), y)
    assert labels.dtype != object or all(isinstance(v, str) for v in labels)
    assert len(encode_target(labels)[1]) == 2


def test_missing_nullable_labels_are_named():
    y = pd.Series([0, 1, None, 0], dtype="Int64")
    with pytest.raises(DataError, match="1 missing labels"):
        validate_fit_data(np.zeros((4, 1)), y)
