"""Backfill: the runs that fetch a source's past (source_backfill), and since when each
source's record is complete (source_state.covered_from).

Revision ID: 0012_backfill
Revises: 0010_stories
Create Date: 2026-12-07

Existing sources keep covered_from NULL: when they began is not known, so nothing is
claimed about their coverage.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_backfill"
down_revision: str | Sequence[str] | None = "0010_stories"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_backfill",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("since", sa.DateTime, nullable=False),
        sa.Column("until", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("cursor", sa.Text, nullable=False, server_default="{}"),
        sa.Column("reached", sa.DateTime),
        sa.Column("capped", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.String(1024)),
        sa.Column("notify", sa.String(1024)),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("claim_expires_at", sa.DateTime),
    )
    op.create_index("ix_source_backfill_source_status", "source_backfill", ["source", "status"])
    with op.batch_alter_table("source_state") as batch:
        batch.add_column(sa.Column("covered_from", sa.DateTime))


def downgrade() -> None:
    with op.batch_alter_table("source_state") as batch:
        batch.drop_column("covered_from")
    op.drop_index("ix_source_backfill_source_status", table_name="source_backfill")
    op.drop_table("source_backfill")
