"""TorchClassifier and TorchRegressor pass scikit-learn's common estimator checks."""

from __future__ import annotations

from sklearn.utils.estimator_checks import parametrize_with_checks
from torch import nn

from automl.nets import TorchClassifier, TorchRegressor

EXPECTED_FAILED_CHECKS = {
    "check_do_not_raise_errors_in_init_or_set_params": (
        "the check reads the **kwargs of __init__ (the module__* and optimizer__* "
        "parameters) as a parameter named 'kwargs'; a name without those prefixes is a "
        "TypeError, as Python raises for any unexpected keyword argument"
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "an integer weight equals repeating the row only in expectation: repeated rows "
        "are drawn into the validation split and the shuffled batches separately, so the "
        "stochastic training differs"
    ),
}


class TinyNet(nn.Module):
    """One hidden layer: the smallest module that learns the checks' toy problems."""

    def __init__(self, n_features: int, n_outputs: int, hidden: int = 16) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_outputs)
        )

    def forward(self, x):
        return self.body(x)


def _tiny(cls):
    return cls(TinyNet, lr=1e-2, max_epochs=30, batch_size=32, n_threads=1, random_state=0)


@parametrize_with_checks(
    [_tiny(TorchClassifier), _tiny(TorchRegressor)],
    expected_failed_checks=lambda estimator: EXPECTED_FAILED_CHECKS,
    xfail_strict=True,
)
def test_sklearn_conformance(estimator, check):
    check(estimator)
