"""LightGBM and CatBoost as scikit-learn estimators, with early stopping on an inner split.

Importing this package imports neither library; each is loaded when a model is fitted.
"""

from .catboost import CatBoostClassifier, CatBoostRegressor
from .lightgbm import LightGBMClassifier, LightGBMRegressor

__all__ = ["CatBoostClassifier", "CatBoostRegressor", "LightGBMClassifier", "LightGBMRegressor"]
