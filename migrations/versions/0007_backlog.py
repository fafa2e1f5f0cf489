"""Content backlog, sprints and standup posts.

Revision ID: 0007
Revises: 0001
Create Date: 2026-11-26

Partial unique indexes (SQLite and PostgreSQL both have them) keep at most one open backlog
item per suggestion fingerprint and at most one active sprint, even with racing replicas.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "state IN ('todo', 'in_progress', 'blocked')"
_ACTIVE = "state = 'active'"


def upgrade() -> None:
    op.create_table(
        "backlog_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("topic_key", sa.String(300), nullable=False, server_default=""),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("story", sa.Text, nullable=False, server_default=""),
        sa.Column("audience", sa.String(255), nullable=False, server_default=""),
        sa.Column("channel", sa.String(64), nullable=False, server_default=""),
        sa.Column("format", sa.String(32), nullable=False, server_default=""),
        sa.Column("evidence", sa.Text, nullable=False, server_default="{}"),
        sa.Column("impact", sa.Integer, nullable=False, server_default="5"),
        sa.Column("confidence", sa.Integer, nullable=False, server_default="5"),
        sa.Column("ease", sa.Integer, nullable=False, server_default="5"),
        sa.Column("score", sa.Integer, nullable=False, server_default="125"),
        sa.Column("ice_basis", sa.Text, nullable=False, server_default="{}"),
        sa.Column("points", sa.Integer),
        sa.Column("owner", sa.String(255)),
        sa.Column("state", sa.String(16), nullable=False, server_default="todo"),
        sa.Column("sprint_id", sa.Integer),
        sa.Column("locale", sa.String(8), nullable=False, server_default="de"),
        sa.Column("enriched", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_by", sa.String(255), nullable=False, server_default="system"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("state_changed_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime),
    )
    op.create_index(
        "uq_backlog_open_fingerprint",
        "backlog_item",
        ["fingerprint"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.create_index("ix_backlog_fingerprint", "backlog_item", ["fingerprint"])
    op.create_index("ix_backlog_state_score", "backlog_item", ["state", "score"])
    op.create_index("ix_backlog_sprint", "backlog_item", ["sprint_id"])

    op.create_table(
        "sprint",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("state", sa.String(16), nullable=False, server_default="active"),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("ends_at", sa.DateTime, nullable=False),
        sa.Column("committed_points", sa.Integer, nullable=False, server_default="0"),
        sa.Column("closed_at", sa.DateTime),
        sa.Column("completed_points", sa.Integer),
        sa.Column("carried_points", sa.Integer),
        sa.Column("created_by", sa.String(255), nullable=False, server_default="system"),
    )
    op.create_index(
        "uq_sprint_one_active",
        "sprint",
        ["state"],
        unique=True,
        sqlite_where=sa.text(_ACTIVE),
        postgresql_where=sa.text(_ACTIVE),
    )

    op.create_table(
        "sprint_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sprint_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("points", sa.Integer, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime),
        sa.Column("removed_at", sa.DateTime),
        sa.Column("outcome", sa.String(16)),
        sa.UniqueConstraint("sprint_id", "item_id", name="uq_sprint_item"),
    )
    op.create_index("ix_sprint_item_sprint_id", "sprint_item", ["sprint_id"])

    op.create_table(
        "standup_post",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(512), nullable=False),
        sa.Column("slot", sa.String(32), nullable=False),
        sa.Column("posted_at", sa.DateTime, nullable=False),
        sa.Column("message_ref", sa.String(255)),
        sa.UniqueConstraint("platform", "channel_id", "slot", name="uq_standup_post"),
    )


def downgrade() -> None:
    op.drop_table("standup_post")
    op.drop_index("ix_sprint_item_sprint_id", table_name="sprint_item")
    op.drop_table("sprint_item")
    op.drop_index("uq_sprint_one_active", table_name="sprint")
    op.drop_table("sprint")
    for name in (
        "ix_backlog_sprint",
        "ix_backlog_state_score",
        "ix_backlog_fingerprint",
        "uq_backlog_open_fingerprint",
    ):
        op.drop_index(name, table_name="backlog_item")
    op.drop_table("backlog_item")
