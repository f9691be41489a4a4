"""Date columns in the exported graph: exact calendar features, and whole models with dates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl import AutoMLClassifier
from automl.export import onnx_inputs
from automl.steps.datetime_features import DatetimeFeatures

from ._onnx_checks import categorical_frame

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")


def test_calendar_features_match_the_step_exactly():
    from onnx import TensorProto, helper

    from automl.export._builder import GraphBuilder
    from automl.export._dates import date_features

    rng = np.random.default_rng(0)
    stamps = pd.Series(  # 1800 to 2200: leap years, centuries, before 1970, times of day
        pd.Timestamp("1800-01-01")
        + pd.to_timedelta(rng.integers(0, 146_000, 2000), unit="D")
        + pd.to_timedelta(rng.integers(0, 86_400, 2000), unit="s")
    )
    stamps = pd.concat([stamps, pd.Series([pd.NaT, pd.Timestamp("2000-02-29 23:59:59")])])
    frame = pd.DataFrame({"when": stamps.to_numpy()})
    step = DatetimeFeatures().fit(frame)
    b = GraphBuilder()
    out = date_features(b, step, ["when"], {"when": "when"})
    b.nodes.append(helper.make_node("Identity", [out], ["features"]))
    width = len(step.get_feature_names_out())
    model = b.model(
        [helper.make_tensor_value_info("when", TensorProto.INT64, [None, 1])],
        [helper.make_tensor_value_info("features", TensorProto.DOUBLE, [None, width])],
        "dates",
    )
    ns = stamps.astype("datetime64[ns]").to_numpy().view(np.int64).reshape(-1, 1)
    got = ort.InferenceSession(model.SerializeToString()).run(None, {"when": ns})[0]
    expected = step.transform(frame)
    np.testing.assert_array_equal(got[:, :-1], expected[:, :-1])  # year .. hour: exact
    np.testing.assert_allclose(got[:, -1], expected[:, -1], rtol=1e-12)  # elapsed days
    assert np.isnan(got[-2]).all()


@pytest.mark.parametrize("family", ["logreg", "hist_gb"])
def test_models_with_date_columns(family, tmp_path):
    X, y = categorical_frame(300)
    rng = np.random.default_rng(0)
    X["when"] = (
        pd.Timestamp("1965-02-27")
        + pd.to_timedelta(rng.integers(0, 30_000, len(X)), unit="D")
        + pd.to_timedelta(rng.integers(0, 24, len(X)), unit="h")
    )
    X.loc[X.index[::13], "when"] = pd.NaT
    X["day"] = X["when"].dt.strftime("%d/%m/%Y").where(X["when"].notna(), None)  # text dates
    y = np.where(X["when"].dt.month.fillna(1).to_numpy() > 6, "yes", y)
    clf = AutoMLClassifier(
        models=[family], max_trials=1, time_budget=None, cv=3, n_jobs=1, random_state=0
    ).fit(X[:220], y[:220])
    assert clf.schema_.datetime == ("when", "day")
    session = ort.InferenceSession(clf.export_onnx(str(tmp_path / "m.onnx")))
    assert {i.name: i.type for i in session.get_inputs()}["when"] == "tensor(int64)"
    label, proba = session.run(None, onnx_inputs(clf, X[220:]))
    np.testing.assert_allclose(proba, clf.predict_proba(X[220:]), atol=1e-4)
    np.testing.assert_array_equal(label, clf.predict(X[220:]))
