"""automl: automated machine learning for tabular classification and regression.

>>> from automl import AutoMLClassifier, AutoMLRegressor, load
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "AutoMLClassifier",
    "AutoMLRegressor",
    "Categorical",
    "CostMatrix",
    "CustomMetric",
    "Family",
    "Integer",
    "PipelineGraph",
    "Real",
    "SearchCV",
    "load",
    "__version__",
]


def __getattr__(name: str) -> Any:
    # Lazy: ``import automl`` stays fast; heavy libraries load on first use.
    if name == "AutoMLClassifier":
        from .estimator import AutoMLClassifier

        return AutoMLClassifier
    if name == "AutoMLRegressor":
        from .regressor import AutoMLRegressor

        return AutoMLRegressor
    if name in ("CostMatrix", "CustomMetric"):
        from . import custom_metrics

        return getattr(custom_metrics, name)
    if name == "Family":
        from .family import Family

        return Family
    if name == "SearchCV":
        from .search_cv import SearchCV

        return SearchCV
    if name in ("Real", "Integer", "Categorical"):
        from . import space

        return getattr(space, name)
    if name == "PipelineGraph":
        from .graph import PipelineGraph

        return PipelineGraph
    if name == "load":
        from .persistence import load

        return load
    raise AttributeError(f"module 'automl' has no attribute {name!r}")
