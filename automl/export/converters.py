"""The converter table: how each kind of fitted model becomes ONNX nodes.

A converter takes the fitted estimator at the end of a member pipeline, the graph
builder and the name of its input (a matrix ``(N, n_features)``) and returns the
name of its output: class probabilities ``(N, len(estimator.classes_))`` for a
classifier, predicted values ``(N, 1)`` for a regressor, float or double. Converters
are looked up by the estimator's class (its bases too), so a new family plugs in
with one call to :func:`register_converter`.

Each converter says which precision it reads, as its native ``predict`` does:
scikit-learn's forests, XGBoost, CatBoost and the net compute in float32, so their
input is cast to float (which is exactly what they do themselves); the linear
models read doubles; histogram boosting and LightGBM compare in float64 and read
the graph's own precision (``numeric_dtype`` of the export, double by default: the
very values ``predict`` gives them), choosing thresholds of the same precision.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..exceptions import ConfigError, ExportError
from ._builder import OPSETS, GraphBuilder

#: converter(estimator, builder, input name, number of input columns) -> output name
Converter = Callable[[Any, GraphBuilder, str, int], str]

#: class key -> (converter, the precision it reads: "float32", "float64" or "any")
_CONVERTERS: dict[str, tuple[Converter, str]] = {}
_READS = ("float32", "float64", "any")


def _key(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def register_converter(cls: type | str, converter: Converter, *, reads: str | None = None) -> None:
    """Register ``converter`` for estimators of class ``cls`` (and its subclasses).

    Parameters
    ----------
    cls : type or str
        The estimator class, or its dotted path (``"lightgbm.sklearn.LGBMClassifier"``)
        so that registering does not import the library.
    converter : callable
        ``converter(estimator, builder, input_name, n_features) -> output_name``.
    reads : {"float32", "float64", "any"}, optional
        The element type of the input the converter is given: the graph casts to it.
        ``"float32"`` (the default, ``tensor(float)``) suits a model whose
        ``predict`` works in float32 and converters built on ``FloatTensorType``;
        ``"float64"`` one that compares doubles; ``"any"`` takes the graph's own
        precision (as :func:`via_attribute` does, to hand it on). Default: the
        converter's ``reads`` attribute if it has one, else ``"float32"``.
    """
    reads = reads or getattr(converter, "reads", "float32")
    if reads not in _READS:
        raise ConfigError(
            f"The 'reads' parameter of register_converter must be one of {list(_READS)}; "
            f"got {reads!r}. Hint: 'float32' unless the model computes in double."
        )
    _CONVERTERS[cls if isinstance(cls, str) else _key(cls)] = (converter, reads)


def find_converter(estimator: Any) -> Converter:
    """The converter registered for ``estimator``'s class or its nearest base.

    Raises
    ------
    ExportError
        When none is registered, naming the class and the supported ones.
    """
    return _entry(estimator)[0]


def _entry(estimator: Any) -> tuple[Converter, str]:
    for cls in type(estimator).__mro__:
        entry = _CONVERTERS.get(_key(cls))
        if entry is not None:
            return entry
    supported = sorted(k.rsplit(".", 1)[-1] for k in _CONVERTERS)
    raise ExportError(
        f"The model {type(estimator).__name__} has no ONNX converter. Supported: "
        f"{', '.join(supported)}. Hint: register one with "
        "automl.export.register_converter, or fit without that family (models=[...])."
    )


def convert_model(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """Run the registered converter of ``estimator`` on ``x`` cast to the precision it
    reads; ``x`` is in the graph's precision. See the module docstring."""
    converter, reads = _entry(estimator)
    if reads != "any" and np.dtype(reads) != b.dtype:
        x = b.cast(x, np.dtype(reads))
    return converter(estimator, b, x, n_features)


# --- scikit-learn, through skl2onnx ------------------------------------------------------
def _skl2onnx(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    """A scikit-learn model; ``x`` is float for the forests, double for linear models."""
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import DoubleTensorType, FloatTensorType

    classifier = hasattr(estimator, "classes_")
    options = {id(estimator): {"zipmap": False}} if classifier else None
    tensor = DoubleTensorType if _reads(estimator) == "float64" else FloatTensorType
    try:
        model = convert_sklearn(
            estimator,
            initial_types=[("X", tensor([None, n_features]))],
            target_opset=OPSETS,
            options=options,
        )
    except Exception as exc:
        raise ExportError(f"skl2onnx could not convert {type(estimator).__name__}: {exc}") from None
    outputs = b.inline(model, {"X": x}, type(estimator).__name__)
    return (
        outputs[1]
        if classifier
        else b.op("Reshape", [outputs[0], b.const([-1, 1], dtype=np.int64)])
    )


def _reads(estimator: Any) -> str:
    return _entry(estimator)[1]


def _hist_gb(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._hgb import convert_hist_gb

    return convert_hist_gb(estimator, b, x, n_features)


# --- XGBoost, through onnxmltools -----------------------------------------------------------
def _xgboost_booster(booster: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from onnxmltools import convert_xgboost
    from onnxmltools.convert.common.data_types import FloatTensorType

    try:
        model = convert_xgboost(
            booster,
            initial_types=[("X", FloatTensorType([None, n_features]))],
            target_opset=min(OPSETS[""], 15),  # the highest onnxmltools' XGBoost converter knows
        )
    except Exception as exc:
        raise ExportError(f"onnxmltools could not convert the XGBoost model: {exc}") from None
    outputs = b.inline(model, {"X": x}, "xgboost")
    if hasattr(booster, "classes_"):
        return outputs[1]
    return b.op("Reshape", [outputs[0], b.const([-1, 1], dtype=np.int64)])


def _xgboost_adapter(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    if getattr(estimator, "_constant", False):  # one class in fit: probability 1
        zero = b.op("ReduceSum", [x], keepdims=1, axes=[1])
        return b.op(
            "Add",
            [
                b.op("Mul", [zero, b.const([[0.0]], dtype=np.float32)]),
                b.const([[1.0]], dtype=np.float32),
            ],
        )
    return _xgboost_booster(estimator.booster_, b, x, n_features)


def via_attribute(name: str) -> Converter:
    """A converter for an adapter that holds the fitted model in attribute ``name``.

    Parameters
    ----------
    name : str
        The attribute (``"booster_"``); the model there is converted by its own
        registered converter.

    Returns
    -------
    callable
        A converter to pass to :func:`register_converter`.
    """

    def convert(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
        return convert_model(getattr(estimator, name), b, x, n_features)

    convert.reads = "any"  # type: ignore[attr-defined]  # the held model's converter casts
    return convert


def _lightgbm(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._boosters import convert_lightgbm_model

    return convert_lightgbm_model(estimator, b, x, n_features)


def _catboost(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._boosters import convert_catboost_model

    return convert_catboost_model(estimator, b, x, n_features)


def _lightgbm_adapter(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._booster_adapters import lightgbm_adapter

    return lightgbm_adapter(estimator, b, x, n_features)


def _catboost_adapter(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._booster_adapters import catboost_adapter

    return catboost_adapter(estimator, b, x, n_features)


def _linear_base(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._linear_base import convert_linear_base

    return convert_linear_base(estimator, b, x, n_features)


def _net(estimator: Any, b: GraphBuilder, x: str, n_features: int) -> str:
    from ._net import convert_net

    return convert_net(estimator, b, x, n_features)


def _register_builtins() -> None:
    from sklearn.ensemble import (
        ExtraTreesClassifier,
        ExtraTreesRegressor,
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import ElasticNet, LogisticRegression, Ridge

    for cls in (LogisticRegression, Ridge, ElasticNet):  # float64 in scikit-learn
        register_converter(cls, _skl2onnx, reads="float64")
    for cls in (  # the forests cast X to float32 themselves
        RandomForestClassifier,
        RandomForestRegressor,
        ExtraTreesClassifier,
        ExtraTreesRegressor,
    ):
        register_converter(cls, _skl2onnx)
    register_converter(HistGradientBoostingClassifier, _hist_gb, reads="any")
    register_converter(HistGradientBoostingRegressor, _hist_gb, reads="any")
    # by dotted path, so that the table is built without importing xgboost or torch
    register_converter("xgboost.sklearn.XGBClassifier", _xgboost_booster)
    register_converter("xgboost.sklearn.XGBRegressor", _xgboost_booster)
    register_converter("automl.models.xgb_adapters.XGBoostClassifier", _xgboost_adapter)
    register_converter("automl.models.xgb_adapters.XGBoostRegressor", _xgboost_adapter)
    for task in ("Classifier", "Regressor"):  # LightGBM compares doubles, CatBoost floats
        register_converter(
            f"automl.boosters.lightgbm.LightGBM{task}", _lightgbm_adapter, reads="any"
        )
        register_converter(f"automl.boosters.catboost.CatBoost{task}", _catboost_adapter)
    for task in ("Classifier", "Regressor"):
        register_converter(f"lightgbm.sklearn.LGBM{task}", _lightgbm, reads="any")
        register_converter(f"catboost.core.CatBoost{task}", _catboost)
    register_converter("automl.models.linear_base.LinearBaseRegressor", _linear_base, reads="any")
    register_converter("automl.nets.classifier.TabularNetClassifier", _net)
    register_converter("automl.nets.regressor.TabularNetRegressor", _net)


_register_builtins()
