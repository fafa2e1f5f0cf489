"""Stories: topics that tell one story share a story id; a story's label in German and English.

Revision ID: 0010_stories
Revises: 0010_events
Create Date: 2026-12-07

A topic is a group of mentions with one meaning; topics that tell one story (the same event
in other words, or in the other language) point to the story's first topic (`story_id`, NULL
for that first topic itself), whose row carries the story's labels. `labelled_size` is the
story's size when it was last labelled, so the job relabels a story once it has grown.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_stories"
down_revision: str | Sequence[str] | None = "0010_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("topic") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("label_de", sa.String(255), nullable=True))
        batch.add_column(sa.Column("label_en", sa.String(255), nullable=True))
        batch.add_column(sa.Column("labelled_size", sa.Integer, nullable=False, server_default="0"))
    op.create_index("ix_topic_story", "topic", ["story_id"])


def downgrade() -> None:
    op.drop_index("ix_topic_story", table_name="topic")
    with op.batch_alter_table("topic") as batch:
        batch.drop_column("labelled_size")
        batch.drop_column("label_en")
        batch.drop_column("label_de")
        batch.drop_column("story_id")
