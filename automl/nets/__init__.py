"""PyTorch nets for tabular data, wrapped as scikit-learn estimators.

Importing this package does not import torch; torch is loaded when a net is fitted.
"""

from .classifier import TabularNetClassifier
from .regressor import TabularNetRegressor

__all__ = ["TabularNetClassifier", "TabularNetRegressor"]
