"""PyTorch nets for tabular data, wrapped as scikit-learn estimators.

:class:`TabularNetClassifier` and :class:`TabularNetRegressor` are the project's own
MLP; :class:`TorchClassifier` and :class:`TorchRegressor` train a module the user
writes. Importing this package does not import torch; torch is loaded when a net is
fitted.
"""

from .classifier import TabularNetClassifier
from .regressor import TabularNetRegressor
from .torch_classifier import TorchClassifier
from .torch_regressor import TorchRegressor

__all__ = ["TabularNetClassifier", "TabularNetRegressor", "TorchClassifier", "TorchRegressor"]
