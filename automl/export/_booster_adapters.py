"""The library's own LightGBM and CatBoost adapters (``automl.boosters``) in ONNX.

Each adapter holds its fitted native model as ``booster_`` (LightGBM: a
``lightgbm.Booster``; CatBoost: a fitted ``CatBoostClassifier``/``Regressor``)
trained on the classes that had rows of positive weight (``_present``); the
converted probabilities are spread back over every class, as ``predict_proba``
does.
"""

from __future__ import annotations

from typing import Any

from ..exceptions import ExportError
from ._boosters import _as_column, convert_catboost_model
from ._builder import GraphBuilder, aligned


def _spread(b: GraphBuilder, proba: str, estimator: Any) -> str:
    """Probabilities over every class from those of the classes the booster saw."""
    return aligned(b, proba, estimator._present, len(estimator.classes_))


def _fitted_booster(estimator: Any, library: str) -> Any:
    if getattr(estimator, "booster_", None) is None:
        raise ExportError(
            f"This {library} member was fitted on a single class or constant data and "
            "holds no booster to export. Hint: fit without it (models=[...])."
        )
    return estimator.booster_


def lightgbm_adapter(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """``automl.boosters.LightGBMClassifier``/``Regressor`` reading ``x``."""
    from ._lightgbm import lightgbm_onnx

    booster = _fitted_booster(estimator, "LightGBM")
    outputs = lightgbm_onnx(booster, booster, b, x, n_features)
    if not hasattr(estimator, "classes_"):
        return _as_column(b, outputs[0])
    return _spread(b, outputs[1], estimator)


def catboost_adapter(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """``automl.boosters.CatBoostClassifier``/``Regressor`` reading ``x``."""
    booster = _fitted_booster(estimator, "CatBoost")
    if list(getattr(estimator, "_cats", []) or []):
        raise ExportError(
            "CatBoost exports ONNX only for models without categorical features, and this "
            "CatBoost member reads its categorical columns natively. Hint: fit without "
            "'catboost' (models=[...]) to export this model."
        )
    out = convert_catboost_model(booster, b, x, n_features)
    return _spread(b, out, estimator) if hasattr(estimator, "classes_") else out
