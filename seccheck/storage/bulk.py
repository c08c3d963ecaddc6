"""Inserting many rows with one statement, each statement compiled once and each distinct value bound once.

`insert_rows(conn, table, rows)` binds every value with its column's own type (the dialect's bind
processors: the same checks and the same stored form as any other insert), but processes each
distinct value once — an import binds a hundred thousand answers, most of them `true`, `[]` and the
same moment — and hands the rows to the driver's executemany as they are, without SQLAlchemy's
per-row parameter processing. Used by the bulk import (seccheck.storage.batch) and the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Table, bindparam, insert
from sqlalchemy.types import UserDefinedType

_MEMO_KINDS = frozenset({bool, int, str, type(None), Decimal, dt.date, dt.datetime})


def _memo_key(value: Any) -> Any:
    """What the value is bound as depends on nothing else: a key for binding it once (None: no key)."""
    kind = type(value)
    if kind in _MEMO_KINDS:
        return (kind, str(value) if kind is Decimal else value)
    if kind is list and all(type(item) is str for item in value):
        return (list, *value)
    return None


class _AsBound(UserDefinedType[Any]):
    """A value already bound by its column's type: passed to the driver as it is."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return ""


_COMPILED: dict[tuple[str, str, str, str, tuple[str, ...]], tuple[str, tuple[str, ...] | None]] = {}


def _compiled(conn: Connection, table: Table, names: tuple[str, ...]) -> tuple[str, tuple[str, ...] | None]:
    """The INSERT's SQL for this dialect and, for a positional paramstyle, the order of its parameters."""
    dialect = conn.dialect
    key = (dialect.name, dialect.driver, dialect.paramstyle, table.name, names)
    if key not in _COMPILED:
        statement = insert(table).values({name: bindparam(name, type_=_AsBound()) for name in names})
        compiled = statement.compile(dialect=dialect)
        order = tuple(compiled.positiontup or ()) if compiled.positional else None
        _COMPILED[key] = (compiled.string, order)
    return _COMPILED[key]


def insert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """One executemany INSERT of `rows` (each with the same columns, those of the first)."""
    if not rows:
        return
    names = tuple(rows[0])
    sql, order = _compiled(conn, table, names)
    dialect = conn.dialect
    processors: list[tuple[str, Any, dict[Any, Any]]] = [
        (name, table.c[name].type._cached_bind_processor(dialect), {}) for name in order or names
    ]
    bound: list[Any] = []
    for row in rows:
        values = []
        for name, process, memo in processors:
            value = row[name]
            if process is not None:
                key = _memo_key(value)
                if key is None:
                    value = process(value)
                elif key in memo:
                    value = memo[key]
                else:
                    value = memo[key] = process(value)
            values.append(value)
        bound.append(tuple(values) if order is not None else dict(zip(names, values, strict=True)))
    conn.exec_driver_sql(sql, bound)
