"""Tiers below the unit (forms.md §4): departments, people and which of them an audit is for.

Revision ID: 0012
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seccheck.storage.types import Json, Timestamp

revision = "0012"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("former_names", Json, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.UniqueConstraint("unit_id", "name"),
    )
    op.create_index("ix_departments_unit", "departments", ["unit_id"])
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("staff_no", sa.String(64), nullable=False, server_default=""),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", Timestamp, nullable=False),
    )
    op.create_index("ix_people_unit", "people", ["unit_id"])
    op.create_table(
        "audit_tiers",
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("audits.id"), primary_key=True),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=True),
    )
    op.create_index("ix_audit_tiers_person", "audit_tiers", ["person_id"])
    op.create_index("ix_audit_tiers_department", "audit_tiers", ["department_id"])


def downgrade() -> None:
    op.drop_index("ix_audit_tiers_department", "audit_tiers")
    op.drop_index("ix_audit_tiers_person", "audit_tiers")
    op.drop_table("audit_tiers")
    op.drop_index("ix_people_unit", "people")
    op.drop_table("people")
    op.drop_index("ix_departments_unit", "departments")
    op.drop_table("departments")
