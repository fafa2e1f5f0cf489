"""Initial schema: mentions with full-text search, watchlist, counts, chat, audit, claims.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

Later features add their own tables in migrations whose down_revision is "0001" (one branch
each); the bot upgrades to "heads".
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: an external-content FTS5 index kept in step by triggers. unicode61 with
# remove_diacritics folds "Lieferzeit"/"lieferzeit" and "Café"/"cafe" alike.
_SQLITE_FTS = [
    """CREATE VIRTUAL TABLE mention_fts USING fts5(
        title, text, author, content='mention', content_rowid='id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER mention_fts_ai AFTER INSERT ON mention BEGIN
        INSERT INTO mention_fts(rowid, title, text, author)
        VALUES (new.id, new.title, new.text, new.author); END""",
    """CREATE TRIGGER mention_fts_ad AFTER DELETE ON mention BEGIN
        INSERT INTO mention_fts(mention_fts, rowid, title, text, author)
        VALUES ('delete', old.id, old.title, old.text, old.author); END""",
    """CREATE TRIGGER mention_fts_au AFTER UPDATE OF title, text, author ON mention BEGIN
        INSERT INTO mention_fts(mention_fts, rowid, title, text, author)
        VALUES ('delete', old.id, old.title, old.text, old.author);
        INSERT INTO mention_fts(rowid, title, text, author)
        VALUES (new.id, new.title, new.text, new.author); END""",
]

# PostgreSQL: a generated tsvector with the 'simple' configuration (no stemming, so German
# and English are treated alike; prefix queries cover inflections and compounds).
_PG_FTS = [
    """ALTER TABLE mention ADD COLUMN search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(title, '') || ' ' || text || ' ' || coalesce(author, ''))
    ) STORED""",
    "CREATE INDEX ix_mention_search ON mention USING gin (search)",
]


def upgrade() -> None:
    op.create_table(
        "mention",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source_type", sa.String(16), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("url", sa.String(2048)),
        sa.Column("author", sa.String(255)),
        sa.Column("author_handle", sa.String(255)),
        sa.Column("title", sa.String(1024)),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("language", sa.String(8)),
        sa.Column("sentiment", sa.String(8)),
        sa.Column("sentiment_score", sa.Float),
        sa.Column("intent", sa.String(16)),
        sa.Column("published_at", sa.DateTime, nullable=False),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.Column("matched_terms", sa.String(2048), nullable=False, server_default=""),
        sa.Column("hashtags", sa.String(2048), nullable=False, server_default=""),
        sa.Column("likes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reposts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("replies", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reach", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reply_to", sa.String(255)),
        sa.Column("thread_id", sa.String(255)),
        sa.Column("dup_of", sa.Integer),
        sa.Column("content_hash", sa.String(16), nullable=False, server_default=""),
        sa.Column("synthetic", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("source", "external_id", name="uq_mention_source_external"),
    )
    op.create_index("ix_mention_published", "mention", ["published_at"])
    op.create_index("ix_mention_source_published", "mention", ["source", "published_at"])
    op.create_index("ix_mention_hash", "mention", ["content_hash"])

    op.create_table(
        "watch_term",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("term", sa.String(255), nullable=False),
        sa.Column("normalized", sa.String(255), nullable=False),
        sa.Column("canonical", sa.String(255), nullable=False, server_default=""),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("origin", sa.String(16), nullable=False, server_default="workspace"),
        sa.Column("created_by", sa.String(255)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("normalized", name="uq_watch_term_normalized"),
    )
    op.create_table(
        "hourly_count",
        sa.Column("bucket", sa.DateTime, primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("n", sa.Integer, nullable=False, server_default="0"),
        sa.Column("neg", sa.Integer, nullable=False, server_default="0"),
        sa.Column("neu", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pos", sa.Integer, nullable=False, server_default="0"),
        sa.Column("reach", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_hourly_count_key_bucket", "hourly_count", ["key", "bucket"])
    op.create_table(
        "chat_conversation",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("conversation_id", sa.String(512), nullable=False),
        sa.Column("name", sa.String(255)),
        sa.Column("tenant_id", sa.String(64)),
        sa.Column("reference", sa.Text),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("platform", "conversation_id", name="uq_chat_conversation"),
    )
    op.create_table(
        "preference",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(512), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.String(1024), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("platform", "scope", "subject_id", "key", name="uq_preference"),
    )
    op.create_table(
        "subscription",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("channel_id", sa.String(512), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("settings", sa.Text, nullable=False, server_default="{}"),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("platform", "channel_id", "kind", name="uq_subscription"),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor_id", sa.String(255), nullable=False),
        sa.Column("actor_platform", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("before", sa.Text),
        sa.Column("after", sa.Text),
    )
    op.create_index("ix_audit_subject", "audit_event", ["subject"])
    op.create_table(
        "job_claim",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("job", sa.String(128), nullable=False),
        sa.Column("slot", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(128), nullable=False),
        sa.Column("claimed_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("done_at", sa.DateTime),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.UniqueConstraint("job", "slot", name="uq_job_claim"),
    )
    op.create_table(
        "source_state",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("cursor", sa.Text, nullable=False, server_default="{}"),
        sa.Column("last_success", sa.DateTime),
        sa.Column("last_error", sa.String(1024)),
        sa.Column("last_error_at", sa.DateTime),
        sa.Column("error_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_poll_at", sa.DateTime),
        sa.Column("quota_remaining", sa.Integer),
        sa.Column("claimed_by", sa.String(128)),
        sa.Column("claim_expires_at", sa.DateTime),
        sa.Column("fetched_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stored_total", sa.Integer, nullable=False, server_default="0"),
    )
    statements = _SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else _PG_FTS
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("mention_fts_ai", "mention_fts_ad", "mention_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS mention_fts")
    for table in (
        "source_state",
        "job_claim",
        "audit_event",
        "subscription",
        "preference",
        "chat_conversation",
        "hourly_count",
        "watch_term",
        "mention",
    ):
        op.drop_table(table)
