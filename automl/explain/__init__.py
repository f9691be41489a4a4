"""Why a fitted model predicts what it does: importance of the input columns, partial dependence.

:func:`feature_importance` is what ``AutoMLClassifier.feature_importance`` and
``AutoMLRegressor.feature_importance`` run; what it measures is stored as an
:class:`Explanation` on the estimator, which the run report shows without
recomputing anything.
"""

from __future__ import annotations

from .importance import feature_importance
from .record import Explanation, PartialDependence

__all__ = ["Explanation", "PartialDependence", "feature_importance"]
