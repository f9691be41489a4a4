"""SearchCV: a scikit-learn search over one estimator, on the AutoML search engine."""

from ._estimator import SearchCV

__all__ = ["SearchCV"]
