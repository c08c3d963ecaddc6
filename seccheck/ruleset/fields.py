"""The value types of the ruleset format's fields: ids, exact numbers within the limits (points, percents,
steps, deductions) and their JSON Schemas. Numbers are Decimals read as written, never floats."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, PlainValidator, ValidationInfo, WithJsonSchema

from seccheck import limits

ID_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"


RULESET_ID_PATTERN = r"^[a-z0-9-]{1,64}$"


def is_frozen(info: ValidationInfo | None) -> bool:
    """Validating a ruleset copy stored with audits: bounds added after it was stored do not apply."""
    return bool(info is not None and isinstance(info.context, dict) and info.context.get("frozen"))


def _exact(value: Any, expected: str = "应为数字（不带引号）") -> Decimal:
    # TOML gives int or (with parse_float=Decimal) Decimal; refuse strings and booleans rather
    # than quietly reading "4" as 4 or true as 1. A float (from Python) is read by its shortest repr.
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{expected}（实际：{value!r}）" if isinstance(value, str) else expected)
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite():
        raise ValueError(f"应为有限的数字（实际：{value}）")
    return number


def _number(value: Any, info: ValidationInfo) -> Decimal:
    """A number answer's bound (min, max, min_ok, max_ok): |x| < 10^12, at most 4 decimals."""
    number = _exact(value)
    problem = None if is_frozen(info) else limits.number_problem(number)
    if problem:
        raise ValueError(problem)
    return number


def _points(value: Any, info: ValidationInfo) -> Decimal:
    """A point value (points, deductions, per, step, caps): 0 to 1000, at most 2 decimals."""
    number = _exact(value)
    problem = limits.points_problem(number) if not is_frozen(info) else ("应不小于 0" if number < 0 else None)
    if problem:
        raise ValueError(problem)
    return number


def _percent(value: Any, info: ValidationInfo) -> Decimal:
    number = _exact(value)
    problem = limits.points_problem(number, limits.PERCENT_MAX) if not is_frozen(info) else None
    if problem or not 0 <= number <= limits.PERCENT_MAX:
        raise ValueError(problem or f"应在 0 至 {limits.PERCENT_MAX} 之间（实际：{number}）")
    return number


def _step(value: Any, info: ValidationInfo) -> Decimal:
    number = _points(value, info)
    if number <= 0:
        raise ValueError(f"应大于 0（实际：{number}）")
    return number


POINTS_SCHEMA: dict[str, Any] = {"type": "number", "minimum": 0, "maximum": int(limits.POINTS_MAX)}


Number = Annotated[
    Decimal,
    PlainValidator(_number),
    WithJsonSchema(
        {
            "type": "number",
            "exclusiveMinimum": -int(limits.NUMBER_MAX),
            "exclusiveMaximum": int(limits.NUMBER_MAX),
        }
    ),
]


DEFAULT_STEP = Decimal("0.5")  # the official method's range deductions: 扣0.5至1分


NonNegative = Annotated[Decimal, PlainValidator(_points), WithJsonSchema(POINTS_SCHEMA)]


Percent = Annotated[Decimal, PlainValidator(_percent), WithJsonSchema({"type": "number", "minimum": 0, "maximum": 100})]


Step = Annotated[
    Decimal,
    PlainValidator(_step),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0, "maximum": int(limits.POINTS_MAX)}),
]


Id = Annotated[str, Field(pattern=ID_PATTERN)]


STAT_KEY_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"


StatKey = Annotated[str, Field(pattern=STAT_KEY_PATTERN)]


def _deduct(value: Any, info: ValidationInfo) -> Decimal | tuple[Decimal, Decimal]:
    # One validator for both shapes, so a bad value gives one clear message, not one per shape.
    expected = "应为非负数字（固定扣分）或 [最低, 最高] 区间"
    if isinstance(value, list | tuple):
        if len(value) != 2:
            raise ValueError(f"{expected}；区间必须恰好两个数")
        lo, hi = (_plain_number(v, expected, info) for v in value)
        return (lo, hi)
    return _plain_number(value, expected, info)


def _plain_number(value: Any, expected: str, info: ValidationInfo) -> Decimal:
    number = _exact(value, expected)
    if number < 0:
        raise ValueError(f"{expected}（实际：{value}）")
    problem = None if is_frozen(info) else limits.points_problem(number)
    if problem:
        raise ValueError(problem)
    return number


Deduct = Annotated[
    Decimal | tuple[Decimal, Decimal],
    PlainValidator(_deduct),
    WithJsonSchema(
        {
            "oneOf": [
                POINTS_SCHEMA,
                {"type": "array", "items": POINTS_SCHEMA, "minItems": 2, "maxItems": 2},
            ]
        }
    ),
]
