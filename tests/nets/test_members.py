"""Several members trained at once in one net (TabM-mini): shapes, averages, loss, estimators."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.metrics import roc_auc_score

torch = pytest.importorskip("torch")

from automl.nets import TabularNetClassifier, TabularNetRegressor  # noqa: E402
from automl.nets.members import MemberHeads, MemberInputs, member_rows  # noqa: E402
from automl.nets.module import TabularMLP  # noqa: E402


def test_members_see_differently_scaled_inputs_and_have_their_own_heads():
    torch.manual_seed(0)
    inputs, heads = MemberInputs(5, 3), MemberHeads(5, 2, 3, "probability")
    x = torch.randn(4, 5)
    rows = inputs(x)
    assert rows.shape == (12, 5)
    # row i of member j is x[i] times member j's signs, which start as +-1
    assert torch.equal(rows.reshape(4, 3, 5)[:, 1], x * inputs.scale[1])
    assert set(inputs.scale.detach().abs().unique().tolist()) == {1.0}
    heads.train()
    out = heads(rows)
    assert out.shape == (4, 3, 2)
    expected = rows.reshape(4, 3, 5)[:, 2] @ heads.weight[2] + heads.bias[2]
    torch.testing.assert_close(out[:, 2], expected)


def test_prediction_averages_member_probabilities_or_values():
    torch.manual_seed(0)
    rows = torch.randn(6 * 4, 8)
    probability = MemberHeads(8, 3, 4, "probability")
    members = probability.train()(rows)
    averaged = probability.eval()(rows)
    assert averaged.shape == (6, 3)
    torch.testing.assert_close(
        torch.softmax(averaged, dim=1), torch.softmax(members, dim=-1).mean(dim=1)
    )
    value = MemberHeads(8, 1, 4, "value")
    value.load_state_dict({"weight": probability.weight[:, :, :1], "bias": probability.bias[:, :1]})
    torch.testing.assert_close(value.eval()(rows), members[:, :, :1].mean(dim=1))


def test_loss_rows_are_each_members_loss_averaged():
    torch.manual_seed(0)
    output = torch.randn(5, 3, 4)  # 5 rows, 3 members, 4 classes
    target = torch.tensor([0, 3, 1, 2, 2])
    weight = torch.rand(5)
    flat, labels, weights = member_rows(output, target, weight)
    assert flat.shape == (15, 4) and labels.shape == (15,) and weights.shape == (15,)
    per_member = [
        torch.nn.functional.cross_entropy(output[:, j], target, reduction="none") for j in range(3)
    ]
    expected = sum((loss * weight).sum() for loss in per_member) / (3 * weight.sum())
    pooled = torch.nn.functional.cross_entropy(flat, labels, reduction="none")
    torch.testing.assert_close((pooled * weights).sum() / weights.sum(), expected)
    plain = torch.randn(5, 4)
    assert member_rows(plain, target, None)[0] is plain


def test_module_with_members_keeps_one_output_per_row_when_predicting():
    net = TabularMLP(3, [4], n_outputs=2, hidden_width=8, depth=1, ensemble_size=5)
    x_num, x_cat = torch.randn(7, 3), torch.randint(0, 4, (7, 1))
    assert net.train()(x_num, x_cat).shape == (7, 5, 2)
    assert net.eval()(x_num, x_cat).shape == (7, 2)
    one = TabularMLP(3, [4], n_outputs=2, hidden_width=8, depth=1)
    assert one.train()(x_num, x_cat).shape == (7, 2)
    # members share the hidden layers: k members add only their input scales and heads
    extra = sum(p.numel() for p in net.parameters()) - sum(p.numel() for p in one.parameters())
    n_in = 3 + 4 - 1  # numeric columns and the embedding's width (ceil of the rule for 4 codes)
    assert extra <= 5 * n_in + 4 * (8 * 2 + 2)


def test_classifier_with_members_learns_pickles_and_predicts_probabilities(tmp_path):
    X, y = make_classification(n_samples=600, n_features=8, random_state=0)
    clf = TabularNetClassifier(
        ensemble_size=4, hidden_width=32, max_epochs=15, device="cpu", random_state=0
    ).fit(X[:400], y[:400])
    proba = clf.predict_proba(X[400:])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert roc_auc_score(y[400:], proba[:, 1]) > 0.9
    again = pickle.loads(pickle.dumps(clf))
    np.testing.assert_allclose(again.predict_proba(X[400:]), proba, atol=1e-6)


def test_regressor_with_members_predicts_their_average_value():
    X, y = make_regression(n_samples=500, n_features=6, noise=1.0, random_state=0)
    reg = TabularNetRegressor(
        ensemble_size=3, hidden_width=32, max_epochs=100, device="cpu", random_state=0
    ).fit(X[:400], y[:400])
    assert reg.score(X[400:], y[400:]) > 0.95
    assert reg.predict(X[400:]).shape == (100,)
