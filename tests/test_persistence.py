"""Tests of automl.persistence: atomic save, checked load, version handling.

The model file format (see automl/persistence.py) is a joblib pickle of
``{"format": "automl-model", "format_version": 1, "versions": {...}, "estimator": ...}``;
the version and corruption cases below are crafted with ``joblib.dump`` of such dicts.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from automl import load, persistence
from automl.exceptions import ModelFileError, NotFittedError
from automl.persistence import library_versions, save

FORMAT = "automl-model"
FORMAT_VERSION = 1


def _payload(estimator, **versions) -> dict:
    current = library_versions()
    current.update(versions)
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": current,
        "estimator": estimator,
    }


def _files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


@pytest.fixture(scope="module")
def model_file(tmp_path_factory, fitted_binary) -> Path:
    path = tmp_path_factory.mktemp("saved") / "model.joblib"
    fitted_binary.save(path)
    return path


def test_file_format_constants_are_pinned():
    # Changing them makes every existing model file unreadable: do it on purpose only.
    assert (persistence.FORMAT, persistence.FORMAT_VERSION) == (FORMAT, FORMAT_VERSION)


# ------------------------------------------------------------------------------ round trip


def test_round_trip_predicts_identically(model_file, fitted_binary, binary_split):
    _, X_test, _, y_test = binary_split
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # same versions: no warning at all
        loaded = load(model_file)
    assert type(loaded) is type(fitted_binary)
    assert loaded.get_params() == fitted_binary.get_params()
    np.testing.assert_array_equal(loaded.classes_, fitted_binary.classes_)
    np.testing.assert_array_equal(loaded.predict_proba(X_test), fitted_binary.predict_proba(X_test))
    np.testing.assert_array_equal(loaded.predict(X_test), fitted_binary.predict(X_test))
    pd.testing.assert_frame_equal(loaded.leaderboard_, fitted_binary.leaderboard_)
    assert loaded.evaluate(X_test, y_test) == fitted_binary.evaluate(X_test, y_test)


def test_saved_file_records_versions(model_file):
    payload = joblib.load(model_file)
    assert payload["format"] == FORMAT and payload["format_version"] == FORMAT_VERSION
    assert payload["versions"] == library_versions()
    assert payload["versions"]["automl-tabular"] is not None


def test_save_returns_path_and_creates_parent_dirs(tmp_path, fitted_binary):
    target = tmp_path / "a" / "b" / "model.joblib"
    assert fitted_binary.save(str(target)) == str(target)
    assert target.is_file()
    assert _files(target.parent) == ["model.joblib"]  # no temporary file left behind


def test_load_accepts_str_and_path(model_file):
    assert load(str(model_file)).classes_.tolist() == load(Path(model_file)).classes_.tolist()


# ---------------------------------------------------------------------------------- atomicity


def test_save_replaces_existing_file_only_after_complete_write(
    tmp_path, fitted_binary, monkeypatch
):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"old model")
    real_dump = joblib.dump
    seen = {}

    def spying_dump(value, filename, *args, **kwargs):
        result = real_dump(value, filename, *args, **kwargs)
        # the whole payload is now written elsewhere; the destination is untouched so far
        seen["tmp"] = Path(filename)
        seen["target_during_write"] = target.read_bytes()
        return result

    monkeypatch.setattr(joblib, "dump", spying_dump)
    fitted_binary.save(target)
    assert seen["target_during_write"] == b"old model"
    assert seen["tmp"] != target and seen["tmp"].parent == target.parent  # same filesystem
    assert _files(tmp_path) == ["model.joblib"]
    assert isinstance(load(target), type(fitted_binary))


def test_failed_write_keeps_existing_file_and_leaves_no_temp_file(tmp_path, monkeypatch):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"old model")
    real_dump = joblib.dump
    partial = {}

    def recording_dump(value, filename, *args, **kwargs):
        try:
            return real_dump(value, filename, *args, **kwargs)
        finally:
            partial["size"] = Path(filename).stat().st_size if Path(filename).exists() else 0

    monkeypatch.setattr(joblib, "dump", recording_dump)
    # a big array is written before the unpicklable lambda makes pickling fail half-way
    unpicklable = {"weights": np.arange(200_000, dtype=float), "hook": lambda: None}
    with pytest.raises(Exception):  # noqa: B017 (pickle's own error, whatever its type)
        save(unpicklable, target)
    assert partial["size"] > 100_000, "the write should have failed part-way through"
    assert target.read_bytes() == b"old model"
    assert _files(tmp_path) == ["model.joblib"]


def test_failed_rename_keeps_existing_file(tmp_path, fitted_binary, monkeypatch):
    target = tmp_path / "model.joblib"
    target.write_bytes(b"old model")

    def failing_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="No space left"):
        fitted_binary.save(target)
    assert target.read_bytes() == b"old model"
    assert _files(tmp_path) == ["model.joblib"]


# ----------------------------------------------------------------------- corrupted files


@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.9])
def test_truncated_file_raises(fraction, model_file, tmp_path):
    data = model_file.read_bytes()
    broken = tmp_path / "truncated.joblib"
    broken.write_bytes(data[: int(len(data) * fraction)])
    with pytest.raises(ModelFileError, match=r"truncated\.joblib.*truncated or corrupted"):
        load(broken)


def test_first_half_and_any_cut_of_a_model_file_raise(model_file, tmp_path):
    data = model_file.read_bytes()
    broken = tmp_path / "truncated.joblib"
    # the first half (as a crashed copy would leave), a cut inside the pickle frame header
    # (bytes 3-10 hold its 8-byte length, whatever the model), and a sweep of the file
    cuts = [len(data) // 2, 5, *range(0, len(data), max(1, len(data) // 40))]
    failures = []
    for cut in cuts:
        broken.write_bytes(data[:cut])
        try:
            load(broken)
        except ModelFileError as exc:
            assert "truncated or corrupted" in str(exc)
        except Exception as exc:  # noqa: BLE001 - collected and reported below
            failures.append(f"cut at {cut}/{len(data)}: {type(exc).__name__}: {exc}")
        else:
            failures.append(f"cut at {cut}/{len(data)}: loaded without error")
    assert not failures, "\n".join(failures)


def test_garbage_file_raises(tmp_path):
    broken = tmp_path / "garbage.joblib"
    broken.write_bytes(np.random.default_rng(0).bytes(4096))
    with pytest.raises(ModelFileError, match=r"garbage\.joblib.*truncated or corrupted"):
        load(broken)


def test_text_file_raises(tmp_path):
    broken = tmp_path / "notes.joblib"
    broken.write_text("label,x\n1,2\n")
    with pytest.raises(ModelFileError, match="truncated or corrupted"):
        load(broken)


@pytest.mark.parametrize(
    "other",
    [
        pytest.param({"weights": [1, 2, 3]}, id="dict"),
        pytest.param([1, 2, 3], id="list"),
        pytest.param(LogisticRegression(), id="sklearn-estimator"),
        pytest.param({"format": "something-else", "estimator": None}, id="other-format"),
    ],
)
def test_joblib_pickle_of_something_else_raises(other, tmp_path):
    path = tmp_path / "other.joblib"
    joblib.dump(other, path)
    with pytest.raises(ModelFileError, match=r"other\.joblib.*not an automl model file"):
        load(path)


def test_missing_file_raises(tmp_path):
    with pytest.raises(ModelFileError, match=r"nope\.joblib.*does not exist"):
        load(tmp_path / "nope.joblib")


def test_directory_raises(tmp_path):
    with pytest.raises(ModelFileError):
        load(tmp_path)


def test_other_format_version_raises(tmp_path, fitted_binary):
    path = tmp_path / "future.joblib"
    joblib.dump({**_payload(fitted_binary), "format_version": FORMAT_VERSION + 1}, path)
    with pytest.raises(ModelFileError, match=r"model-file format 2.*reads format 1"):
        load(path)


def test_malformed_versions_raise_model_file_error(tmp_path, fitted_binary):
    path = tmp_path / "odd.joblib"
    joblib.dump({**_payload(fitted_binary), "versions": None}, path)
    with pytest.raises(ModelFileError):
        load(path)


# --------------------------------------------------------------------------------- versions


def _major_bumped(version: str) -> str:
    major, *rest = version.split(".")
    return ".".join([str(int(major) + 1), *rest])


def test_other_major_automl_version_raises(tmp_path, fitted_binary):
    current = library_versions()["automl-tabular"]
    other = _major_bumped(current)
    path = tmp_path / "old.joblib"
    joblib.dump(_payload(fitted_binary, **{"automl-tabular": other}), path)
    with pytest.raises(ModelFileError, match=rf"saved by automl {other}.*this is {current}.*refit"):
        load(path)


def test_unknown_automl_version_raises(tmp_path, fitted_binary):
    payload = _payload(fitted_binary)
    del payload["versions"]
    path = tmp_path / "noversions.joblib"
    joblib.dump(payload, path)
    with pytest.raises(ModelFileError, match="no library-version record"):
        load(path)


def test_other_minor_automl_version_only_warns(tmp_path, fitted_binary, binary_split):
    current = library_versions()["automl-tabular"]
    major, *rest = current.split(".")
    other = f"{major}.999.0"
    path = tmp_path / "minor.joblib"
    joblib.dump(_payload(fitted_binary, **{"automl-tabular": other}), path)
    with pytest.warns(UserWarning, match=rf"automl-tabular {other} -> {current}"):
        loaded = load(path)
    _, X_test, _, _ = binary_split
    np.testing.assert_array_equal(loaded.predict(X_test), fitted_binary.predict(X_test))


@pytest.mark.parametrize("package", ["scikit-learn", "numpy", "pandas", "imbalanced-learn"])
def test_other_library_version_only_warns(package, tmp_path, fitted_binary, binary_split):
    current = library_versions()[package]
    path = tmp_path / "libs.joblib"
    joblib.dump(_payload(fitted_binary, **{package: "0.0.1"}), path)
    with pytest.warns(
        UserWarning,
        match=rf"other library versions \({package} 0\.0\.1 -> "
        rf"{current}\).*Refit",
    ):
        loaded = load(path)
    _, X_test, _, _ = binary_split
    np.testing.assert_array_equal(loaded.predict_proba(X_test), fitted_binary.predict_proba(X_test))


def test_other_python_version_does_not_warn(tmp_path, fitted_binary):
    path = tmp_path / "py.joblib"
    joblib.dump(_payload(fitted_binary, python="2.7.18"), path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(path)


# ------------------------------------------------------------------------------ unfitted


def test_save_unfitted_raises_not_fitted(tmp_path, fast_clf):
    with pytest.raises(NotFittedError):
        fast_clf().save(tmp_path / "unfitted.joblib")
    assert not list(tmp_path.iterdir())
