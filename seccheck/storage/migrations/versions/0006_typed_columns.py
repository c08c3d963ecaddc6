"""Typed columns (records.md §6): numbers NUMERIC, structured data JSON, moments timestamps, and the
references between rows foreign keys, so that a query run on the database itself sorts and sums
correctly.

- points, deductions and percent (text until now) become NUMERIC(15, 4) (seccheck.storage.types);
  a stored value that does not fit exactly stops the migration with its table, row and value;
- JSON held as text becomes JSON (JSONB on PostgreSQL); decimals inside stay strings, so every
  sealed revision keeps its canonical form and its seal;
- ISO 8601 text with a UTC offset becomes a timezone-aware timestamp (UTC); the day a notice
  number was given becomes a date;
- `reinspection_of`, `chain_id`, `superseded_by` and `rectifications.verified_by` refer to audits,
  `documents.number_id` to notice numbers. `events.audit_id` stays a plain number: the log keeps
  naming audit rows that migration 0004 folded away.

PostgreSQL converts each column in place (ALTER COLUMN … TYPE … USING). SQLite cannot change a
column's type, and a batch copy would CAST the old text (CAST('2026-11-21T…' AS DATETIME) is 2026):
each table is rebuilt instead, its rows converted here, with foreign keys off for the whole
migration (seccheck.storage.db) so that dropping a parent never cascades to its children. The
event log's triggers go with its old table and are created again.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from alembic import op

from seccheck.errors import EnvironmentProblem, Problem
from seccheck.storage.types import Exact, Json, Timestamp

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

NUMBER, PERCENT, JSON, JSON_VALUE, MOMENT, DAY = "number", "percent", "json", "json-value", "moment", "day"

# What changes, per table: column -> its new kind.
CHANGES: dict[str, dict[str, str]] = {
    "units": {"created_at": MOMENT},
    "campaigns": {"rulesets": JSON, "created_at": MOMENT},
    "audits": {
        "inspectors": JSON,
        "methods": JSON,
        "asked": JSON,
        "percent": PERCENT,
        "result": JSON,
        "created_at": MOMENT,
        "finalized_at": MOMENT,
    },
    "audit_revisions": {"particulars": JSON, "answers": JSON, "result": JSON, "created_at": MOMENT},
    "submissions": {"imported_at": MOMENT},
    "answers": {"value": JSON_VALUE, "deduct": NUMBER, "evidence": JSON, "answered_at": MOMENT},
    "findings": {"deduction": NUMBER},
    "events": {"at": MOMENT, "detail": JSON},
    "notice_numbers": {"issued_at": DAY},
    "rectifications": {"report_evidence": JSON, "updated_at": MOMENT},
    "documents": {"created_at": MOMENT},
}
# New foreign keys: (table, column, referred table).
REFERENCES = [
    ("audits", "reinspection_of", "audits"),
    ("audits", "chain_id", "audits"),
    ("audits", "superseded_by", "audits"),
    ("rectifications", "verified_by", "audits"),
    ("documents", "number_id", "notice_numbers"),
]


def _tables(md: sa.MetaData, suffix: str) -> dict[str, sa.Table]:
    """The schema after this migration, each table named with `suffix` (SQLite builds them aside)."""
    for name in ("units", "campaigns", "ruleset_copies", "audits", "findings", "notice_numbers"):
        sa.Table(name, md, sa.Column("id" if name != "ruleset_copies" else "sha256", sa.Integer, primary_key=True))

    def table(name: str, *items: Any) -> sa.Table:
        return sa.Table(name + suffix, md, *items)

    return {
        "units": table(
            "units",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(200), nullable=False, unique=True),
            sa.Column("code", sa.String(64), nullable=False, server_default=""),
            sa.Column("kind", sa.String(64), nullable=False, server_default=""),
            sa.Column("contact", sa.String(200), nullable=False, server_default=""),
            sa.Column("created_at", Timestamp, nullable=False),
        ),
        "campaigns": table(
            "campaigns",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(200), nullable=False, unique=True),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("rulesets", Json, nullable=False),
            sa.Column("period_start", sa.Date, nullable=True),
            sa.Column("period_end", sa.Date, nullable=True),
            sa.Column("created_at", Timestamp, nullable=False),
        ),
        "audits": table(
            "audits",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
            sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=True),
            sa.Column("ruleset_id", sa.String(64), nullable=False),
            sa.Column("ruleset_version", sa.String(64), nullable=False),
            sa.Column("ruleset_sha256", sa.String(64), sa.ForeignKey("ruleset_copies.sha256"), nullable=False),
            sa.Column("mode", sa.String(16), nullable=False),
            sa.Column("inspectors", Json, nullable=False),
            sa.Column("methods", Json, nullable=False),
            sa.Column("date", sa.Date, nullable=False),
            sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
            sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
            sa.Column("revision_of", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
            sa.Column("superseded_by", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
            sa.Column("grade", sa.String(64), nullable=True),
            sa.Column("percent", Exact(places=1), nullable=True),
            sa.Column("result", Json, nullable=True),
            sa.Column("seal", sa.String(64), nullable=True),
            sa.Column("source", sa.String(500), nullable=False, server_default=""),
            sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
            sa.Column("created_at", Timestamp, nullable=False),
            sa.Column("finalized_at", Timestamp, nullable=True),
            sa.Column("reinspection_of", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
            sa.Column("chain_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
            sa.Column("asked", Json, nullable=True),
        ),
        "audit_revisions": table(
            "audit_revisions",
            sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), primary_key=True),
            sa.Column("revision", sa.Integer, primary_key=True),
            sa.Column("unit_name", sa.String(200), nullable=False),
            sa.Column("particulars", Json, nullable=False),
            sa.Column("answers", Json, nullable=False),
            sa.Column("result", Json, nullable=False),
            sa.Column("seal", sa.String(64), nullable=False),
            sa.Column("reason", sa.Text, nullable=False, server_default=""),
            sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
            sa.Column("created_at", Timestamp, nullable=False),
            sa.Column("seal_format", sa.Integer, nullable=False, server_default="1"),
            sa.Column("engine_version", sa.String(32), nullable=False, server_default=""),
        ),
        "submissions": table(
            "submissions",
            sa.Column("digest", sa.String(64), primary_key=True),
            sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False),
            sa.Column("source", sa.String(500), nullable=False, server_default=""),
            sa.Column("imported_by", sa.String(200), nullable=False, server_default=""),
            sa.Column("imported_at", Timestamp, nullable=False),
        ),
        "answers": table(
            "answers",
            sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("value", Json(none_as_null=False), nullable=False),
            sa.Column("na", sa.Boolean, nullable=False, server_default=sa.false()),
            sa.Column("deduct", Exact, nullable=True),
            sa.Column("note", sa.Text, nullable=True),
            sa.Column("evidence", Json, nullable=False),
            sa.Column("answered_by", sa.String(200), nullable=False, server_default=""),
            sa.Column("answered_at", Timestamp, nullable=False),
            sa.Column("position", sa.Integer, nullable=False, server_default="0"),
        ),
        "findings": table(
            "findings",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id", ondelete="CASCADE"), nullable=False),
            sa.Column("check_id", sa.String(64), nullable=False),
            sa.Column("item_id", sa.String(64), nullable=False),
            sa.Column("category_id", sa.String(64), nullable=False),
            sa.Column("text", sa.Text, nullable=False),
            sa.Column("deduction", Exact, nullable=False),
            sa.Column("severity", sa.String(16), nullable=False),
            sa.Column("due", sa.Date, nullable=False),
            sa.Column("deadline_days", sa.Integer, nullable=True),
            sa.UniqueConstraint("audit_id", "check_id"),
        ),
        "events": table(
            "events",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("at", Timestamp, nullable=False),
            sa.Column("actor", sa.String(200), nullable=False),
            sa.Column("action", sa.String(64), nullable=False),
            sa.Column("audit_id", sa.Integer, nullable=True),
            sa.Column("detail", Json, nullable=False),
        ),
        "notice_numbers": table(
            "notice_numbers",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("issuer", sa.String(200), nullable=False),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("number", sa.Integer, nullable=False),
            sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False),
            sa.Column("issued_at", sa.Date, nullable=False),
            sa.UniqueConstraint("issuer", "year", "number", name="uq_notice_numbers_issuer_year_number"),
        ),
        "rectifications": table(
            "rectifications",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column(
                "finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"), nullable=False, unique=True
            ),
            sa.Column("state", sa.String(16), nullable=False, server_default="open"),
            sa.Column("due", sa.Date, nullable=False),
            sa.Column("report_note", sa.Text, nullable=True),
            sa.Column("report_evidence", Json, nullable=False),
            sa.Column("reason", sa.Text, nullable=True),
            sa.Column("updated_at", Timestamp, nullable=False),
            sa.Column("updated_by", sa.String(200), nullable=False, server_default=""),
            sa.Column("verified_by", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
        ),
        "documents": table(
            "documents",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False),
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("revision", sa.Integer, nullable=False),
            sa.Column("number_id", sa.Integer, sa.ForeignKey("notice_numbers.id"), nullable=True),
            sa.Column("path", sa.Text, nullable=False),
            sa.Column("sha256", sa.String(64), nullable=False),
            sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
            sa.Column("created_at", Timestamp, nullable=False),
            sa.Column("anchor_position", sa.Integer, nullable=True),
            sa.Column("anchor_digest", sa.String(64), nullable=True),
        ),
    }


INDEXES = [
    ("ix_audits_unit", "audits", ["unit_id"]),
    ("ix_audits_campaign", "audits", ["campaign_id"]),
    ("ix_findings_audit", "findings", ["audit_id"]),
    ("ix_notice_numbers_audit", "notice_numbers", ["audit_id"]),
]


class Unconvertible(Exception):
    pass


def _number(value: Any, kind: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
        return Exact().process_bind_param(number, sa.engine.default.DefaultDialect())
    except (InvalidOperation, ValueError) as exc:
        raise Unconvertible(f"{value!r} 不是可精确保存的数值（{exc}）") from None


def _moment(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        moment = value
    else:
        try:
            moment = dt.datetime.fromisoformat(str(value).strip())
        except ValueError:
            raise Unconvertible(f"{value!r} 不是 ISO 8601 时间") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def _day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise Unconvertible(f"{value!r} 不是日期") from None


def _json(value: Any) -> Any:
    if value is None:
        return None
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise Unconvertible(f"{value[:40]!r} 不是 JSON") from None


CONVERT: dict[str, Callable[[Any], Any]] = {
    NUMBER: lambda v: _number(v, NUMBER),
    PERCENT: lambda v: _number(v, PERCENT),
    JSON: _json,
    JSON_VALUE: _json,
    MOMENT: _moment,
    DAY: _day,
}


def _check(conn: sa.Connection, table: str, columns: dict[str, str]) -> list[dict[str, Any]]:
    """Every row of `table`, its changing columns converted; refuses a value that cannot be."""
    rows = [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}")).mappings()]
    for row in rows:
        for column, kind in columns.items():
            try:
                row[column] = CONVERT[kind](row[column])
            except Unconvertible as exc:
                key = {k: row[k] for k in ("id", "audit_id", "key", "digest") if k in row}
                raise EnvironmentProblem(
                    [
                        Problem(
                            f"数据库升级（迁移 0006）无法换算表 {table} 中 {key} 的 {column}：{exc}；数据库未改动",
                            field="database",
                        )
                    ]
                ) from None
    return rows


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _rebuild_sqlite(conn)
    else:
        _alter_postgresql(conn)


def _rebuild_sqlite(conn: sa.Connection) -> None:
    md = sa.MetaData()
    targets = _tables(md, "__new")
    for name, columns in CHANGES.items():
        new = targets[name]
        # Dates come back from SQLite as text, too.
        days = {c.name: DAY for c in new.columns if isinstance(c.type, sa.Date) and c.name not in columns}
        rows = _check(conn, name, {**columns, **days})
        new.create(conn)
        if rows:
            conn.execute(sa.insert(new), rows)
        op.execute(f"DROP TABLE {name}")  # its indexes and triggers go with it; foreign keys are off
        op.execute(f"ALTER TABLE {name}__new RENAME TO {name}")
    for index, table, indexed in INDEXES:
        op.create_index(index, table, indexed)
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
            "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
        )


def _alter_postgresql(conn: sa.Connection) -> None:
    # Offsets are part of every stored moment; a moment written without one is taken as UTC.
    op.execute("SET LOCAL TIME ZONE 'UTC'")
    sql = {
        NUMBER: "NUMERIC(15, 4) USING NULLIF({c}, '')::numeric",
        PERCENT: "NUMERIC(15, 4) USING NULLIF({c}, '')::numeric",
        JSON: "JSONB USING {c}::jsonb",
        JSON_VALUE: "JSONB USING {c}::jsonb",
        MOMENT: "TIMESTAMP WITH TIME ZONE USING {c}::timestamptz",
        DAY: "DATE USING left({c}, 10)::date",
    }
    for name, columns in CHANGES.items():
        _check(conn, name, columns)  # refuse what would not convert exactly, before changing anything
        for column, kind in columns.items():
            op.execute(f"ALTER TABLE {name} ALTER COLUMN {column} DROP DEFAULT")
            op.execute(f"ALTER TABLE {name} ALTER COLUMN {column} TYPE " + sql[kind].format(c=column))
    for table, column, referred in REFERENCES:
        op.create_foreign_key(f"{table}_{column}_fkey", table, referred, [column], ["id"])


def downgrade() -> None:
    raise NotImplementedError("0005 changes column types; restore a backup to go back")
