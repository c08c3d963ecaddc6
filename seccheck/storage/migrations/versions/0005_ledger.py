"""The sealed ledger (records.md §5): a hash-chained, append-only record of every change to what an
office reports on, and seal formats recorded per revision.

- `documents` gains the anchor it prints (ledger position and head digest).
- `audit_revisions` gains `seal_format` (1 for every revision sealed before this migration: it keeps
  being verified by that format's rule) and `engine_version`.
- `ledger` is created append-only (triggers refuse UPDATE and DELETE, and TRUNCATE on PostgreSQL);
  `events` is refused TRUNCATE on PostgreSQL too.
- Every existing sealed row is recorded in the ledger as it stands, so the workspace verifies from
  here on: what was there before the upgrade is vouched for by its seals, what changes after by the
  ledger.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from seccheck.storage import ledger

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_revisions") as batch:
        batch.add_column(sa.Column("seal_format", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("engine_version", sa.String(32), nullable=False, server_default=""))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("anchor_position", sa.Integer, nullable=True))
        batch.add_column(sa.Column("anchor_digest", sa.String(64), nullable=True))
    op.create_table(
        "ledger",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("table_name", sa.String(64), nullable=False),
        sa.Column("row_key", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )
    op.create_index("ix_ledger_row", "ledger", ["table_name", "row_key"])
    conn = op.get_bind()
    for statement in ledger.append_only_sql(conn.dialect.name, "ledger"):
        op.execute(statement)
    if conn.dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
            "FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()"
        )
    ledger.baseline(conn, at=dt.datetime.now(dt.UTC).isoformat(), actor="（升级）")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS events_no_truncate ON events")
        op.execute("DROP TRIGGER IF EXISTS ledger_no_truncate ON ledger")
        op.execute("DROP TRIGGER IF EXISTS ledger_append_only ON ledger")
        op.execute("DROP FUNCTION IF EXISTS ledger_append_only()")
    op.drop_table("ledger")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("anchor_digest")
        batch.drop_column("anchor_position")
    with op.batch_alter_table("audit_revisions") as batch:
        batch.drop_column("engine_version")
        batch.drop_column("seal_format")
