"""Bad inputs to ``fit``, ``predict``, ``evaluate`` and the command line.

Each case asserts the exception type (DataError, ConfigError, NotFittedError,
ModelFileError: all ValueError or TypeError subclasses, see automl/exceptions.py)
and that the message names the problem. Inputs that automl documents as handled
(all-missing and constant columns, unseen categories, reordered columns) are
checked to work. Errors in ``fit`` are raised before any search starts, so the
error matrix needs no fitting; the predict cases reuse the session's fitted models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from automl import AutoMLClassifier
from automl.cli import main as cli_main
from automl.exceptions import (
    AutoMLError,
    ConfigError,
    DataError,
    NotFittedError,
)

N = 60


def _X() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame(rng.normal(size=(N, 4)), columns=["a", "b", "c", "d"])


def _y() -> np.ndarray:
    return np.array([0, 1] * (N // 2))


def _with(X: pd.DataFrame, row: int, col: str, value: Any) -> pd.DataFrame:
    """A copy of X with one cell set (the column turns to object for a non-float value)."""
    X = X.copy()
    if isinstance(value, float):
        X.loc[row, col] = value
    else:
        values = X[col].to_numpy(dtype=object, copy=True)
        values[X.index.get_loc(row)] = value
        X[col] = pd.Series(values, index=X.index, dtype=object)
    return X


def _y_with(value: Any, at: int = 3) -> np.ndarray:
    y = _y().astype(object)
    y[at] = value
    return y


def _clf(**kw: Any) -> AutoMLClassifier:
    settings = {
        "time_budget": None,
        "max_trials": 1,
        "models": ["logreg"],
        "cv": 3,
        "random_state": 0,
        "n_jobs": 1,
    }
    return AutoMLClassifier(**{**settings, **kw})


# ----------------------------------------------------------------------------- fit: data errors

#: (id, X factory, y factory, exception, message pattern)
DATA_CASES: list[tuple[str, Callable[[], Any], Callable[[], Any], type, str]] = [
    ("length-mismatch", _X, lambda: _y()[:-1], DataError, r"X has 60 rows but y has 59 labels"),
    (
        "empty-rows",
        lambda: _X().iloc[:0],
        lambda: _y()[:0],
        DataError,
        r"X is empty: shape \(0, 4\)",
    ),
    ("empty-columns", lambda: np.empty((N, 0)), _y, DataError, r"X is empty: shape \(60, 0\)"),
    ("X-1d", lambda: _X()["a"].to_numpy(), _y, DataError, r"X must be 2-D.*1-D input.*reshape"),
    ("X-series", lambda: _X()["a"], _y, DataError, r"X must be 2-D.*Series.*to_frame"),
    ("X-3d", lambda: np.zeros((N, 2, 2)), _y, DataError, r"X must be 2-D.*3-D input.*\(60, 2, 2\)"),
    ("X-none", lambda: None, _y, DataError, r"X is None"),
    (
        "X-sparse",
        lambda: sparse.csr_matrix(_X().to_numpy()),
        _y,
        DataError,
        r"sparse matrix.*toarray",
    ),
    (
        "X-ragged-rows",
        lambda: [[1.0, 2.0], [3.0]] * (N // 2),
        _y,
        DataError,
        r"rows have different lengths",
    ),
    ("y-nan", _X, lambda: _y_with(np.nan), DataError, r"y has 1 missing labels.*positions \[3\]"),
    (
        "y-none-value",
        _X,
        lambda: _y_with(None, at=7),
        DataError,
        r"y has 1 missing labels.*positions \[7\]",
    ),
    ("y-none", _X, lambda: None, DataError, r"y is None"),
    ("y-2-columns", _X, lambda: np.c_[_y(), _y()], DataError, r"y must be 1-D.*\(60, 2\)"),
    (
        "y-single-class",
        _X,
        lambda: np.zeros(N, dtype=int),
        DataError,
        r"y has a single class.*at least 2 classes",
    ),
    (
        "y-unsortable-types",
        _X,
        lambda: pd.Series([1, "a"] * (N // 2), dtype=object),
        DataError,
        r"y mixes label types \(int, str\)",
    ),
    (
        "only-one-class-with-two-samples",
        lambda: _X().iloc[:41],
        lambda: np.r_[np.zeros(40, dtype=int), 1],
        DataError,
        r"at least 2 classes with 2 or more samples",
    ),
    ("inf", lambda: _with(_X(), 5, "b", np.inf), _y, DataError, r"infinite values in columns 'b'"),
    (
        "minus-inf",
        lambda: _with(_X(), 5, "c", -np.inf),
        _y,
        DataError,
        r"infinite values in columns 'c'",
    ),
    ("complex", lambda: _X().to_numpy() + 1j, _y, DataError, r"Column 'x0' holds complex numbers"),
    (
        "duplicated-columns",
        lambda: _X().set_axis(["a", "a", "b", "c"], axis=1),
        _y,
        DataError,
        r"duplicated column names: 'a'",
    ),
    (
        "columns-collide-as-str",
        lambda: _X().iloc[:, :2].set_axis([1, "1"], axis=1),
        _y,
        DataError,
        r"same name once converted to str",
    ),
    (
        "dict-values",
        lambda: _with(_X(), 0, "a", {"k": 1}),
        _y,
        DataError,
        r"Column 'a' holds values of type dict",
    ),
    (
        "timedelta-column",
        lambda: _X().assign(t=pd.to_timedelta(np.arange(N), unit="s")),
        _y,
        DataError,
        r"Column 't' has dtype timedelta64.*total_seconds",
    ),
]


@pytest.mark.parametrize(
    ("make_X", "make_y", "exc", "match"),
    [pytest.param(*case[1:], id=case[0]) for case in DATA_CASES],
)
def test_fit_refuses_bad_data(make_X, make_y, exc, match):
    with pytest.raises(exc, match=match) as info:
        _clf().fit(make_X(), make_y())
    assert isinstance(info.value, (ValueError, TypeError)) and isinstance(info.value, AutoMLError)


def test_one_sample_class_is_trained_on_and_named_in_the_notes():
    y = np.where(_y() == 1, "dog", "cat").astype(object)
    y[0] = "bird"
    clf = _clf().fit(_X(), y)
    assert "bird" in clf.classes_
    assert any("'bird'" in note and "single sample" in note for note in clf.notes_)


# --------------------------------------------------------------------------- fit: config errors

CONFIG_CASES: list[tuple[str, dict[str, Any], str]] = [
    (
        "unknown-family",
        {"models": ["xgbost"]},
        r"Unknown model family 'xgbost'.*Did you mean 'xgboost'",
    ),
    ("models-empty", {"models": []}, r"'models' parameter.*non-empty list.*Got \[\]"),
    ("models-str", {"models": "logreg"}, r"'models' parameter.*Got 'logreg'"),
    (
        "unknown-preset",
        {"pipeline": "fsat"},
        r"Unknown pipeline preset 'fsat'.*default, fast, imbalanced.*Did you mean 'fast'",
    ),
    ("missing-preset-file", {"pipeline": "/no/such/dir/graph.toml"}, r"does not exist"),
    ("pipeline-wrong-type", {"pipeline": 123}, r"'pipeline' parameter.*Got 123"),
    ("unknown-metric", {"metric": "rocauc"}, r"Unknown metric 'rocauc'.*Did you mean 'roc_auc'"),
    ("metric-not-optimisable", {"metric": "precision"}, r"'precision' cannot be optimised"),
    ("time-budget-negative", {"time_budget": -1}, r"'time_budget' parameter.*Got -1 instead"),
    ("time-budget-zero", {"time_budget": 0}, r"'time_budget' parameter.*Got 0 instead"),
    ("time-budget-str", {"time_budget": "abc"}, r"'time_budget' parameter.*Got 'abc' instead"),
    ("time-budget-inf", {"time_budget": float("inf")}, r"'time_budget' parameter.*Got inf"),
    (
        "no-stopping-rule",
        {"time_budget": None, "max_trials": None},
        r"Set time_budget or max_trials",
    ),
    ("max-trials-zero", {"max_trials": 0}, r"'max_trials' parameter.*int >= 1.*Got 0 instead"),
    ("max-trials-float", {"max_trials": 2.5}, r"'max_trials' parameter.*Got 2.5 instead"),
    ("cv-one", {"cv": 1}, r"'cv' parameter.*int >= 2.*Got 1 instead"),
    ("cv-str", {"cv": "5"}, r"'cv' parameter.*Got '5' instead"),
    ("threshold-above-one", {"threshold": 2.0}, r"'threshold' parameter.*\(0, 1\).*Got 2.0"),
    ("threshold-zero", {"threshold": 0.0}, r"'threshold' parameter.*Got 0.0"),
    ("n-jobs-zero", {"n_jobs": 0}, r"'n_jobs' parameter.*-1 or an int >= 1.*Got 0 instead"),
    (
        "unknown-search",
        {"search": "foo"},
        r"'search' parameter.*\['bayes', 'bohb', 'grid', 'hyperband', 'random'\].*Got 'foo'",
    ),
    ("unknown-device", {"device": "tpu"}, r"'device' parameter.*Got 'tpu'"),
    (
        "memory-limit-negative",
        {"memory_limit": -5},
        r"'memory_limit' parameter.*positive number of megabytes.*Got -5",
    ),
    ("memory-limit-word", {"memory_limit": "lots"}, r"'memory_limit' parameter.*Got 'lots'"),
    ("ensemble-not-bool", {"ensemble": "yes"}, r"'ensemble' parameter.*a bool.*Got 'yes'"),
    ("resume-without-log-dir", {"resume": True}, r"resume=True needs log_dir"),
    ("pos-label-not-a-class", {"pos_label": "zzz"}, r"pos_label='zzz' is not one of the classes"),
    ("random-state-str", {"random_state": "abc"}, r"'random_state' parameter.*Got 'abc'"),
    ("random-state-negative", {"random_state": -1}, r"'random_state' parameter.*Got -1"),
    ("random-state-float", {"random_state": 1.5}, r"'random_state' parameter.*Got 1.5"),
    ("verbose-str", {"verbose": "abc"}, r"'verbose' parameter.*Got 'abc'"),
    ("resume-not-bool", {"resume": "yes", "log_dir": "run"}, r"'resume' parameter.*Got 'yes'"),
]


@pytest.mark.parametrize(
    ("params", "match"), [pytest.param(*case[1:], id=case[0]) for case in CONFIG_CASES]
)
def test_fit_refuses_bad_parameters(params, match):
    clf = _clf(**params)  # __init__ only stores: no error yet
    with pytest.raises(ConfigError, match=match) as info:
        clf.fit(_X(), _y())
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("params", "name"),
    [
        pytest.param(
            {"log_dir": 123},
            "log_dir",
        ),
    ],
)
def test_unvalidated_parameters_raise_config_error(params, name):
    with pytest.raises(ConfigError, match=f"'{name}' parameter"):
        _clf(**params).fit(_X(), _y())


# ---------------------------------------------------------------------- handled, no error


def test_all_missing_and_constant_columns_are_dropped(fitted_mixed, mixed_data):
    X, y = mixed_data
    assert set(fitted_mixed.schema_.dropped) == {"empty", "const"}
    assert fitted_mixed.n_features_in_ == X.shape[1]  # dropped columns still count as input
    # at predict, whatever those columns hold is ignored
    X_new = X.iloc[:10].assign(empty=5.0, const=-3.0)
    np.testing.assert_array_equal(fitted_mixed.predict(X_new), fitted_mixed.predict(X.iloc[:10]))


def test_only_constant_and_missing_columns_plus_one_feature(tiny_clf):
    X = _X().iloc[:, :1].assign(k=7, gone=np.nan, label_like="same")
    clf = tiny_clf(max_trials=1).fit(X, _y())
    assert set(clf.schema_.dropped) == {"k", "gone", "label_like"}
    assert clf.predict(X).shape == (N,)


def test_unseen_categories_at_predict(fitted_mixed, mixed_data):
    X, _ = mixed_data
    X_new = X.iloc[:4].copy()
    X_new["city"] = ["Berlin", "Tokyo", None, "Paris"]  # unseen, unseen, missing, seen
    X_new["size"] = pd.Categorical(["XL", "S", "XXS", "M"])
    proba = fitted_mixed.predict_proba(X_new)
    assert proba.shape == (4, 2) and np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


def test_missing_values_and_reordered_columns_at_predict(fitted_binary, binary_split):
    _, X_test, _, _ = binary_split
    X_nan = X_test.copy()
    X_nan.iloc[0, 0] = np.nan
    assert fitted_binary.predict(X_nan).shape == (len(X_test),)
    reordered = X_test[X_test.columns[::-1]]
    np.testing.assert_array_equal(fitted_binary.predict(reordered), fitted_binary.predict(X_test))
    # a numpy array with the fit columns in order is matched by position
    np.testing.assert_array_equal(
        fitted_binary.predict(X_test.to_numpy()), fitted_binary.predict(X_test)
    )


# ----------------------------------------------------------------------------- predict errors


def _drop_first(X):
    return X.drop(columns=X.columns[0])


PREDICT_CASES = [
    ("missing-column", _drop_first, r"missing columns 'mean radius'"),
    ("extra-column", lambda X: X.assign(extra=1.0), r"extra columns 'extra'"),
    (
        "numpy-too-few-columns",
        lambda X: X.to_numpy()[:, :7],
        r"X has 7 columns but 8 were seen in fit",
    ),
    (
        "numpy-too-many-columns",
        lambda X: np.c_[X.to_numpy(), X.to_numpy()[:, :1]],
        r"X has 9 columns but 8 were seen in fit",
    ),
    ("X-1d", lambda X: X.to_numpy()[0], r"X must be 2-D.*1-D"),
    ("empty", lambda X: X.iloc[:0], r"X is empty"),
    (
        "inf",
        lambda X: _with(X, X.index[0], "mean texture", np.inf),
        r"infinite values in columns 'mean texture'",
    ),
    (
        "text-in-numeric-column",
        lambda X: _with(X, X.index[0], "mean area", "big"),
        r"Column 'mean area' was numeric at fit but now holds 1 non-numeric values.*'big'",
    ),
    ("complex", lambda X: X.astype(complex), r"holds complex numbers"),
]


@pytest.mark.parametrize(
    ("transform", "match"), [pytest.param(*case[1:], id=case[0]) for case in PREDICT_CASES]
)
@pytest.mark.parametrize("method", ["predict", "predict_proba"])
def test_predict_refuses_bad_data(method, transform, match, fitted_binary, binary_split):
    _, X_test, _, _ = binary_split
    with pytest.raises(DataError, match=match):
        getattr(fitted_binary, method)(transform(X_test))


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda c, X, y: c.predict(X), id="predict"),
        pytest.param(lambda c, X, y: c.predict_proba(X), id="predict_proba"),
        pytest.param(lambda c, X, y: c.evaluate(X, y), id="evaluate"),
        pytest.param(lambda c, X, y: c.score(X, y), id="score"),
        pytest.param(lambda c, X, y: c.report("report.html"), id="report"),
    ],
)
def test_use_before_fit_raises_not_fitted(call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NotFittedError, match="not fitted yet.*Call 'fit'") as info:
        call(_clf(), _X(), _y())
    assert isinstance(info.value, SklearnNotFittedError)
    assert isinstance(info.value, ValueError)  # sklearn's NotFittedError is a ValueError
    assert not list(tmp_path.iterdir())


def test_evaluate_with_unseen_labels(fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    y_bad = np.where(y_test == 1, 1, 7)
    with pytest.raises(DataError, match=r"labels not seen in fit: 7.*Classes seen in fit: 0, 1"):
        fitted_binary.evaluate(X_test, y_bad)


def test_evaluate_with_missing_labels(fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    y_bad = np.array(y_test, dtype=float)
    y_bad[2] = np.nan
    with pytest.raises(DataError, match=r"1 missing labels"):
        fitted_binary.evaluate(X_test, y_bad)


def test_evaluate_with_y_of_another_length(fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    with pytest.raises(DataError, match=r"rows.*labels|length"):
        fitted_binary.evaluate(X_test, y_test.iloc[:-1])


# ----------------------------------------------------------------------------------- the CLI


@pytest.fixture(scope="module")
def cli_files(tmp_path_factory, fitted_binary, binary_split):
    """A training CSV, a saved real model, and broken model files."""
    d = tmp_path_factory.mktemp("cli")
    X_train, X_test, y_train, _ = binary_split
    X_train.assign(label=np.where(y_train == 1, "benign", "malignant")).to_csv(
        d / "train.csv", index=False
    )
    _drop_first(X_test).to_csv(d / "test_missing_col.csv", index=False)
    fitted_binary.save(d / "model.joblib")
    (d / "corrupt.joblib").write_bytes(b"this is not a model file\n" * 40)
    joblib.dump({"weights": [1, 2, 3]}, d / "other.joblib")
    (d / "empty.csv").write_text("")
    return d


CLI_CASES = [
    (
        "fit-missing-file",
        ["fit", "{d}/nope.csv", "--target", "label"],
        r"no such file or directory: '.*nope\.csv'",
    ),
    (
        "fit-unknown-target",
        ["fit", "{d}/train.csv", "--target", "lable"],
        r"target column 'lable' is not in .*Did you mean 'label'\?",
    ),
    ("fit-empty-csv", ["fit", "{d}/empty.csv", "--target", "label"], r"cannot read CSV"),
    (
        "fit-bad-budget",
        ["fit", "{d}/train.csv", "--target", "label", "--budget", "-1"],
        r"'time_budget' parameter.*Got -1",
    ),
    (
        "fit-unknown-metric",
        ["fit", "{d}/train.csv", "--target", "label", "--metric", "rocauc"],
        r"Unknown metric 'rocauc'",
    ),
    (
        "fit-unknown-family",
        ["fit", "{d}/train.csv", "--target", "label", "--models", "xgbost", "--max-trials", "1"],
        r"Did you mean 'xgboost'",
    ),
    (
        "fit-unknown-preset",
        ["fit", "{d}/train.csv", "--target", "label", "--pipeline", "fsat", "--max-trials", "1"],
        r"Unknown pipeline preset 'fsat'",
    ),
    (
        "predict-missing-model",
        ["predict", "{d}/nope.joblib", "{d}/train.csv"],
        r"nope\.joblib.*does not exist|no such file",
    ),
    (
        "predict-corrupt-model",
        ["predict", "{d}/corrupt.joblib", "{d}/train.csv"],
        r"corrupt\.joblib.*truncated or corrupted",
    ),
    (
        "predict-not-a-model",
        ["predict", "{d}/other.joblib", "{d}/train.csv"],
        r"other\.joblib.*not an automl model file",
    ),
    (
        "predict-missing-data",
        ["predict", "{d}/model.joblib", "{d}/nope.csv"],
        r"no such file or directory: '.*nope\.csv'",
    ),
    (
        "predict-missing-column",
        ["predict", "{d}/model.joblib", "{d}/test_missing_col.csv"],
        r"mean radius",
    ),
    (
        "report-corrupt-model",
        ["report", "{d}/corrupt.joblib", "-o", "{d}/r.html"],
        r"truncated or corrupted",
    ),
]


@pytest.mark.parametrize(
    ("argv", "match"), [pytest.param(*case[1:], id=case[0]) for case in CLI_CASES]
)
def test_cli_user_errors_print_one_line(argv, match, cli_files, capsys):
    import re

    code = cli_main([a.format(d=cli_files) for a in argv])
    out, err = capsys.readouterr()
    assert code != 0
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("automl: error: ")
    assert re.search(match, lines[0]), lines[0]
    assert "Traceback" not in err + out
    assert not (cli_files / "r.html").exists()


def test_cli_usage_error_has_no_traceback(cli_files, capsys):
    code = cli_main(["fit", str(cli_files / "train.csv")])  # --target missing
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines()[-1].endswith("the following arguments are required: --target")
    assert "Traceback" not in err + out
