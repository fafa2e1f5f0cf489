"""Sources: a log of polls, webhook calls and imports (source_run).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

A branch of its own off 0001; the bot upgrades to "heads".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "source_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
        sa.Column("new", sa.Integer, nullable=False, server_default="0"),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        sa.Column("errors", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.String(1024)),
    )
    op.create_index("ix_source_run_source_at", "source_run", ["source", "at"])


def downgrade() -> None:
    op.drop_index("ix_source_run_source_at", table_name="source_run")
    op.drop_table("source_run")
