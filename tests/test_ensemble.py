"""Greedy ensemble selection on out-of-fold predictions."""

from __future__ import annotations

import numpy as np
import pytest

from automl import metrics as M
from automl.ensemble import (
    EnsembleModel,
    bagged_selection,
    blend,
    blend_score,
    diverse_candidates,
    greedy_selection,
)


def _oofs(n_classes=2, n=200, n_trials=6, seed=0):
    """Noisy predictions of several 'trials', each seeing a different part of the signal."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, n_classes, n)
    oof = {}
    for t in range(n_trials):
        logits = rng.normal(scale=1.5, size=(n, n_classes)) + (0.5 + 0.2 * t) * np.eye(n_classes)[y]
        p = np.exp(logits)
        oof[10 + t] = p / p.sum(axis=1, keepdims=True)
    return y, oof


def _ranked(y, oof, metric, pos):
    return sorted(oof, key=lambda t: -blend_score(y, oof[t], metric, pos))


CASES = [
    ("roc_auc", 2),
    ("log_loss", 2),
    ("f1", 2),
    ("mcc", 2),
    ("average_precision", 2),
    ("roc_auc", 3),
    ("log_loss", 3),
    ("accuracy", 3),
]


@pytest.mark.parametrize("metric, n_classes", CASES)
@pytest.mark.parametrize("seed", [0, 1])
def test_greedy_selection_improves_or_equals_the_best_single(metric, n_classes, seed):
    y, oof = _oofs(n_classes, seed=seed)
    ranked = _ranked(y, oof, metric, 1)
    weights = greedy_selection(oof, ranked, y, metric, 1)
    assert weights and set(weights) <= set(oof)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert all(w > 0 for w in weights.values())
    best_single = max(blend_score(y, oof[t], metric, 1) for t in oof)
    assert blend_score(y, oof[ranked[0]], metric, 1) == best_single
    assert blend_score(y, blend(oof, weights), metric, 1) >= best_single - 1e-12
    # weights are counts of picks over at most 25 rounds: multiples of 1/n for one n <= 25
    assert any(
        all(abs(w * n - round(w * n)) < 1e-9 for w in weights.values()) for n in range(1, 26)
    )


def test_complementary_trials_are_blended():
    y, oof = _oofs(2, n=400, n_trials=4, seed=3)
    ranked = _ranked(y, oof, "roc_auc", 1)
    weights = greedy_selection(oof, ranked, y, "roc_auc", 1)
    assert len(weights) > 1
    assert blend_score(y, blend(oof, weights), "roc_auc", 1) > blend_score(
        y, oof[ranked[0]], "roc_auc", 1
    )


def test_single_trial_when_nothing_helps():
    y, oof = _oofs(2, n_trials=1)
    assert greedy_selection(oof, list(oof), y, "roc_auc", 1) == {10: 1.0}
    perfect = np.eye(2)[y].astype(float)
    oof = {1: perfect, 2: np.full_like(perfect, 0.5)}
    assert greedy_selection(oof, [1, 2], y, "log_loss", 1) == {1: 1.0}


def test_candidates_without_predictions_and_limits():
    y, oof = _oofs(2)
    assert greedy_selection(oof, [], y, "roc_auc", 1) == {}
    assert greedy_selection(oof, [99], y, "roc_auc", 1) == {}
    ranked = _ranked(y, oof, "roc_auc", 1)
    weights = greedy_selection(oof, [99, *ranked], y, "roc_auc", 1, max_candidates=3)
    assert set(weights) <= set(ranked[:2])
    assert sum(weights.values()) == pytest.approx(1.0)
    assert greedy_selection(oof, ranked, y, "roc_auc", 1, rounds=1) == {ranked[0]: 1.0}


def test_a_passed_deadline_stops_selection_at_the_best_single():
    y, oof = _oofs(2)
    ranked = _ranked(y, oof, "roc_auc", 1)
    assert greedy_selection(oof, ranked, y, "roc_auc", 1, deadline=0.0) == {ranked[0]: 1.0}


def test_each_familys_best_trial_is_a_candidate():
    ranked = [1, 2, 3, 4, 5, 6]
    families = {1: "linear", 2: "linear", 3: "linear", 4: "xgboost", 5: "linear", 6: "mlp"}
    assert diverse_candidates(ranked, families, max_candidates=3) == [1, 4, 6]
    assert diverse_candidates(ranked, families, max_candidates=4) == [1, 2, 4, 6]
    assert diverse_candidates(ranked, families, max_candidates=10) == ranked
    # more families than places: every family's best still joins, best overall first
    assert diverse_candidates(ranked, families, max_candidates=1) == [1, 4, 6]


def test_blend_score_direction():
    y, oof = _oofs(2)
    p = oof[10]
    assert blend_score(y, p, "log_loss", 1) == pytest.approx(-M.score("log_loss", y, p))
    assert blend_score(y, p, "roc_auc", 1) == pytest.approx(M.score("roc_auc", y, p))
    # label metrics blend by log loss; their threshold is tuned on the chosen blend
    assert blend_score(y, p, "f1", 1) == pytest.approx(-M.score("log_loss", y, p))
    assert blend_score(y, p, "pr_auc", 1) == pytest.approx(M.score("average_precision", y, p))


def test_blend_is_the_weighted_average():
    a, b = np.array([[0.2, 0.8]]), np.array([[0.6, 0.4]])
    np.testing.assert_allclose(blend({1: a, 2: b}, {1: 0.75, 2: 0.25}), [[0.3, 0.7]])
    np.testing.assert_allclose(blend({1: a, 2: b}, {1: 3, 2: 1}), [[0.3, 0.7]])


class _Const:
    def __init__(self, row, classes):
        self.row, self.classes_ = np.asarray(row, float), np.asarray(classes)

    def predict_proba(self, X):
        return np.tile(self.row, (len(X), 1))


def test_ensemble_model_averages_aligned_probabilities():
    model = EnsembleModel(
        [(_Const([0.2, 0.8], [0, 1]), 1.0), (_Const([0.5, 0.25, 0.25], [0, 1, 2]), 3.0)],
        n_classes=3,
    )
    proba = model.predict_proba(np.zeros((4, 2)))
    np.testing.assert_allclose(
        proba, np.tile([0.25 * 0.2 + 0.75 * 0.5, 0.25 * 0.8 + 0.75 * 0.25, 0.75 * 0.25], (4, 1))
    )
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def _tail_case(seed=0, n=300):
    """Trial 1 wins the out-of-fold RMSE through one extreme row only; trial 2 is
    better on every other row (and on fresh rows, which hold no such extreme)."""
    rng = np.random.default_rng(seed)
    y = rng.normal(size=n)
    y[0] = 40.0  # the one extreme target
    oof = {
        1: (y + rng.normal(scale=1.0, size=n))[:, None],  # follows the tail, noisy elsewhere
        2: (y + rng.normal(scale=0.5, size=n))[:, None],
    }
    oof[2][0, 0] = 4.0  # cannot reach the extreme row
    for t in range(3, 8):  # weaker trials, so the bags draw subsets of candidates
        oof[t] = (y + rng.normal(scale=1.5 + 0.2 * t, size=n))[:, None]
        oof[t][0, 0] = 4.0
    return y, oof


def _rmse(y, pred):
    return float(np.sqrt(np.mean((pred.ravel() - y) ** 2)))


def test_bagged_selection_hedges_against_one_deciding_row():
    y, oof = _tail_case()
    ranked = sorted(oof, key=lambda t: _rmse(y, oof[t]))
    assert ranked[0] == 1  # the extreme row makes trial 1 the best on the OOF RMSE
    greedy = greedy_selection(oof, ranked, y, "rmse", 0)
    bagged = bagged_selection(oof, ranked, y, "rmse", 0, seed=0)
    assert sum(bagged.values()) == pytest.approx(1.0) and set(bagged) <= set(oof)
    assert bagged[1] < greedy[1] - 0.2  # less trust in what one row decided
    # on fresh rows (same models' error sizes, no extreme row) the bagged blend is better
    rng = np.random.default_rng(1)
    fresh = rng.normal(size=2000)
    preds = {
        1: (fresh + rng.normal(scale=1.0, size=2000))[:, None],
        2: (fresh + rng.normal(scale=0.5, size=2000))[:, None],
        **{t: (fresh + rng.normal(scale=1.5 + 0.2 * t, size=2000))[:, None] for t in range(3, 8)},
    }
    assert _rmse(fresh, blend(preds, bagged)) < _rmse(fresh, blend(preds, greedy))


def test_bagged_selection_repeats_with_its_seed():
    y, oof = _tail_case()
    ranked = sorted(oof, key=lambda t: _rmse(y, oof[t]))
    first = bagged_selection(oof, ranked, y, "rmse", 0, seed=3)
    assert bagged_selection(oof, ranked, y, "rmse", 0, seed=3) == first
    assert bagged_selection(oof, ranked, y, "rmse", 0, seed=None) == bagged_selection(
        oof, ranked, y, "rmse", 0, seed=0
    )


def test_few_candidates_are_never_forced_into_the_blend():
    """With fewer candidates than bags draw from, a useless trial gets no weight."""
    y, oof = _oofs(2, n=300, n_trials=2, seed=4)
    oof[99] = oof[10][:, ::-1].copy()  # trial 10 turned upside down: worse than useless
    ranked = [11, 10, 99]
    weights = bagged_selection(oof, ranked, y, "roc_auc", 1, seed=0)
    assert 99 not in greedy_selection(oof, ranked, y, "roc_auc", 1)
    assert 99 not in weights
    assert sum(weights.values()) == pytest.approx(1.0)


def test_bags_keep_every_class_when_positives_are_few():
    y, oof = _oofs(2, n=300, n_trials=7, seed=5)
    y = np.zeros(300, dtype=int)
    y[:3] = 1  # three positives: a plain bootstrap would often lose them all
    for t in oof:
        oof[t] = oof[t].copy()
    weights = bagged_selection(oof, sorted(oof), y, "roc_auc", 1, seed=0)
    assert weights and sum(weights.values()) == pytest.approx(1.0)
    assert all(np.isfinite(w) and w > 0 for w in weights.values())


def test_a_passed_deadline_leaves_one_bag():
    y, oof = _oofs(2)
    ranked = _ranked(y, oof, "roc_auc", 1)
    assert bagged_selection(oof, ranked, y, "roc_auc", 1, deadline=0.0) == {ranked[0]: 1.0}
    assert bagged_selection(oof, [ranked[0]], y, "roc_auc", 1) == {ranked[0]: 1.0}
