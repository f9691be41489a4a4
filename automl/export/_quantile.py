"""scikit-learn's ``QuantileTransformer`` (normal output) and its inverse as ONNX nodes.

The forward map interpolates each feature between its quantiles (averaging the
left and right interpolations, as scikit-learn does for repeated quantiles) and
applies the normal quantile function; ONNX has no ``erfinv``, so the latter is
Acklam's rational approximation (relative error below 1.2e-9). Both run in double
precision: in float32 a probability near 1 loses the digits its tail needs. Input
and output are in the graph's precision (``GraphBuilder.dtype``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ExportError
from ._builder import GraphBuilder

_BOUNDS = 1e-7  # scikit-learn's BOUNDS_THRESHOLD
_DOUBLE, _FLOAT, _INT64 = 11, 1, 7
_A = (
    -3.969683028665376e01,
    2.209460984245205e02,
    -2.759285104469687e02,
    1.383577518672690e02,
    -3.066479806614716e01,
    2.506628277459239e00,
)
_B = (
    -5.447609879822406e01,
    1.615858368580409e02,
    -1.556989798598866e02,
    6.680131188771972e01,
    -1.328068155288572e01,
    1.0,
)
_C = (
    -7.784894002430293e-03,
    -3.223964580411365e-01,
    -2.400758277161838e00,
    -2.549732539343734e00,
    4.374664141464968e00,
    2.938163982698783e00,
)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00, 1.0)
_P_LOW = 0.02425


def _d(b: GraphBuilder, value: Any) -> str:
    return b.const(np.asarray(value, dtype=np.float64))


def _poly(b: GraphBuilder, coefs: tuple[float, ...], x: str) -> str:
    out = _d(b, coefs[0])
    for c in coefs[1:]:
        out = b.op("Add", [b.op("Mul", [out, x]), _d(b, c)])
    return out


def _interp(
    b: GraphBuilder, x: str, xp: np.ndarray, fp: np.ndarray, side: str, snap: bool = False
) -> str:
    """``np.interp(x, xp, fp)`` for a column ``x`` (N, 1), double; ``side="left"`` is the
    mirrored interpolation ``-np.interp(-x, -xp[::-1], -fp[::-1])``."""
    k = len(xp)
    # A float32 input is within half a float32 step of the double value scikit-learn
    # saw; where that value is a repeated quantile (a mass point: an imputed median, a
    # frequent value), the side it falls on matters, so it counts as equal to it.
    tol = b.op("Mul", [b.op("Abs", [x]), _d(b, 2.0**-23)]) if snap else _d(b, 0.0)
    if side == "right":
        below = b.op("LessOrEqual", [_d(b, xp.reshape(1, -1)), b.op("Add", [x, tol])])
    else:
        below = b.op("Less", [_d(b, xp.reshape(1, -1)), b.op("Sub", [x, tol])])
    count = b.op(
        "ReduceSum", [b.op("Cast", [below], to=_INT64), b.const([1], dtype=np.int64)], keepdims=1
    )
    hi = b.op("Clip", [count, b.const(np.int64(1)), b.const(np.int64(k - 1))])
    lo = b.op("Sub", [hi, b.const(np.int64(1))])
    x_lo, x_hi = (b.op("Gather", [_d(b, xp), i]) for i in (lo, hi))
    f_lo, f_hi = (b.op("Gather", [_d(b, fp), i]) for i in (lo, hi))
    width = b.op("Sub", [x_hi, x_lo])
    flat = b.op("Equal", [width, _d(b, 0.0)])
    safe = b.op("Where", [flat, _d(b, 1.0), width])
    t = b.op("Clip", [b.op("Div", [b.op("Sub", [x, x_lo]), safe]), _d(b, 0.0), _d(b, 1.0)])
    step = b.op("Cast", [b.op("GreaterOrEqual", [x, x_hi])], to=_DOUBLE)
    t = b.op("Where", [flat, step, t])
    return b.op("Add", [f_lo, b.op("Mul", [t, b.op("Sub", [f_hi, f_lo])])])


def _norm_ppf(b: GraphBuilder, p: str) -> str:
    """Acklam's inverse normal CDF of ``p`` in (0, 1), double."""
    q = b.op("Sub", [p, _d(b, 0.5)])
    r = b.op("Mul", [q, q])
    central = b.op("Div", [b.op("Mul", [_poly(b, _A, r), q]), _poly(b, _B, r)])

    def tail(prob: str) -> str:
        s = b.op("Sqrt", [b.op("Mul", [_d(b, -2.0), b.op("Log", [prob])])])
        return b.op("Div", [_poly(b, _C, s), _poly(b, _D, s)])

    lower = tail(p)
    upper = b.op("Neg", [tail(b.op("Sub", [_d(b, 1.0), p]))])
    out = b.op("Where", [b.op("Less", [p, _d(b, _P_LOW)]), lower, central])
    return b.op("Where", [b.op("Greater", [p, _d(b, 1 - _P_LOW)]), upper, out])


def _check(transformer: Any) -> None:
    if transformer.output_distribution != "normal":
        raise ExportError("Only a QuantileTransformer with a normal output can be exported.")


def quantile_forward(b: GraphBuilder, transformer: Any, x: str) -> str:
    """The fitted transformer applied to the matrix ``x``, in the graph's precision."""
    _check(transformer)
    snap = b.dtype == np.float32  # float inputs are within half a step of the data
    refs = np.asarray(transformer.references_, dtype=np.float64)
    x64 = b.op("Cast", [x], to=_DOUBLE)
    eps = _BOUNDS - np.spacing(1)
    columns = []
    for j in range(transformer.quantiles_.shape[1]):
        xp = np.asarray(transformer.quantiles_[:, j], dtype=np.float64)
        col = b.op("Gather", [x64, b.const(np.array([j], dtype=np.int64))], axis=1)
        right = _interp(b, col, xp, refs, "right", snap=snap)
        left = _interp(b, col, xp, refs, "left", snap=snap)
        p = b.op("Mul", [b.op("Add", [right, left]), _d(b, 0.5)])
        upper = b.op("Greater", [b.op("Add", [col, _d(b, _BOUNDS)]), _d(b, xp[-1])])
        p = b.op("Where", [upper, _d(b, 1.0), p])
        lower = b.op("Less", [b.op("Sub", [col, _d(b, _BOUNDS)]), _d(b, xp[0])])
        p = b.op("Where", [lower, _d(b, 0.0), p])
        p = b.op("Clip", [p, _d(b, eps), _d(b, 1 - eps)])  # ppf, then scikit-learn's clip
        columns.append(_norm_ppf(b, p))
    out = columns[0] if len(columns) == 1 else b.op("Concat", columns, axis=1)
    return b.op("Cast", [out], to=b.elem)


def quantile_inverse(b: GraphBuilder, transformer: Any, y: str) -> str:
    """The inverse map of a one-column transformer (a regression target), (N, 1) in the
    graph's precision."""
    _check(transformer)
    refs = np.asarray(transformer.references_, dtype=np.float64)
    quantiles = np.asarray(transformer.quantiles_[:, 0], dtype=np.float64)
    # the normal CDF: float Erf (ONNX Runtime has no double one), then one Newton
    # step in double on the double-precision quantile function
    y32 = b.op("Cast", [y], to=_FLOAT)
    erf = b.op("Erf", [b.op("Mul", [y32, b.const(np.float32(1 / np.sqrt(2)))])])
    y64 = b.op("Cast", [y], to=_DOUBLE)
    p = b.op("Mul", [b.op("Add", [b.op("Cast", [erf], to=_DOUBLE), _d(b, 1.0)]), _d(b, 0.5)])
    p = b.op("Clip", [p, _d(b, _BOUNDS / 2), _d(b, 1 - _BOUNDS / 2)])  # saturated erf
    density = b.op(
        "Mul",
        [
            b.op("Exp", [b.op("Mul", [b.op("Mul", [y64, y64]), _d(b, -0.5)])]),
            _d(b, 1 / np.sqrt(2 * np.pi)),
        ],
    )
    p = b.op("Add", [p, b.op("Mul", [b.op("Sub", [y64, _norm_ppf(b, p)]), density])])
    value = _interp(b, p, refs, quantiles, "right")
    upper = b.op("Greater", [b.op("Add", [p, _d(b, _BOUNDS)]), _d(b, 1.0)])
    value = b.op("Where", [upper, _d(b, quantiles[-1]), value])
    lower = b.op("Less", [b.op("Sub", [p, _d(b, _BOUNDS)]), _d(b, 0.0)])
    value = b.op("Where", [lower, _d(b, quantiles[0]), value])
    return b.op("Cast", [value], to=b.elem)
