"""Calendar features of :class:`~automl.steps.datetime_features.DatetimeFeatures` as ONNX nodes.

A date column enters the graph as ``tensor(int64)``: nanoseconds since 1970-01-01
(naive dates; missing is the smallest int64, as ``NaT`` is in numpy). Year, month
and day come from Howard Hinnant's ``civil_from_days`` in integer arithmetic, so
they are exact; elapsed days are computed in double precision, as pandas does.
Time-zone aware columns are refused: their calendar is in their own zone, which a
single number cannot carry.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import ExportError
from ._builder import GraphBuilder

_NS_PER_DAY = 86_400 * 10**9
_NS_PER_HOUR = 3_600 * 10**9
_NAT = np.iinfo(np.int64).min
_DOUBLE = 11


def _i(b: GraphBuilder, value: int) -> str:
    return b.const(np.int64(value))


def _floor_div(b: GraphBuilder, a: str, d: int) -> tuple[str, str]:
    """Floor quotient and non-negative remainder of ``a // d`` (``d > 0``), int64."""
    rest = b.op("Mod", [a, _i(b, d)], fmod=0)  # integer Mod takes the divisor's sign
    return b.op("Div", [b.op("Sub", [a, rest]), _i(b, d)]), rest


def _civil(b: GraphBuilder, days: str) -> tuple[str, str, str]:
    """Year, month, day of ``days`` since 1970-01-01 (proleptic Gregorian), int64."""
    z = b.op("Add", [days, _i(b, 719_468)])
    era, doe = _floor_div(b, z, 146_097)
    div = lambda a, n: b.op("Div", [a, _i(b, n)])  # noqa: E731  (non-negative here)
    yoe = div(
        b.op(
            "Sub",
            [
                b.op("Add", [b.op("Sub", [doe, div(doe, 1460)]), div(doe, 36_524)]),
                div(doe, 146_096),
            ],
        ),
        365,
    )
    year = b.op("Add", [yoe, b.op("Mul", [era, _i(b, 400)])])
    days_before = b.op(
        "Sub",
        [b.op("Add", [b.op("Mul", [yoe, _i(b, 365)]), div(yoe, 4)]), div(yoe, 100)],
    )
    doy = b.op("Sub", [doe, days_before])
    mp = div(b.op("Add", [b.op("Mul", [doy, _i(b, 5)]), _i(b, 2)]), 153)
    start = div(b.op("Add", [b.op("Mul", [mp, _i(b, 153)]), _i(b, 2)]), 5)
    day = b.op("Add", [b.op("Sub", [doy, start]), _i(b, 1)])
    early = b.op("Less", [mp, _i(b, 10)])
    month = b.op("Where", [early, b.op("Add", [mp, _i(b, 3)]), b.op("Sub", [mp, _i(b, 9)])])
    january_february = b.op("LessOrEqual", [month, _i(b, 2)])
    year = b.op("Add", [year, b.op("Cast", [january_february], to=7)])
    return year, month, day


def date_features(b: GraphBuilder, step: Any, columns: list[str], inputs: dict[str, str]) -> str:
    """The fitted step's features of the int64 date inputs, NaN where a date is missing."""
    blocks = []
    for j, column in enumerate(columns):
        ns = inputs[column]
        missing = b.op("Equal", [ns, _i(b, _NAT)])
        safe = b.op("Where", [missing, _i(b, 0), ns])
        days, rest = _floor_div(b, safe, _NS_PER_DAY)
        year, month, day = _civil(b, days)
        weekday = b.op("Mod", [b.op("Add", [days, _i(b, 3)]), _i(b, 7)], fmod=0)  # Thursday
        hour = b.op("Div", [rest, _i(b, _NS_PER_HOUR)])
        values = {"year": year, "month": month, "day": day, "day_of_week": weekday, "hour": hour}
        elapsed = b.op(
            "Sub",
            [
                b.op("Div", [b.op("Cast", [safe], to=_DOUBLE), b.const(np.float64(_NS_PER_DAY))]),
                b.const(np.float64(step.origin_days_[j])),
            ],
        )
        for feature in step._column_features(bool(step.has_time_[j])):
            value = elapsed if feature == "elapsed_days" else values[feature]
            as_real = b.op("Cast", [value], to=b.elem)
            blocks.append(b.op("Where", [missing, b.real(np.nan), as_real]))
    return blocks[0] if len(blocks) == 1 else b.op("Concat", blocks, axis=1)


def check_naive(schema: Any, columns: list[str]) -> None:
    """Refuse time-zone aware date columns, naming them."""
    aware = [c for c in columns if "," in schema.dtypes.get(c, "")]  # datetime64[ns, UTC]
    if aware:
        raise ExportError(
            f"Date column(s) {aware} are time-zone aware; their calendar features are in "
            "their own zone, which an ONNX input of one number cannot carry. Hint: convert "
            "them to naive local times (tz_localize(None)) before fit."
        )
