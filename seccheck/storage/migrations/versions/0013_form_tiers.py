"""Forms issued per department and per person (forms.md §4): whom each such form is for.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_form_tiers",
        sa.Column("form_id", sa.Integer, sa.ForeignKey("issued_forms.id"), primary_key=True),
        sa.Column("department_id", sa.Integer, sa.ForeignKey("departments.id"), nullable=False),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=True),
        sa.Column("department", sa.String(200), nullable=False),
        sa.Column("person", sa.String(200), nullable=False, server_default=""),
        sa.Column("person_name", sa.String(200), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("issued_form_tiers")
