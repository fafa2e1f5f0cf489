"""Trends and alerts: alerts, their deliveries, threshold feedback, topics; and an index
that lets a brief read a window of mentions without touching the table.

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27

A branch of its own off 0001; the bot upgrades to "heads".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.String(8), nullable=False, server_default="normal"),
        sa.Column("bucket", sa.DateTime, nullable=False),
        sa.Column("fired_at", sa.DateTime, nullable=False),
        sa.Column("observed", sa.Float, nullable=False, server_default="0"),
        sa.Column("expected", sa.Float, nullable=False, server_default="0"),
        sa.Column("z", sa.Float, nullable=False, server_default="0"),
        sa.Column("growth", sa.Float, nullable=False, server_default="0"),
        sa.Column("score", sa.Float, nullable=False, server_default="0"),
        sa.Column("span_hours", sa.Integer, nullable=False, server_default="1"),
        sa.Column("mention_id", sa.Integer),
        sa.Column("evidence", sa.Text, nullable=False, server_default="{}"),
        sa.UniqueConstraint("key", "level", "bucket", name="uq_alert_key_level_bucket"),
    )
    op.create_index("ix_alert_key_fired", "alert", ["key", "fired_at"])
    op.create_index("ix_alert_fired", "alert", ["fired_at"])
    op.create_table(
        "alert_delivery",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(512), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message_ref", sa.String(255)),
        sa.Column("error", sa.String(512)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("alert_id", "platform", "channel_id", name="uq_alert_delivery"),
    )
    op.create_index("ix_alert_delivery_state", "alert_delivery", ["state", "updated_at"])
    op.create_table(
        "alert_threshold",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("factor", sa.Float, nullable=False, server_default="1"),
        sa.Column("useful", sa.Integer, nullable=False, server_default="0"),
        sa.Column("noise", sa.Integer, nullable=False, server_default="0"),
        sa.Column("muted_until", sa.DateTime),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "alert_feedback",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False),
        sa.Column("actor_platform", sa.String(16), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("alert_id", "actor_platform", "actor_id", name="uq_alert_feedback"),
    )
    op.create_table(
        "topic",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("terms", sa.Text, nullable=False, server_default="[]"),
        sa.Column("centroid", sa.LargeBinary, nullable=False),
        sa.Column("size", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_topic_last_seen", "topic", ["last_seen_at"])
    op.create_table(
        "mention_topic",
        sa.Column("mention_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("topic_id", sa.Integer),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("embedding", sa.LargeBinary),
        sa.Column("assigned_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_mention_topic_topic", "mention_topic", ["topic_id", "published_at"])
    op.create_index("ix_mention_topic_published", "mention_topic", ["published_at"])
    # Briefs pick the widest-reaching mentions and the open questions of a window: with
    # reach, intent and dup_of in the index, that is a scan of the window's index entries
    # only (no table lookups), so its cost follows the window, not the history.
    op.create_index("ix_mention_window", "mention", ["published_at", "reach", "intent", "dup_of"])


def downgrade() -> None:
    op.drop_index("ix_mention_window", table_name="mention")
    op.drop_index("ix_mention_topic_published", table_name="mention_topic")
    op.drop_index("ix_mention_topic_topic", table_name="mention_topic")
    op.drop_table("mention_topic")
    op.drop_index("ix_topic_last_seen", table_name="topic")
    op.drop_table("topic")
    op.drop_table("alert_feedback")
    op.drop_table("alert_threshold")
    op.drop_index("ix_alert_delivery_state", table_name="alert_delivery")
    op.drop_table("alert_delivery")
    op.drop_index("ix_alert_fired", table_name="alert")
    op.drop_index("ix_alert_key_fired", table_name="alert")
    op.drop_table("alert")
