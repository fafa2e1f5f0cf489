"""Standup check-ins: what each member was asked and answered for a standup day.

Revision ID: 0015_checkins
Revises: 0014_drop_claims
Create Date: 2026-12-07

The unique constraint on (platform, channel_id, member_id, day) makes asking exactly once
per member and day, across replicas and restarts.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_checkins"
down_revision: str | Sequence[str] | None = "0014_drop_claims"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_checkin",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(512), nullable=False),
        sa.Column("member_id", sa.String(255), nullable=False),
        sa.Column("member_name", sa.String(255), nullable=False),
        sa.Column("day", sa.String(32), nullable=False),
        sa.Column("locale", sa.String(8), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("questions", sa.Text, nullable=False),
        sa.Column("answers", sa.Text, nullable=False),
        sa.Column("asked_at", sa.DateTime),
        sa.Column("answered_at", sa.DateTime),
        sa.Column("reminded_at", sa.DateTime),
        sa.Column("posted_at", sa.DateTime),
        sa.Column("direct_id", sa.String(512)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint(
            "platform", "channel_id", "member_id", "day", name="uq_checkin_member_day"
        ),
    )
    op.create_index("ix_checkin_member", "standup_checkin", ["platform", "member_id", "day"])
    op.create_index("ix_checkin_created", "standup_checkin", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_checkin_created", table_name="standup_checkin")
    op.drop_index("ix_checkin_member", table_name="standup_checkin")
    op.drop_table("standup_checkin")
