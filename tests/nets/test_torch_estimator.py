"""TorchClassifier and TorchRegressor: a user's module trained as a scikit-learn estimator.

Quality on held-out rows, the module__* / optimizer__* parameters through clone and
set_params, early stopping, class and sample weights, pickling, reproducibility, and
the errors a user meets. The common scikit-learn checks are in test_torch_conformance.py.
"""

from __future__ import annotations

import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, make_classification, make_regression
from sklearn.metrics import recall_score, roc_auc_score
from sklearn.model_selection import cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from automl.exceptions import ConfigError, DataError
from automl.nets import TorchClassifier, TorchRegressor


class MLP(nn.Module):
    """What a user writes: built as MLP(n_features, n_outputs, hidden=..., dropout=...)."""

    def __init__(self, n_features: int, n_outputs: int, hidden: int = 32, dropout: float = 0.0):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden, n_outputs),
        )

    def forward(self, x):
        return self.body(x)


def single_logit(n_features: int, n_classes: int, hidden: int = 32) -> nn.Module:
    """A binary head with one logit, as users of BCEWithLogitsLoss write it."""
    return nn.Sequential(nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, 1))


def net(cls=TorchClassifier, **params):
    defaults = dict(lr=3e-3, batch_size=64, max_epochs=40, n_threads=1, random_state=0)
    return cls(MLP, **{**defaults, **params})


@pytest.fixture(scope="module")
def cancer():
    """Breast cancer, scaled on the training rows only."""
    X, y = load_breast_cancer(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0, stratify=y)
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


# -- quality on held-out rows ------------------------------------------------------------------
@pytest.mark.parametrize("module", [MLP, single_logit], ids=["two-logits", "one-logit"])
def test_breast_cancer_roc_auc(cancer, module):
    X_tr, X_te, y_tr, y_te = cancer
    clf = TorchClassifier(module, lr=3e-3, batch_size=64, n_threads=1, random_state=0)
    clf.fit(X_tr, y_tr)
    proba = clf.predict_proba(X_te)
    assert proba.shape == (len(X_te), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # held out: 0.99 measured for both heads
    assert roc_auc_score(y_te, proba[:, 1]) >= 0.98
    assert clf.score(X_te, y_te) >= 0.93


def test_regression_r2_and_multi_output():
    X, y = make_regression(n_samples=800, n_features=10, n_informative=6, noise=10, random_state=0)
    X_tr, X_te, y_tr, y_te = train_test_split(X, y * 1e4 + 5e5, random_state=0)
    reg = net(TorchRegressor, max_epochs=100, patience=10, module__hidden=64).fit(X_tr, y_tr)
    pred = reg.predict(X_te)
    assert pred.shape == (len(X_te),) and pred.dtype == np.float64
    # held out: 0.99 measured; the target's offset and scale are undone at predict
    assert reg.score(X_te, y_te) >= 0.95
    Y_tr, Y_te = np.column_stack([y_tr, -2 * y_tr]), np.column_stack([y_te, -2 * y_te])
    multi = net(TorchRegressor, max_epochs=100, patience=10, module__hidden=64).fit(X_tr, Y_tr)
    assert multi.predict(X_te).shape == (len(X_te), 2)
    assert multi.score(X_te, Y_te) >= 0.95


def test_cross_val_score_with_a_pipeline():
    X, y = load_breast_cancer(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), net(max_epochs=20))
    scores = cross_val_score(pipe, X, y, cv=3, scoring="roc_auc")
    assert scores.min() >= 0.97  # 0.99 measured on every fold


# -- module__* and optimizer__* parameters -----------------------------------------------------
def test_module_params_through_get_params_clone_and_set_params(cancer):
    X_tr, _, y_tr, _ = cancer
    clf = net(module__hidden=8, optimizer__betas=(0.8, 0.99))
    shallow = clf.get_params(deep=False)
    assert shallow["module__hidden"] == 8 and shallow["optimizer__betas"] == (0.8, 0.99)
    assert "module__dropout" not in shallow
    assert clf.get_params()["module__dropout"] == 0.0  # deep: the module's own defaults
    twin = clone(clf)
    assert twin.get_params(deep=False) == shallow
    twin.set_params(module__hidden=5, module__dropout=0.2, lr=1e-2)
    assert clf.get_params(deep=False)["module__hidden"] == 8  # the original is untouched
    twin.fit(X_tr, y_tr)
    assert twin.module_.body[0].out_features == 5
    assert twin.module_.body[2].p == 0.2
    assert "module__hidden=5" in repr(twin)


def test_nested_names_through_a_pipeline():
    pipe = make_pipeline(StandardScaler(), net())
    assert pipe.get_params()["torchclassifier__module__hidden"] == 32  # the module's default
    pipe.set_params(torchclassifier__module__hidden=4, torchclassifier__optimizer__eps=1e-6)
    X, y = XY
    pipe.fit(X, y)
    assert pipe[-1].module_.body[0].out_features == 4
    assert clone(pipe).get_params()["torchclassifier__optimizer__eps"] == 1e-6


def test_optimizer_by_name_and_class_with_its_arguments(cancer):
    X_tr, X_te, y_tr, y_te = cancer
    sgd = net(optimizer="sgd", lr=0.05, optimizer__momentum=0.9).fit(X_tr, y_tr)
    assert roc_auc_score(y_te, sgd.predict_proba(X_te)[:, 1]) >= 0.98
    adam = net(optimizer=torch.optim.Adam, max_epochs=5).fit(X_tr, y_tr)
    assert not np.allclose(adam.predict_proba(X_te), sgd.predict_proba(X_te))


# -- training ------------------------------------------------------------------------------------
def test_early_stopping_on_a_plateau_restores_the_best_epoch():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(400, 8)), rng.randint(0, 2, size=400)  # labels are noise
    clf = net(max_epochs=200, patience=3, lr=1e-2, module__hidden=64).fit(X, y)
    assert clf.stop_reason_ == "patience" and clf.n_epochs_ < 200
    assert len(clf.history_) == clf.n_epochs_
    val = [h["val_loss"] for h in clf.history_]
    assert clf.best_epoch_ == int(np.argmin(val)) == clf.n_epochs_ - 1 - 3
    assert all(h["train_loss"] > 0 for h in clf.history_)


def test_without_early_stopping_every_epoch_runs():
    X, y = make_classification(n_samples=200, random_state=0)
    clf = net(early_stopping=False, max_epochs=7).fit(X, y)
    assert clf.n_epochs_ == 7 and clf.best_epoch_ == 6 and clf.stop_reason_ == "max_epochs"
    assert all(h["val_loss"] is None for h in clf.history_)


def test_balanced_class_weight_raises_minority_recall():
    X, y = make_classification(
        n_samples=1500, n_features=8, weights=[0.93], class_sep=0.6, flip_y=0.02, random_state=0
    )
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=0, stratify=y)
    plain = net(max_epochs=30).fit(X_tr, y_tr)
    balanced = net(max_epochs=30, class_weight="balanced").fit(X_tr, y_tr)
    plain_recall = recall_score(y_te, plain.predict(X_te))
    balanced_recall = recall_score(y_te, balanced.predict(X_te))
    assert balanced_recall >= plain_recall + 0.2, (plain_recall, balanced_recall)


def test_sample_weight_shifts_predictions_and_uniform_weights_change_nothing():
    X, y = make_classification(n_samples=600, n_features=6, class_sep=0.5, random_state=0)
    plain = net(max_epochs=20).fit(X, y)
    ones = net(max_epochs=20).fit(X, y, sample_weight=np.full(len(y), 3.0))
    np.testing.assert_array_equal(ones.predict_proba(X), plain.predict_proba(X))
    heavy = net(max_epochs=20).fit(X, y, sample_weight=np.where(y == 1, 10.0, 1.0))
    assert heavy.predict(X).mean() >= plain.predict(X).mean() + 0.1


def test_seeded_fits_are_reproducible_and_leave_torch_rng_alone(cancer):
    X_tr, X_te, y_tr, _ = cancer
    torch.manual_seed(123)
    before = torch.random.get_rng_state()
    a = net(max_epochs=5, module__dropout=0.3).fit(X_tr, y_tr).predict_proba(X_te)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = net(max_epochs=5, module__dropout=0.3).fit(X_tr, y_tr).predict_proba(X_te)
    np.testing.assert_array_equal(a, b)
    c = net(max_epochs=5, module__dropout=0.3, random_state=1).fit(X_tr, y_tr)
    assert not np.array_equal(c.predict_proba(X_te), a)


@pytest.mark.parametrize("early_stopping", [True, False])
def test_warm_start_continues_exactly_where_training_stopped(cancer, early_stopping):
    """A Hyperband promotion: 4 epochs, pickled (a worker hands it on), then up to 12."""
    X_tr, X_te, y_tr, _ = cancer
    params = dict(module__dropout=0.2, early_stopping=early_stopping, patience=50)
    at_once = net(max_epochs=12, **params).fit(X_tr, y_tr)
    staged = net(max_epochs=4, warm_start=True, **params).fit(X_tr, y_tr)
    assert staged.n_epochs_ == 4
    staged = pickle.loads(pickle.dumps(staged))
    staged.set_params(max_epochs=12).fit(X_tr, y_tr)
    assert staged.n_epochs_ == 12 and len(staged.history_) == 12
    assert staged.history_ == at_once.history_
    np.testing.assert_array_equal(staged.predict_proba(X_te), at_once.predict_proba(X_te))


def test_warm_start_keeps_the_validation_rows_without_an_int_random_state(cancer):
    """A shared RandomState draws new seeds on every fit; the continuation must still
    validate on the rows the first epochs held out (else it scores rows it trained on)."""
    X_tr, X_te, y_tr, _ = cancer
    params = dict(early_stopping=True, patience=50, validation_fraction=0.3)
    at_once = net(max_epochs=10, random_state=np.random.RandomState(7), **params)
    at_once.fit(X_tr, y_tr)
    staged = net(max_epochs=4, warm_start=True, random_state=np.random.RandomState(7), **params)
    staged.fit(X_tr, y_tr).set_params(max_epochs=10).fit(X_tr, y_tr)
    assert staged.history_ == at_once.history_
    np.testing.assert_array_equal(staged.predict_proba(X_te), at_once.predict_proba(X_te))


def test_warm_start_starts_over_for_another_net(cancer):
    X_tr, _, y_tr, _ = cancer
    clf = net(max_epochs=3, warm_start=True).fit(X_tr, y_tr)
    clf.set_params(module__hidden=8, max_epochs=5).fit(X_tr, y_tr)
    assert clf.n_epochs_ == 5 and clf.module_.body[0].out_features == 8
    cold = net(max_epochs=3).fit(X_tr, y_tr)
    assert "_checkpoint" not in vars(cold)  # the state is kept only for warm starts
    cold.set_params(max_epochs=5).fit(X_tr, y_tr)
    assert cold.n_epochs_ == 5


# -- inputs and outputs ----------------------------------------------------------------------
def test_string_labels_and_dataframe_columns():
    X, y = make_classification(
        n_samples=300, n_features=4, n_classes=3, n_informative=3, n_redundant=0, random_state=0
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    labels = np.array(["cat", "dog", "eel"])[y]
    clf = net(max_epochs=10).fit(frame, labels)
    assert clf.classes_.tolist() == ["cat", "dog", "eel"]
    assert clf.n_features_in_ == 4 and clf.feature_names_in_.tolist() == ["a", "b", "c", "d"]
    assert set(clf.predict(frame)) <= {"cat", "dog", "eel"}
    assert clf.predict_proba(frame).shape == (300, 3)


def test_pickle_round_trip_gives_identical_predictions(cancer):
    X_tr, X_te, y_tr, _ = cancer
    clf = net(max_epochs=5).fit(X_tr, y_tr)
    buffer = io.BytesIO()
    joblib.dump(clf, buffer)
    buffer.seek(0)
    restored = joblib.load(buffer)
    np.testing.assert_array_equal(restored.predict_proba(X_te), clf.predict_proba(X_te))
    assert restored.get_params(deep=False) == clf.get_params(deep=False)


# -- errors ------------------------------------------------------------------------------------
class NoSizes(nn.Module):
    def __init__(self, hidden: int = 4):
        super().__init__()
        self.layer = nn.Linear(hidden, 2)

    def forward(self, x):
        return self.layer(x)


def three_outputs(n_features, n_classes):
    return nn.Linear(n_features, 3)


def fixed_input(n_features, n_classes):
    return nn.Linear(7, n_classes)  # ignores n_features


def not_a_module(n_features, n_classes):
    return "a string"


XY = make_classification(n_samples=100, n_features=5, random_state=0)


@pytest.mark.parametrize(
    ("estimator", "match"),
    [
        (TorchClassifier(NoSizes), r"module\(n_features, n_classes, \*\*module__params\)"),
        (TorchClassifier(three_outputs), r"returned shape \(2, 3\).*expected \(B, n_classes\)"),
        (TorchClassifier(MLP, module__width=3), r"'module__width'.*MLP\(n_features"),
        (TorchClassifier(MLP(5, 2)), r"instance of MLP; pass the class itself"),
        (TorchClassifier(StandardScaler), "torch.nn.Module subclass"),
        (TorchClassifier(not_a_module), "returned str, not a torch.nn.Module"),
        (TorchClassifier(fixed_input), r"failed on a float32 batch of shape \(2, 5\)"),
        (TorchClassifier(MLP, optimizer__momentum=0.9), "'optimizer__momentum'.*AdamW"),
        (TorchClassifier(MLP, optimizer="lion"), "'optimizer' parameter.*'adamw'"),
        (TorchClassifier(MLP, amp=True, device="cpu"), "mixed precision needs CUDA"),
        (TorchClassifier(MLP, lr=0), r"'lr' parameter of TorchClassifier.*Got 0"),
        (TorchClassifier(MLP, lr_schedule="step"), "'lr_schedule'.*'constant'"),
        (TorchClassifier(MLP, class_weight="auto"), "'class_weight'"),
        (TorchRegressor(MLP, loss="l1"), "'loss' parameter of TorchRegressor"),
    ],
)
def test_bad_configuration_is_a_config_error(estimator, match):
    X, y = XY
    with pytest.raises(ConfigError, match=match):
        estimator.set_params(n_threads=1).fit(X, y)


def test_regressor_output_width_is_checked():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    with pytest.raises(ConfigError, match=r"returned shape \(2, 3\).*expected \(B, n_outputs\)"):
        TorchRegressor(three_outputs).fit(X, y)


def test_nan_inputs_are_a_data_error_asking_to_impute():
    X, y = XY
    X = X.copy()
    X[3, 2] = np.nan
    with pytest.raises(DataError, match=r"NaN.*column\(s\) 2.*SimpleImputer"):
        net().fit(X, y)
    clf = net(max_epochs=2).fit(XY[0], y)
    with pytest.raises(DataError, match="Impute missing values"):
        clf.predict(X)


def test_text_columns_are_a_data_error_asking_to_encode():
    frame = pd.DataFrame({"x": np.arange(40.0), "colour": ["red", "blue"] * 20})
    with pytest.raises(DataError, match="non-numeric column.*'colour'.*OneHotEncoder"):
        net().fit(frame, np.arange(40) % 2)


def test_a_clean_fit_is_silent(cancer, capsys, recwarn):
    X_tr, X_te, y_tr, _ = cancer
    net(max_epochs=3).fit(X_tr, y_tr).predict_proba(X_te)
    net(TorchRegressor, max_epochs=3).fit(X_tr, y_tr.astype(float)).predict(X_te)
    assert capsys.readouterr() == ("", "")
    assert not [str(w.message) for w in recwarn]


def test_unknown_keyword_is_a_type_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'hidden'.*module__"):
        TorchClassifier(MLP, hidden=3)
    with pytest.raises(ValueError, match="Invalid parameter 'hidden'"):
        TorchClassifier(MLP).set_params(hidden=3)  # scikit-learn's error for a name it lacks


def test_one_class_and_negative_weights_are_data_errors():
    X, y = XY
    with pytest.raises(DataError, match="only one class"):
        net().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="(?i)negative"):
        net().fit(X, y, sample_weight=-np.ones(len(X)))


def test_importing_and_configuring_does_not_import_torch():
    import subprocess
    import sys

    code = (
        "import sys; from automl.nets import TorchClassifier, TorchRegressor\n"
        "from sklearn.base import clone\n"
        "clone(TorchClassifier(dict, module__h=3, lr=0.1)).get_params()\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
