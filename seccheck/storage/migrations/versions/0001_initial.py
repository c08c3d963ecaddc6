"""Initial schema: units, campaigns, frozen rulesets, audits, answers, findings, event log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("code", sa.String(64), nullable=False, server_default=""),
        sa.Column("kind", sa.String(64), nullable=False, server_default=""),
        sa.Column("contact", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("rulesets", sa.Text, nullable=False, server_default="[]"),
        sa.Column("period_start", sa.Date, nullable=True),
        sa.Column("period_end", sa.Date, nullable=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "campaign_units",
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), primary_key=True),
    )
    op.create_table(
        "ruleset_copies",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )
    op.create_table(
        "audits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=True),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("ruleset_sha256", sa.String(64), sa.ForeignKey("ruleset_copies.sha256"), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("inspectors", sa.Text, nullable=False, server_default="[]"),
        sa.Column("methods", sa.Text, nullable=False, server_default="[]"),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="draft"),
        sa.Column("revision", sa.Integer, nullable=False, server_default="1"),
        sa.Column("revision_of", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
        sa.Column("superseded_by", sa.Integer, nullable=True),
        sa.Column("grade", sa.String(64), nullable=True),
        sa.Column("percent", sa.String(16), nullable=True),
        sa.Column("result", sa.Text, nullable=True),
        sa.Column("seal", sa.String(64), nullable=True),
        sa.Column("source", sa.String(500), nullable=False, server_default=""),
        sa.Column("created_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("finalized_at", sa.String(32), nullable=True),
    )
    op.create_index("ix_audits_unit", "audits", ["unit_id"])
    op.create_index("ix_audits_campaign", "audits", ["campaign_id"])
    op.create_table(
        "answers",
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("na", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("deduct", sa.String(16), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("evidence", sa.Text, nullable=False, server_default="[]"),
        sa.Column("answered_by", sa.String(200), nullable=False, server_default=""),
        sa.Column("answered_at", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id", ondelete="CASCADE"), nullable=False),
        sa.Column("check_id", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("category_id", sa.String(64), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("deduction", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("due", sa.Date, nullable=False),
        sa.UniqueConstraint("audit_id", "check_id"),
    )
    op.create_index("ix_findings_audit", "findings", ["audit_id"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("audit_id", sa.Integer, nullable=True),
        sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
    )
    # The event log is append-only: the database itself refuses to change or delete a row.
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{verb.lower()} BEFORE {verb} ON events "
                "BEGIN SELECT RAISE(ABORT, 'events are append-only'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION events_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'events are append-only'; END $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
            "FOR EACH ROW EXECUTE FUNCTION events_append_only()"
        )


def downgrade() -> None:
    for table in ("events", "findings", "answers", "audits", "ruleset_copies", "campaign_units", "campaigns", "units"):
        op.drop_table(table)
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS events_append_only()")
