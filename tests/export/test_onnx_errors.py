"""What export refuses, and how it says so; the converter table; the CLI command."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.neighbors import KNeighborsClassifier

from automl import AutoMLClassifier, cli
from automl.exceptions import AutoMLError, ExportError, NotFittedError
from automl.export import converters, onnx_inputs

from ._onnx_checks import assert_classifier_parity, categorical_frame

pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0, "max_trials": 1}


@pytest.fixture
def fitted():
    X, y = categorical_frame(200)
    return AutoMLClassifier(models=["logreg"], **FAST).fit(X, y), X


def test_unfitted_model_is_refused(tmp_path):
    with pytest.raises(NotFittedError, match="not fitted"):
        AutoMLClassifier().export_onnx(str(tmp_path / "m.onnx"))


def test_unwritable_paths_are_refused_before_any_work(fitted, tmp_path):
    clf, _ = fitted
    with pytest.raises(ExportError, match="does not exist"):
        clf.export_onnx(str(tmp_path / "missing" / "m.onnx"))
    with pytest.raises(ExportError, match="is a directory"):
        clf.export_onnx(str(tmp_path))
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_a_model_without_converter_is_named(fitted, tmp_path):
    clf, X = fitted
    pipe = clf.final_model_.members[0][0]
    knn = KNeighborsClassifier(3).fit(
        pipe[:-1].transform(X), pipe.steps[-1][1].classes_[np.arange(len(X)) % 2]
    )
    pipe.steps[-1] = ("model", knn)
    with pytest.raises(ExportError, match="KNeighborsClassifier has no ONNX converter") as info:
        clf.export_onnx(str(tmp_path / "m.onnx"))
    assert "register_converter" in str(info.value)
    assert isinstance(info.value, AutoMLError) and isinstance(info.value, ValueError)
    assert not (tmp_path / "m.onnx").exists()


def test_a_registered_converter_plugs_in(fitted, tmp_path, monkeypatch):
    """One entry in the table makes a new kind of model exportable, and exact."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    def knn_converter(model, builder, x, n_features):
        onx = convert_sklearn(
            model,
            initial_types=[("X", FloatTensorType([None, n_features]))],
            target_opset={"": 17, "ai.onnx.ml": 3},
            options={id(model): {"zipmap": False}},
        )
        return builder.inline(onx, {"X": x}, "knn")[1]

    monkeypatch.setattr(converters, "_CONVERTERS", dict(converters._CONVERTERS))
    converters.register_converter(KNeighborsClassifier, knn_converter)
    clf, X = fitted
    pipe = clf.final_model_.members[0][0]
    rows = pipe[:-1].transform(X)
    pipe.steps[-1] = ("model", KNeighborsClassifier(5).fit(rows, pipe.steps[-1][1].predict(rows)))
    assert_classifier_parity(clf, X, tmp_path)


def test_time_zone_aware_date_column_is_named(tmp_path):
    X, y = categorical_frame(200)
    X["signup"] = pd.date_range("2020-01-01", periods=len(X), freq="D", tz="Europe/Paris")
    clf = AutoMLClassifier(models=["logreg"], **FAST).fit(X, y)
    with pytest.raises(ExportError, match="signup"):
        clf.export_onnx(str(tmp_path / "m.onnx"))


def test_model_saved_with_other_library_versions_is_refused(fitted, tmp_path, monkeypatch):
    from automl import persistence

    clf, _ = fitted
    path = clf.save(str(tmp_path / "model.joblib"))
    loaded = persistence.load(path)
    loaded.export_onnx(str(tmp_path / "same.onnx"))  # same versions: fine
    real = persistence.library_versions()
    monkeypatch.setattr(persistence, "library_versions", lambda: {**real, "scikit-learn": "0.1.0"})
    with pytest.raises(ExportError, match="scikit-learn"):
        loaded.export_onnx(str(tmp_path / "other.onnx"))


def test_cli_export_writes_a_runnable_file(fitted, tmp_path, capsys):
    import onnxruntime as ort

    clf, X = fitted
    model = clf.save(str(tmp_path / "model.joblib"))
    out = tmp_path / "model.onnx"
    assert cli.main(["export", model, "-o", str(out)]) == 0
    assert "ONNX model written" in capsys.readouterr().out
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["label", "probabilities"]
    assert {i.name: i.type for i in session.get_inputs()} == {
        "colour": "tensor(string)",
        "size": "tensor(string)",
        "x": "tensor(double)",
        "z": "tensor(double)",
    }
    X_new = X.iloc[:50].copy()
    X_new.loc[X_new.index[:5], "colour"] = None
    label, proba = session.run(None, onnx_inputs(clf, X_new))  # the library's own feed
    np.testing.assert_allclose(proba, clf.predict_proba(X_new), atol=1e-4)
    np.testing.assert_array_equal(label, clf.predict(X_new))
    assert cli.main(["export", model, "-o", str(tmp_path / "no" / "m.onnx")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_column_named_as_an_output_is_refused(tmp_path):
    X, y = categorical_frame(200)
    clf = AutoMLClassifier(models=["logreg"], **FAST).fit(X.rename(columns={"x": "label"}), y)
    with pytest.raises(ExportError, match="'label'"):
        clf.export_onnx(str(tmp_path / "m.onnx"))


def test_cli_export_with_float_inputs(fitted, tmp_path, capsys):
    import onnxruntime as ort

    clf, X = fitted
    model = clf.save(str(tmp_path / "model.joblib"))
    out = tmp_path / "model32.onnx"
    assert cli.main(["export", model, "-o", str(out), "--numeric-dtype", "float32"]) == 0
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert {i.name: i.type for i in session.get_inputs()}["x"] == "tensor(float)"
    label, proba = session.run(None, onnx_inputs(clf, X, numeric_dtype="float32"))
    np.testing.assert_allclose(proba, clf.predict_proba(X), atol=1e-4)
    np.testing.assert_array_equal(label, clf.predict(X))
    capsys.readouterr()
    assert cli.main(["export", model, "-o", str(out), "--numeric-dtype", "float16"]) == 2
    assert "float64" in capsys.readouterr().err  # the choices are listed
