"""Column types that store what they mean on both SQLite and PostgreSQL (records.md §6).

- `Exact`: points, deductions and percent as NUMERIC(15, 4): at most 11 digits before the decimal
  point and 4 after. PostgreSQL stores them exactly. SQLite gives a NUMERIC column numeric affinity
  and keeps such a value as an 8-byte REAL; a number of at most 15 significant digits comes back
  from it exactly when rounded to 4 places (a double keeps 15), which SQLAlchemy's Numeric does
  (`"%.4f" % value`). A value with more digits is refused, never rounded: it would not read back
  as written. Read back, a value takes its shortest form (0.5, 2, 45.8) or, for percent, the one
  decimal it is defined with (100.0, 88.2).
- `Json`: JSON on SQLite (text, queryable with json_extract / ->>), JSONB on PostgreSQL. Decimals
  are kept inside JSON as strings ("45.8"); a float is refused, so nothing sealed turns inexact or
  changes its form when PostgreSQL rewrites a document.
- `Timestamp`: a moment, timezone-aware. PostgreSQL: timestamptz. SQLite: text in UTC,
  "YYYY-MM-DD HH:MM:SS.ffffff", so that text order is time order; read back with UTC attached.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Numeric
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeDecorator, TypeEngine

PRECISION = 15
SCALE = 4
_QUANTUM = Decimal(1).scaleb(-SCALE)
LIMIT = Decimal(10) ** (PRECISION - SCALE)


def plain(value: Decimal) -> Decimal:
    """The shortest form of a number: 2.0000 -> 2, 0.5000 -> 0.5 (never 1E+2)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


class Exact(TypeDecorator[Decimal]):
    """An exact decimal, NUMERIC(15, 4); `places` fixes the decimals it reads back with."""

    impl = Numeric(PRECISION, SCALE, asdecimal=True)
    cache_ok = True

    def __init__(self, places: int | None = None) -> None:
        super().__init__()
        self.places = places

    def process_bind_param(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if not number.is_finite() or abs(number) >= LIMIT or number.quantize(_QUANTUM) != number:
            raise ValueError(f"数值 {number} 超出存储范围：整数部分最多 {PRECISION - SCALE} 位，小数最多 {SCALE} 位")
        return number

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        number = value if isinstance(value, Decimal) else Decimal(str(value))
        if self.places is not None:
            return number.quantize(Decimal(1).scaleb(-self.places))
        return plain(number)


class _FloatFound(Exception):
    pass


def _refuse_float(_text: str) -> Any:
    raise _FloatFound


def _has_float(data: Any) -> bool:
    # Checked by the C encoder and decoder rather than a walk in Python (an import binds millions of
    # values): a float is written as a JSON number with a fraction or exponent, an int never is.
    kind = type(data)
    if kind is str or kind is int or kind is bool or data is None:
        return False
    if kind is float:
        return True
    if (kind is list or kind is dict) and len(data) <= 8:
        return any(_has_float(item) for item in (data.values() if kind is dict else data))
    try:
        json.loads(json.dumps(data, default=str), parse_float=_refuse_float, parse_constant=_refuse_float)
    except _FloatFound:
        return True
    except ValueError:  # not JSON at all (nan, inf): let the walk below say where
        return True
    return False


def _no_floats(data: Any, where: str = "") -> None:
    if not where and not _has_float(data):
        return
    if isinstance(data, float):
        raise TypeError(f"JSON 中的数值 {data!r}（{where or '顶层'}）是浮点数；小数应以字符串保存")
    if isinstance(data, dict):
        for key, item in data.items():
            _no_floats(item, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list | tuple):
        for n, item in enumerate(data):
            _no_floats(item, f"{where}[{n}]")


class JsonText(str):
    """A JSON document already serialised by seccheck and checked to hold no float (see
    `json_text`): a `Json` column stores the text as it is, rather than serialising the data again.
    A bulk import writes each audit's result, thirty kilobytes, into two columns."""


def _as_is(text: str) -> str:
    return text


def json_text(data: Any) -> JsonText:
    """`data` serialised as a `Json` column writes it (characters, not \\u escapes), floats refused."""
    return checked_json_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")))[0]


def checked_json_text(text: str) -> tuple[JsonText, Any]:
    """JSON text made by seccheck (a pydantic dump) with its data, a float refused as `Json` refuses it."""
    try:
        data = json.loads(text, parse_float=_refuse_float, parse_constant=_refuse_float)
    except _FloatFound:
        _no_floats(json.loads(text))  # says where
        raise
    return JsonText(text), data


class Json(TypeDecorator[Any]):
    """JSON, JSONB on PostgreSQL. `none_as_null`: Python None is SQL NULL (else the JSON null).

    A `JsonText` value is bound as the text it holds (already serialised and checked)."""

    impl = JSON
    cache_ok = True

    def __init__(self, none_as_null: bool = True) -> None:
        super().__init__(none_as_null=none_as_null)
        self.none_as_null = none_as_null

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(JSONB(none_as_null=self.none_as_null))
        return dialect.type_descriptor(JSON(none_as_null=self.none_as_null))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        _no_floats(value)
        return value

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        process = super().bind_processor(dialect)
        assert process is not None
        text: Callable[[JsonText], Any]
        if dialect.name == "sqlite":
            text = str
        elif dialect.driver == "psycopg":
            from psycopg.types.json import Jsonb

            def text(value: JsonText) -> Any:
                return Jsonb(value, dumps=_as_is)
        else:  # another driver: the data, serialised its own way

            def text(value: JsonText) -> Any:
                return process(json.loads(value))

        def bind(value: Any) -> Any:
            return text(value) if type(value) is JsonText else process(value)

        return bind


class Timestamp(TypeDecorator[dt.datetime]):
    """A timezone-aware moment; stored in UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.datetime) or value.tzinfo is None:
            raise ValueError(f"时间应带时区（实际：{value!r}）")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
        return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
