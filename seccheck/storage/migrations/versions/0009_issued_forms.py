"""Issued offline forms (forms.md §1): one row per form given to a unit, sealed in the ledger.

Revision ID: 0009
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seccheck.storage.types import Timestamp

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_forms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("number", sa.String(64), nullable=False, unique=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("serial", sa.Integer, nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=True),
        sa.Column("ruleset_id", sa.String(64), nullable=False),
        sa.Column("ruleset_version", sa.String(64), nullable=False),
        sa.Column("ruleset_sha256", sa.String(64), nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("key_sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False, server_default=""),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), nullable=True),
        sa.Column("returned_on", sa.Date, nullable=True),
        sa.Column("last_mac", sa.String(64), nullable=False, server_default=""),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("year", "serial"),
    )
    op.create_index("ix_issued_forms_unit", "issued_forms", ["unit_id"])


def downgrade() -> None:
    op.drop_index("ix_issued_forms_unit", "issued_forms")
    op.drop_table("issued_forms")
