"""Reply drafts: proposed, edited, approved, published or rejected (table draft).

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-27

A branch of its own off 0001; the bot upgrades to "heads".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "draft",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("mention_id", sa.Integer, nullable=False),
        sa.Column("open_key", sa.Integer),
        sa.Column("state", sa.String(16), nullable=False, server_default="proposed"),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("language", sa.String(8), nullable=False, server_default="en"),
        sa.Column("intent", sa.String(16), nullable=False, server_default="other"),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("variants", sa.Text, nullable=False, server_default="[]"),
        sa.Column("origin", sa.String(16), nullable=False, server_default="offline"),
        sa.Column("model", sa.String(128)),
        sa.Column("requested_by", sa.String(255), nullable=False),
        sa.Column("requested_by_platform", sa.String(16), nullable=False),
        sa.Column("requested_by_name", sa.String(255), nullable=False, server_default=""),
        sa.Column("edited_by", sa.String(255)),
        sa.Column("edited_by_platform", sa.String(16)),
        sa.Column("edited_by_name", sa.String(255)),
        sa.Column("edited_at", sa.DateTime),
        sa.Column("approved_by", sa.String(255)),
        sa.Column("approved_by_name", sa.String(255)),
        sa.Column("approved_at", sa.DateTime),
        sa.Column("rejected_by", sa.String(255)),
        sa.Column("rejected_by_name", sa.String(255)),
        sa.Column("rejected_at", sa.DateTime),
        sa.Column("chat_platform", sa.String(16), nullable=False, server_default="console"),
        sa.Column("chat_channel", sa.String(512), nullable=False, server_default=""),
        sa.Column("chat_thread", sa.String(512)),
        sa.Column("publish_key", sa.String(128)),
        sa.Column("publish_owner", sa.String(128)),
        sa.Column("publish_claimed_until", sa.DateTime),
        sa.Column("publish_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime),
        sa.Column("last_error", sa.String(1024)),
        sa.Column("published_url", sa.String(2048)),
        sa.Column("published_id", sa.String(512)),
        sa.Column("published_at", sa.DateTime),
        sa.Column("posted_by", sa.String(255)),
        sa.Column("posted_by_name", sa.String(255)),
        sa.Column("posted_at", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("open_key", name="uq_draft_open_key"),
    )
    op.create_index("ix_draft_state", "draft", ["state"])
    op.create_index("ix_draft_mention", "draft", ["mention_id"])
    op.create_index("ix_draft_requested_by", "draft", ["requested_by"])


def downgrade() -> None:
    op.drop_index("ix_draft_requested_by", table_name="draft")
    op.drop_index("ix_draft_mention", table_name="draft")
    op.drop_index("ix_draft_state", table_name="draft")
    op.drop_table("draft")
