"""A keyed ledger, and more records under the seal (issue 28).

- `ledger` gains `mac`: each entry's keyed code, HMAC over its digest with the ledger key kept outside
  the database (seccheck.storage.ledger_key). Entries written before stay as they are (the ledger is
  append-only): the first coded entry vouches for them through the chain. When the ledger has entries
  and none is coded yet, this migration appends one (a record of the key being taken into use), so
  that from here on a ledger rebuilt without the key is caught.
- Sealed from here on: the import record (`submissions`), a document's path, a revision's reason,
  who finalised it and who gave its answers (`audit_revisions.answered_by`, a digest; None before),
  who last updated a rectification, a unit's contact. Each existing row whose
  ledger entry lacks these is recorded again as it stands now ("（升级）"), so the workspace keeps
  verifying; a row whose recorded fields differ from the database is left alone for `verify` to report.
- Indexes on the columns `verify` looks an audit's records up by (audits.chain_id, documents,
  submissions and events by audit), so that verifying every audit is linear in their number.
- `documents.path` is stored relative to the workspace (the folder of the SQLite database) when the
  document lies inside it, so a copied workspace points into itself.

Revision ID: 0008
Revises: 0006
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from seccheck.domain.ledger import replay
from seccheck.storage import ledger

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

#: Columns (and the table) sealed by this migration; a recorded row lacking them is recorded again.
NEW_COLUMNS = {
    "units": {"contact"},
    "audit_revisions": {"reason", "created_by", "answered_by"},
    "rectifications": {"updated_by"},
    "documents": {"path"},
}
NEW_TABLES = {"submissions"}
INDEXES = [
    ("ix_audits_chain", "audits", "chain_id"),
    ("ix_documents_audit", "documents", "audit_id"),
    ("ix_submissions_audit", "submissions", "audit_id"),
    ("ix_events_audit", "events", "audit_id"),
]


def _relative_paths(conn: sa.Connection) -> dict[int, tuple[str, str]]:
    """documents.path made relative to the SQLite database's folder where it lies inside it."""
    database = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        return {}
    root = Path(database).resolve().parent
    changed: dict[int, tuple[str, str]] = {}
    for doc_id, path in conn.execute(sa.text("SELECT id, path FROM documents")):
        if path and Path(path).is_absolute():
            try:
                relative = Path(path).resolve().relative_to(root)
            except ValueError:
                continue
            changed[doc_id] = (path, relative.as_posix())
    for doc_id, (_, stored) in changed.items():
        conn.execute(sa.text("UPDATE documents SET path = :p WHERE id = :i"), {"p": stored, "i": doc_id})
    return changed


def _may_record(table: str, now: dict[str, Any], recorded: Any, moved: dict[int, tuple[str, str]]) -> bool:
    """Record the row again only where it differs from its entry in what this migration seals or moves
    (a field the entry lacks and the row has empty is no difference)."""
    differ = {n for n in set(now) | set(recorded) if now.get(n) != recorded.get(n)}
    if not differ:
        return False
    for name in differ:
        if name not in NEW_COLUMNS.get(table, set()):
            return False
        if name in recorded and not (table == "documents" and name == "path" and _moved(now, recorded, moved)):
            return False
    return True


def _moved(now: dict[str, Any], recorded: Any, moved: dict[int, tuple[str, str]]) -> bool:
    return any(old == recorded.get("path") and new == now.get("path") for old, new in moved.values())


def upgrade() -> None:
    conn = op.get_bind()
    op.add_column("ledger", sa.Column("mac", sa.String(64), nullable=True))
    op.add_column("audit_revisions", sa.Column("answered_by", sa.String(64), nullable=True))
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
    moved = _relative_paths(conn)
    source = context.config.attributes.get("ledger_key")
    key = source(conn) if source is not None else None
    expected = replay(ledger.entries(conn))
    changes: list[tuple[str, list[Any], Any]] = []
    for spec in ledger.SEALED.values():
        if spec.table not in NEW_TABLES and spec.table not in NEW_COLUMNS:
            continue
        for row_key, row in ledger.stream_rows(conn, spec):
            found = expected.get((spec.table, row_key))
            if found is None:
                if spec.table in NEW_TABLES:
                    changes.append((spec.table, json.loads(row_key), row))
            elif found[1] is not None and row != found[1] and _may_record(spec.table, row, found[1], moved):
                changes.append((spec.table, json.loads(row_key), row))
    at = dt.datetime.now(dt.UTC).isoformat()
    if expected and key is not None and not changes and not ledger.has_keyed_entries(conn):
        changes.append(("ledger_key", [1], {"algorithm": "hmac"}))
    if changes:
        ledger.append(conn, changes, at=at, actor="（升级）", key=key)


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table)
    with op.batch_alter_table("ledger") as batch:
        batch.drop_column("mac")
    with op.batch_alter_table("audit_revisions") as batch:
        batch.drop_column("answered_by")
