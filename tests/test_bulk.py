"""Bulk inserts (issue 26): rows written by `storage.bulk.insert_rows` are stored exactly as an ordinary
insert stores them, with the same checks, on SQLite and PostgreSQL; JSON serialised once is stored as
the data it holds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Table, insert, select, text

from seccheck.storage import tables as t
from seccheck.storage.bulk import insert_rows
from seccheck.storage.types import JsonText, checked_json_text, json_text
from tests.conftest import Workspace

ANSWERS: Table = t.AnswerRow.__table__  # type: ignore[assignment]
AT = dt.datetime(2026, 11, 20, 9, 30, 15, 123456, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _rows(prefix: str) -> list[dict[str, Any]]:
    """Answers of every kind a column can hold, twice over (the second of each bound from memory)."""
    values: list[tuple[Any, bool, Decimal | None, str | None, list[str]]] = [
        (True, False, None, None, []),
        (False, False, Decimal("4.00"), "说明", ["a.pdf", "b.pdf"]),
        (3, False, Decimal("0.5"), None, []),
        ({"decimal": "2.50"}, False, None, "第一行\n第二行", ["证据.jpg"]),
        ("选项", False, None, None, []),
        ({"date": "2026-11-20"}, False, None, None, []),
        (None, True, None, None, []),
        (True, False, None, None, []),
        (3, False, Decimal("0.5"), None, ["a.pdf", "b.pdf"]),
    ]
    return [
        {
            "audit_id": 1,
            "key": f"{prefix}{n}",
            "value": value,
            "na": na,
            "deduct": deduct,
            "note": note,
            "evidence": evidence,
            "answered_by": "测试员",
            "answered_at": AT,
            "position": n,
        }
        for n, (value, na, deduct, note, evidence) in enumerate(values)
    ]


def _stored(conn: Any, prefix: str) -> list[tuple[Any, ...]]:
    """The rows as the database holds them (raw, not through the columns' types)."""
    found = conn.execute(
        text(
            "SELECT position, value, na, deduct, note, evidence, answered_by, answered_at FROM answers "
            "WHERE audit_id = 1 AND key LIKE :prefix ORDER BY position"
        ),
        {"prefix": prefix + "%"},
    )
    return [tuple(row) for row in found]


def test_bulk_rows_are_stored_as_an_ordinary_insert_stores_them(workspace: Workspace, tmp_path: Path) -> None:
    from bench.generate import generate

    folder = tmp_path / "answers"
    folder.mkdir()
    run = workspace.run("import", "--new-unit", "--no-notice", *generate(folder, 1))  # audit 1
    assert run.code == 0, run.text
    db = workspace.db()
    try:
        with db.engine.connect() as conn, conn.begin() as tx:
            conn.execute(insert(ANSWERS), _rows("orm"))
            insert_rows(conn, ANSWERS, _rows("bulk"))
            ordinary, bulk = _stored(conn, "orm"), _stored(conn, "bulk")
            # And read back through the columns' types: the same Python values.
            typed = conn.execute(select(ANSWERS).where(ANSWERS.c.key.like("bulk%")).order_by(ANSWERS.c.position))
            typed_rows = [(r.value, r.na, r.deduct, r.evidence, r.answered_at) for r in typed]
            tx.rollback()
    finally:
        db.close()
    assert len(ordinary) == 9
    assert bulk == ordinary
    assert typed_rows[1] == (False, False, Decimal("4"), ["a.pdf", "b.pdf"], AT)
    assert typed_rows[3][0] == {"decimal": "2.50"}


@pytest.mark.parametrize(
    ("column", "value", "error"),
    [("value", 0.5, TypeError), ("evidence", ["a", 1.5], TypeError), ("deduct", Decimal("0.00001"), ValueError)],
)
def test_bulk_rows_get_the_columns_checks(tmp_path: Path, column: str, value: Any, error: type[Exception]) -> None:
    """A float in JSON, a deduction with more than 4 decimals: refused, as by an ordinary insert."""
    from seccheck.storage.db import Database

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with db.engine.connect() as conn, conn.begin() as tx:
            rows = _rows("bad")
            rows[4][column] = value
            with pytest.raises(error):
                insert_rows(conn, ANSWERS, rows)
            with pytest.raises(Exception, match=r"浮点|超出"):
                conn.execute(insert(ANSWERS), rows)
            tx.rollback()
    finally:
        db.close()


def test_json_serialised_once_is_the_data_it_holds_and_floats_are_refused(tmp_path: Path) -> None:
    from seccheck.storage.db import Database

    data = {"单位": "某单位", "points": "4.50", "checks": [{"id": "1a", "value": True, "deduction": "0"}]}
    stored, parsed = checked_json_text(
        '{"单位":"某单位","points":"4.50","checks":[{"id":"1a","value":true,"deduction":"0"}]}'
    )
    assert isinstance(stored, JsonText) and parsed == data
    assert json_text(data) == stored  # the same text whichever way it was made
    with pytest.raises(TypeError, match=r"checks\[0\]\.value"):
        checked_json_text('{"checks":[{"value":0.5}]}')
    with pytest.raises(TypeError):
        json_text({"x": [1, 2.0]})
    events: Table = t.Event.__table__  # type: ignore[assignment]
    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with db.engine.connect() as conn, conn.begin() as tx:
            row = {"at": AT, "actor": "测试员", "action": "test", "audit_id": None}
            conn.execute(insert(events), [{**row, "detail": data}, {**row, "detail": stored}])
            raw = [r[0] for r in conn.execute(text("SELECT detail FROM events ORDER BY id"))]
            typed = [r[0] for r in conn.execute(select(events.c.detail).order_by(events.c.id))]
            tx.rollback()
    finally:
        db.close()
    assert raw[0] == raw[1] and typed == [data, data]
