"""The Hyperband-against-random benchmark compares what its docstring says it compares."""

from __future__ import annotations

import pytest

pytest.importorskip("torch")

from benchmarks.searchcv_torch import MAX_EPOCHS, make_net, run_search, space  # noqa: E402


def test_random_trains_every_configuration_with_the_full_resource() -> None:
    assert "torchclassifier__max_epochs" not in space("random")
    assert "torchclassifier__max_epochs" not in space("hyperband")
    assert make_net(0).get_params()["torchclassifier__max_epochs"] == MAX_EPOCHS


def test_random_epochs_draws_the_epochs_hyperband_grows() -> None:
    epochs = space("random_epochs")["torchclassifier__max_epochs"]
    assert (epochs.low, epochs.high) == (2, MAX_EPOCHS)


def test_both_random_baselines_run_a_random_search() -> None:
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=120, n_features=5, random_state=0)
    fixed = run_search("random", X, y, cv=2, budget=4, n_jobs=1, seed=0)
    drawn = run_search("random_epochs", X, y, cv=2, budget=4, n_jobs=1, seed=0)
    assert fixed.search == drawn.search == "random"
    # the epochs are a searched parameter of random_epochs only (however many trials ran)
    assert "param_torchclassifier__max_epochs" not in fixed.cv_results_
    assert "param_torchclassifier__max_epochs" in drawn.cv_results_
