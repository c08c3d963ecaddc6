"""Writing and reading the sealed ledger (seccheck.domain.ledger).

Which rows are sealed, and which of their columns, is declared once in `SEALED`. A session hook
records every insert, change and deletion of those rows: whatever use case (or future one) writes
them, the ledger follows without the use case having to remember. The entries of one transaction are
appended at commit, under the database's write lock (SQLite's BEGIN IMMEDIATE, an advisory lock on
PostgreSQL), so two writers never fork the chain.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, inspect, select, text
from sqlalchemy.orm import Session

from seccheck.domain.ledger import (
    GENESIS,
    Entry,
    canonical,
    canonical_decimal,
    canonical_timestamp,
    chain_digest,
    entry_content,
    preferred_algorithm,
)
from seccheck.storage import tables as t

ADVISORY_LOCK = 7205132


@dataclass(frozen=True)
class Sealed:
    """A sealed table: its key columns and the columns recorded, each with how it is canonicalised."""

    table: str
    key: tuple[str, ...]
    columns: Mapping[str, str]  # name -> text | int | bool | decimal | date | timestamp | json


SEALED: dict[str, Sealed] = {
    s.table: s
    for s in (
        Sealed("units", ("id",), {"name": "text", "code": "text", "kind": "text"}),
        Sealed("unit_aliases", ("name",), {"unit_id": "int"}),
        Sealed(
            "campaigns",
            ("id",),
            {"name": "text", "year": "int", "rulesets": "json", "period_start": "date", "period_end": "date"},
        ),
        Sealed("campaign_units", ("campaign_id", "unit_id"), {}),
        Sealed(
            "audits",
            ("id",),
            {
                "unit_id": "int",
                "campaign_id": "int",
                "ruleset_id": "text",
                "ruleset_sha256": "text",
                "mode": "text",
                "date": "date",
                "status": "text",
                "revision": "int",
                "reinspection_of": "int",
                "chain_id": "int",
                "grade": "text",
                "percent": "decimal",
                "seal": "text",
            },
        ),
        Sealed(
            "audit_revisions",
            ("audit_id", "revision"),
            {"seal": "text", "seal_format": "int", "engine_version": "text", "unit_name": "text"},
        ),
        Sealed(
            "findings",
            ("id",),
            {
                "audit_id": "int",
                "check_id": "text",
                "item_id": "text",
                "category_id": "text",
                "text": "text",
                "deduction": "decimal",
                "severity": "text",
                "due": "date",
                "deadline_days": "int",
            },
        ),
        Sealed(
            "rectifications",
            ("id",),
            {
                "finding_id": "int",
                "state": "text",
                "due": "date",
                "report_note": "text",
                "report_evidence": "json",
                "reason": "text",
                "verified_by": "int",
            },
        ),
        Sealed("notice_numbers", ("id",), {"issuer": "text", "year": "int", "number": "int", "audit_id": "int"}),
        Sealed(
            "documents",
            ("id",),
            {
                "audit_id": "int",
                "kind": "text",
                "revision": "int",
                "number_id": "int",
                "sha256": "text",
                "anchor_position": "int",
                "anchor_digest": "text",
            },
        ),
        Sealed(
            "issued_forms",
            ("id",),
            {
                "number": "text",
                "unit_id": "int",
                "campaign_id": "int",
                "ruleset_id": "text",
                "ruleset_version": "text",
                "ruleset_sha256": "text",
                "issued_on": "date",
                "due": "date",
                "key_sha256": "text",
                "audit_id": "int",
                "returned_on": "date",
                "last_mac": "text",
            },
        ),
        # Tiers below the unit (migration 0012, forms.md §4).
        Sealed(
            "departments",
            ("id",),
            {"unit_id": "int", "name": "text", "former_names": "json", "active": "bool"},
        ),
        Sealed(
            "people",
            ("id",),
            {"unit_id": "int", "department_id": "int", "name": "text", "staff_no": "text", "active": "bool"},
        ),
        Sealed("audit_tiers", ("audit_id",), {"department_id": "int", "person_id": "int"}),
        Sealed(
            "events",
            ("id",),
            {"at": "timestamp", "actor": "text", "action": "text", "audit_id": "int", "detail": "json"},
        ),
    )
}


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return canonical_decimal(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "timestamp":
        try:
            return canonical_timestamp(value)
        except (TypeError, ValueError):
            return str(value)  # a 0.1.0 timestamp in another spelling: kept as written
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "int":
        return int(value)
    if kind == "bool":
        return bool(value)
    return str(value)


def snapshot(spec: Sealed, row: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _value(kind, row.get(name)) for name, kind in spec.columns.items()}


def row_key(spec: Sealed, row: Mapping[str, Any]) -> list[Any]:
    return [row[k] for k in spec.key]


def _object_row(obj: Any, spec: Sealed) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in (*spec.key, *spec.columns)}


# --- recording changes -------------------------------------------------------------------------------

_PENDING = "ledger.pending"
_WHO = "ledger.who"


def note_actor(session: Session, *, at: str, actor: str) -> None:
    """Who and when, for the entries of this transaction (events.record calls it)."""
    session.info[_WHO] = (at, actor)


def _after_flush(session: Session, _context: Any) -> None:
    # After a flush the session still shows what the flush wrote: new, changed and deleted objects,
    # with their attribute history. Only rows of sealed tables whose recorded columns changed count.
    pending: dict[tuple[str, str], dict[str, Any] | None] = session.info.setdefault(_PENDING, {})
    for obj, is_new in [(o, True) for o in session.new] + [(o, False) for o in session.dirty]:
        spec = SEALED.get(getattr(obj, "__tablename__", ""))
        if spec is None:
            continue
        if not is_new:
            state = inspect(obj)
            if not any(state.attrs[name].history.has_changes() for name in (*spec.key, *spec.columns)):
                continue
        row = _object_row(obj, spec)
        pending[(spec.table, canonical(row_key(spec, row)))] = snapshot(spec, row)
    for obj in session.deleted:
        spec = SEALED.get(getattr(obj, "__tablename__", ""))
        if spec is not None:
            pending[(spec.table, canonical(row_key(spec, _object_row(obj, spec))))] = None


def _before_commit(session: Session) -> None:
    session.flush()
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    at, actor = session.info.pop(_WHO, None) or (dt.datetime.now(dt.UTC).isoformat(), "")
    changes = [(table, json.loads(key), row) for (table, key), row in pending.items()]
    append(session.connection(), changes, at=at, actor=actor)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_WHO, None)


def install(sessions: Any) -> None:
    """Record sealed changes made through sessions of this sessionmaker."""
    from sqlalchemy import event

    event.listen(sessions, "after_flush", _after_flush)
    event.listen(sessions, "before_commit", _before_commit)
    event.listen(sessions, "after_soft_rollback", lambda session, _tx: _after_rollback(session))


def append(
    conn: Connection,
    changes: Iterable[tuple[str, list[Any], Mapping[str, Any] | None]],
    *,
    at: str,
    actor: str,
    algorithm: str | None = None,
) -> tuple[int, str]:
    """Append one entry per change after the current head; returns the new head (position, digest)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})"))
    position, previous = head(conn)
    algorithm = algorithm or preferred_algorithm()
    when = canonical_timestamp(at)
    rows = []
    for table, key, row in changes:
        position += 1
        content = entry_content(position, when, actor, table, key, row)
        previous = chain_digest(algorithm, previous, content)
        rows.append(
            {
                "position": position,
                "at": when,
                "actor": actor,
                "table_name": table,
                "row_key": canonical(key),
                "content": content,
                "algorithm": algorithm,
                "digest": previous,
            }
        )
    if rows:
        conn.execute(insert(t.LedgerEntry), rows)
    return position, previous


# --- reading -----------------------------------------------------------------------------------------


def head(conn: Connection | Session) -> tuple[int, str]:
    """The last position and its digest (0 and the genesis digest for an empty ledger)."""
    last = conn.execute(
        select(t.LedgerEntry.position, t.LedgerEntry.digest).order_by(t.LedgerEntry.position.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def entries(conn: Connection | Session) -> Iterator[Entry]:
    query = select(
        t.LedgerEntry.position, t.LedgerEntry.content, t.LedgerEntry.algorithm, t.LedgerEntry.digest
    ).order_by(t.LedgerEntry.position)
    for position, content, algorithm, digest in conn.execute(query):
        yield Entry(position, content, algorithm, digest)


def entry_at(conn: Connection | Session, position: int) -> Entry | None:
    found = conn.execute(
        select(t.LedgerEntry.position, t.LedgerEntry.content, t.LedgerEntry.algorithm, t.LedgerEntry.digest).where(
            t.LedgerEntry.position == position
        )
    ).first()
    return Entry(*found) if found else None


def current_rows(conn: Connection | Session, spec: Sealed, table: Any = None) -> dict[str, dict[str, Any]]:
    """Every row of a sealed table as its canonical snapshot, by canonical key."""
    table = t.Base.metadata.tables[spec.table] if table is None else table
    names = [*spec.key, *spec.columns]
    out: dict[str, dict[str, Any]] = {}
    for values in conn.execute(select(*(table.c[n] for n in names))):
        row = dict(zip(names, values, strict=True))
        out[canonical(row_key(spec, row))] = snapshot(spec, row)
    return out


def baseline(conn: Connection, *, at: str, actor: str) -> tuple[int, str]:
    """Record every existing sealed row as it stands (a workspace made before the ledger existed)."""
    from sqlalchemy import MetaData, Table, inspect

    changes: list[tuple[str, list[Any], Mapping[str, Any] | None]] = []
    metadata = MetaData()
    existing = set(inspect(conn).get_table_names())
    for spec in SEALED.values():
        if spec.table not in existing:
            continue  # made by a later migration: nothing in it to record yet
        # The table as it is in this database now (a migration runs before the newest schema exists).
        table = Table(spec.table, metadata, autoload_with=conn)
        for key, row in sorted(current_rows(conn, spec, table).items()):
            changes.append((spec.table, json.loads(key), row))
    return append(conn, changes, at=at, actor=actor)


# --- the database's own guard --------------------------------------------------------------------------


def append_only_sql(dialect: str, table: str) -> list[str]:
    """Statements that make `table` append-only: UPDATE, DELETE and (PostgreSQL) TRUNCATE refused."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            for verb in ("UPDATE", "DELETE")
        ]
    return [
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} is append-only'; END $$ LANGUAGE plpgsql",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
    ]
