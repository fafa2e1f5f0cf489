"""People: one row per person approving a version of a draft (draft_approval), so that a
workspace can require more than one approver and count people, not accounts.

Revision ID: 0013_people
Revises: 0012_backfill
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_people"
down_revision: str | Sequence[str] | None = "0012_backfill"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft_approval",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("draft_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("person", sa.String(255), nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False),
        sa.Column("actor_platform", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("draft_id", "version", "person", name="uq_draft_approval"),
    )


def downgrade() -> None:
    op.drop_table("draft_approval")
