"""Notice numbers (发文字号) and rectifications.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notice_numbers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=False, unique=True),
        sa.Column("issued_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("issuer", "year", "number"),
    )
    op.create_table(
        "rectifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "finding_id", sa.Integer, sa.ForeignKey("findings.id", ondelete="CASCADE"), nullable=False, unique=True
        ),
        sa.Column("state", sa.String(16), nullable=False, server_default="open"),
        sa.Column("due", sa.Date, nullable=False),
        sa.Column("report_note", sa.Text, nullable=True),
        sa.Column("report_evidence", sa.Text, nullable=False, server_default="[]"),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False, server_default=""),
    )
    # Findings recorded before this release get their rectification, open, due as found.
    op.execute(
        "INSERT INTO rectifications (finding_id, state, due, report_evidence, updated_at, updated_by) "
        "SELECT id, 'open', due, '[]', '1970-01-01T00:00:00+00:00', 'migration 0002' FROM findings"
    )


def downgrade() -> None:
    op.drop_table("rectifications")
    op.drop_table("notice_numbers")
