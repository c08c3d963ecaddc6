# Long on purpose: the sealed tables' declaration (SEALED) and the hooks that record them are read together.
"""Writing and reading the sealed ledger (seccheck.domain.ledger).

Which rows are sealed, and which of their columns, is declared once in `SEALED`. A session hook
records every insert, change and deletion of those rows: whatever use case (or future one) writes
them, the ledger follows without the use case having to remember. The entries of one transaction are
appended at commit, under the database's write lock (SQLite's BEGIN IMMEDIATE, an advisory lock on
PostgreSQL), so two writers never fork the chain.

Every entry carries a keyed code (`mac`, HMAC-SM3 over its digest; seccheck.domain.ledger.entry_mac)
made with the workspace's ledger key (seccheck.storage.ledger_key), which is kept outside the
database: whoever can only write the database can append rows that chain, but not rows whose code
verifies.

Writing entries from elsewhere (a bulk import that inserts rows with Core statements, bypassing the
session hook): call `append(conn, changes, at=…, actor=…, key=…)` once per transaction with every
change of the batch — one (table, key, row snapshot) per row, snapshots made with `snapshot(SEALED[t],
row)` — and the key from `Database.ledger_key(conn)`. It takes the lock, chains and codes the whole
batch in one pass and inserts it with one executemany: the key costs one HMAC of 64 bytes per entry.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, inspect, select, text
from sqlalchemy.orm import Session

from seccheck.domain.ledger import (
    GENESIS,
    Entry,
    canonical,
    canonical_decimal,
    canonical_timestamp,
    chain_digest,
    entry_content,
    entry_mac,
    preferred_algorithm,
)
from seccheck.storage import tables as t
from seccheck.storage.bulk import insert_rows

_LEDGER: Table = t.LedgerEntry.__table__  # type: ignore[assignment]

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
        Sealed("units", ("id",), {"name": "text", "code": "text", "kind": "text", "contact": "text"}),
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
            {
                "seal": "text",
                "seal_format": "int",
                "engine_version": "text",
                "unit_name": "text",
                "reason": "text",
                "created_by": "text",
                "answered_by": "text",
            },
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
                "updated_by": "text",
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
                "path": "text",
            },
        ),
        # The import record: deleting it would let the same file import as a second audit.
        Sealed("submissions", ("digest",), {"audit_id": "int", "source": "text", "imported_by": "text"}),
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
        # Forms issued per department and per person (migration 0013).
        Sealed(
            "issued_form_tiers",
            ("form_id",),
            {"department_id": "int", "person_id": "int", "department": "text", "person": "text", "person_name": "text"},
        ),
        # Packages reported upward (migration 0014, issue 25): the key's digest, never the key.
        Sealed(
            "package_keys",
            ("id",),
            {
                "role": "text",
                "level": "text",
                "key_id": "text",
                "issuer": "text",
                "subject": "text",
                "unit_id": "int",
                "key_sha256": "text",
            },
        ),
        Sealed(
            "packages",
            ("id",),
            {
                "role": "text",
                "level": "text",
                "key_id": "text",
                "unit_id": "int",
                "year": "int",
                "revision": "int",
                "body_digest": "text",
                "digest": "text",
                "anchor_position": "int",
                "anchor_digest": "text",
                "content": "json",
                "source": "text",
                "created_by": "text",
            },
        ),
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
_KEY = "ledger.key"
_DELETED = "ledger.deleted"

#: Gives the ledger key for a transaction about to append (None: entries without a code, which
#: `verify` reports once any entry has one); seccheck.storage.db.Database.ledger_key.
KeySource = Callable[[Connection], bytes | None]


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
        target = (spec.table, canonical(row_key(spec, row)))
        if is_new and target in pending and pending[target] is None:
            # Deleted and made again in one transaction (a discarded audit's import record): both are
            # recorded, so the ledger never shows one record's content changing in place.
            session.info.setdefault(_DELETED, []).append((spec.table, json.loads(target[1]), None))
        pending[target] = snapshot(spec, row)
    for obj in session.deleted:
        spec = SEALED.get(getattr(obj, "__tablename__", ""))
        if spec is not None:
            pending[(spec.table, canonical(row_key(spec, _object_row(obj, spec))))] = None


def record_rows(session: Session, table: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """Record rows of a sealed table written by bulk statements, which the flush hook does not see
    (seccheck.storage.batch): each row with its key and recorded columns, as written. The entries
    are appended at commit with the others of the transaction."""
    spec = SEALED[table]
    pending: dict[tuple[str, str], dict[str, Any] | None] = session.info.setdefault(_PENDING, {})
    for row in rows:
        pending[(spec.table, canonical(row_key(spec, row)))] = snapshot(spec, row)


def _before_commit(session: Session) -> None:
    session.flush()
    pending = session.info.pop(_PENDING, None)
    deleted = session.info.pop(_DELETED, [])
    if not pending:
        return
    at, actor = session.info.pop(_WHO, None) or (dt.datetime.now(dt.UTC).isoformat(), "")
    changes = [*deleted, *((table, json.loads(key), row) for (table, key), row in pending.items())]
    conn = session.connection()
    source: KeySource | None = session.info.get(_KEY)
    append(conn, changes, at=at, actor=actor, key=source(conn) if source else None)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_DELETED, None)
    session.info.pop(_WHO, None)


def install(sessions: Any, key: KeySource | None = None) -> None:
    """Record sealed changes made through sessions of this sessionmaker, coded with `key`'s key."""
    from sqlalchemy import event

    if key is not None:
        sessions.kw["info"] = {**sessions.kw.get("info", {}), _KEY: key}
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
    key: bytes | None = None,
) -> tuple[int, str]:
    """Append one entry per change after the current head; returns the new head (position, digest).

    The one way entries are written (the session hook, migrations, a bulk path): give it all the
    changes of a transaction at once. `key` is the ledger key (see the module's description)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"SELECT pg_advisory_xact_lock({ADVISORY_LOCK})"))
    position, previous = head(conn)
    algorithm = algorithm or preferred_algorithm()
    when = canonical_timestamp(at)
    rows = []
    for table, row_id, row in changes:
        position += 1
        content = entry_content(position, when, actor, table, row_id, row)
        previous = chain_digest(algorithm, previous, content)
        rows.append(
            {
                "position": position,
                "at": when,
                "actor": actor,
                "table_name": table,
                "row_key": canonical(row_id),
                "content": content,
                "algorithm": algorithm,
                "digest": previous,
                # Left out without a key: migration 0005 writes entries before the column exists.
                **({} if key is None else {"mac": entry_mac(algorithm, key, previous)}),
            }
        )
    insert_rows(conn, _LEDGER, rows)
    return position, previous


# --- reading -----------------------------------------------------------------------------------------


def head(conn: Connection | Session) -> tuple[int, str]:
    """The last position and its digest (0 and the genesis digest for an empty ledger)."""
    last = conn.execute(
        select(t.LedgerEntry.position, t.LedgerEntry.digest).order_by(t.LedgerEntry.position.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


_ENTRY = (
    t.LedgerEntry.position,
    t.LedgerEntry.content,
    t.LedgerEntry.algorithm,
    t.LedgerEntry.digest,
    t.LedgerEntry.mac,
)


def entries(conn: Connection | Session, *, after: int = 0, upto: int | None = None) -> Iterator[Entry]:
    """The entries in order, streamed (a server-side cursor on PostgreSQL): constant memory."""
    query = select(*_ENTRY).where(t.LedgerEntry.position > after).order_by(t.LedgerEntry.position)
    if upto is not None:
        query = query.where(t.LedgerEntry.position <= upto)
    for row in conn.execute(query.execution_options(yield_per=2000)):
        yield Entry(*row)


def entry_at(conn: Connection | Session, position: int) -> Entry | None:
    found = conn.execute(select(*_ENTRY).where(t.LedgerEntry.position == position)).first()
    return Entry(*found) if found else None


def latest_row(conn: Connection | Session, table: str, key: list[Any]) -> dict[str, Any] | None:
    """What the ledger last recorded for one row (None: never recorded, or recorded as deleted)."""
    content = conn.execute(
        select(t.LedgerEntry.content)
        .where(t.LedgerEntry.table_name == table, t.LedgerEntry.row_key == canonical(key))
        .order_by(t.LedgerEntry.position.desc())
        .limit(1)
    ).scalar()
    if content is None:
        return None
    row: dict[str, Any] | None = json.loads(content)["row"]
    return row


def has_keyed_entries(conn: Connection | Session) -> bool:
    return (
        conn.execute(select(t.LedgerEntry.position).where(t.LedgerEntry.mac.is_not(None)).limit(1)).first() is not None
    )


def stream_rows(conn: Connection | Session, spec: Sealed, table: Any = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of a sealed table as (canonical key, canonical snapshot), streamed. Columns the
    table does not have (yet: a migration reading an older schema) are left out of the snapshot."""
    table = t.Base.metadata.tables[spec.table] if table is None else table
    names = [n for n in (*spec.key, *spec.columns) if n in table.c]
    present = Sealed(spec.table, spec.key, {n: k for n, k in spec.columns.items() if n in table.c})
    for values in conn.execute(select(*(table.c[n] for n in names)).execution_options(yield_per=2000)):
        row = dict(zip(names, values, strict=True))
        yield canonical(row_key(spec, row)), snapshot(present, row)


def current_rows(conn: Connection | Session, spec: Sealed, table: Any = None) -> dict[str, dict[str, Any]]:
    """Every row of a sealed table as its canonical snapshot, by canonical key."""
    return dict(stream_rows(conn, spec, table))


def baseline(conn: Connection, *, at: str, actor: str, key: bytes | None = None) -> tuple[int, str]:
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
        for row_id, row in sorted(current_rows(conn, spec, table).items()):
            changes.append((spec.table, json.loads(row_id), row))
    return append(conn, changes, at=at, actor=actor, key=key)


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
