"""ONNX export of classifiers, run in onnxruntime and compared with predict_proba/predict.

Each fit is small and deterministic (``max_trials``, no time limit); the checks are
on held-out rows: probabilities within 1e-4, identical labels.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_wine, make_classification
from sklearn.model_selection import train_test_split

from automl import AutoMLClassifier

from ._onnx_checks import assert_classifier_parity, categorical_frame, run_onnx

pytest.importorskip("onnxruntime")
pytest.importorskip("skl2onnx")

FAST = {"time_budget": None, "cv": 3, "n_jobs": 1, "random_state": 0}


@pytest.fixture(scope="module")
def cancer():
    X, y = load_breast_cancer(return_X_y=True, as_frame=True)
    return train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)


def test_numeric_ensemble_of_linear_and_forests(cancer, tmp_path):
    X_train, X_test, y_train, _ = cancer
    clf = AutoMLClassifier(
        models=["logreg", "random_forest", "extra_trees"], max_trials=6, **FAST
    ).fit(X_train, y_train)
    families = {type(p.steps[-1][1]).__name__ for p, _ in clf.final_model_.members}
    assert len(clf.final_model_.members) >= 2, families  # an ensemble, not one member
    assert_classifier_parity(clf, X_test, tmp_path)


@pytest.mark.parametrize("family", ["hist_gb", "xgboost", "logreg"])
def test_categoricals_with_missing_values_and_unseen_categories(family, tmp_path):
    X, y = categorical_frame(wide=True)
    clf = AutoMLClassifier(models=[family], max_trials=2, ensemble=False, **FAST)
    clf.fit(X.iloc[:300], y[:300])
    assert clf.schema_.high_cardinality == ("code",)  # target-encoded
    encoder = clf.final_model_.members[0][0][0].named_transformers_["categorical"][-1]
    if family != "hist_gb":  # one-hot groups the rare cities
        assert encoder.infrequent_categories_[2] is not None
    X_test = X.iloc[300:].copy()
    X_test.iloc[:5, 0] = "purple"  # a category never seen in fit
    X_test.iloc[5:10, 0] = None
    assert_classifier_parity(clf, X_test, tmp_path)
    assert set(run_onnx(clf, X_test, tmp_path)["label"]) <= {"no", "yes"}  # string labels


def test_multiclass_forest_with_integer_labels(tmp_path):
    X, y = load_wine(return_X_y=True, as_frame=True)
    X_train, X_test, y_train, _ = train_test_split(X, y, random_state=0, stratify=y)
    clf = AutoMLClassifier(models=["random_forest"], max_trials=1, **FAST)
    clf.fit(X_train, y_train + 10)  # integer labels that are not 0..k-1
    assert run_onnx(clf, X_test, tmp_path)["label"].dtype == np.int64
    assert_classifier_parity(clf, X_test, tmp_path)


@pytest.mark.parametrize(
    ("n_classes", "inputs"),
    [
        (2, {}),
        (3, {}),
        (2, {"numeric_scaling": "robust_clip", "numeric_embedding": "periodic"}),
        (3, {"ensemble_size": 4}),
    ],
)
def test_net_member_with_embedded_categories(n_classes, inputs, tmp_path):
    """A member whose model is the PyTorch net, behind the library's own preprocessing.

    The net is fitted here in a few epochs on the member's preprocessed rows (a
    search would spend minutes on it); ordinal codes reach it as embeddings; the
    robust, clipped scaling and periodic embeddings of numeric columns export too, and
    so do several members trained at once (their averaged probabilities).
    """
    from automl.nets import TabularNetClassifier

    X, y = categorical_frame()
    if n_classes == 3:
        y = np.where(X["size"].eq("L"), "maybe", y)
    clf = AutoMLClassifier(models=["hist_gb"], max_trials=1, ensemble=False, **FAST)
    clf.fit(X.iloc[:300], y[:300])
    pipe = clf.final_model_.members[0][0]
    n_cat = len(clf.schema_.categorical)
    net = TabularNetClassifier(
        categorical_features=list(range(n_cat)),
        hidden_width=16,
        max_epochs=3,
        batch_size=64,
        device="cpu",
        random_state=0,
        **inputs,
    )
    y_enc = np.searchsorted(clf.classes_, y[:300])
    net.fit(pipe[:-1].transform(X.iloc[:300]), y_enc)
    pipe.steps[-1] = ("model", net)
    assert_classifier_parity(clf, X.iloc[300:], tmp_path)


def test_imbalanced_binary_label_uses_the_tuned_threshold(tmp_path):
    X, y = make_classification(
        n_samples=600, n_features=8, weights=[0.9], class_sep=0.6, flip_y=0.1, random_state=0
    )
    X_train, X_test, y_train, _ = train_test_split(X, y, random_state=0, stratify=y)
    clf = AutoMLClassifier(models=["logreg", "xgboost"], max_trials=3, metric="f1", **FAST)
    clf.fit(X_train, y_train)
    assert clf.threshold_ is not None and abs(clf.threshold_ - 0.5) > 1e-3
    out = run_onnx(clf, X, tmp_path)
    # the threshold decides some rows: argmax alone would give other labels
    assert (out["probabilities"].argmax(axis=1) != out["label"]).any()
    assert_classifier_parity(clf, X_test, tmp_path)
    assert_classifier_parity(clf, X, tmp_path)
