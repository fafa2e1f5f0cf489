"""Tables of topics and stories (migrations 0005, 0010_stories): the topics that group
mentions by meaning, the stories they tell, and each mention's topic.

Datetimes are naive UTC like everywhere else (core.clock).
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, LargeBinary, Text
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class Topic(SQLModel, table=True):
    """A group of mentions with one meaning, in any language (migrations 0005, 0010_stories).

    Topics that tell one story point to the story's first topic (`story_id`; None on that
    first topic, the story's root). The root carries the story's labels: `label` in the
    language most of its mentions use, `label_de` and `label_en` for a channel's language,
    and in `terms` the story's key stems (JSON list) that pick its representative mention.
    """

    __tablename__ = "topic"
    __table_args__ = (
        Index("ix_topic_last_seen", "last_seen_at"),
        Index("ix_topic_story", "story_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int | None = None
    label: str = Field(max_length=255)
    label_de: str | None = Field(default=None, max_length=255)
    label_en: str | None = Field(default=None, max_length=255)
    labelled_size: int = 0  # the story's size when it was last labelled
    terms: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    # The mean embedding (float32, L2-normalised) that new mentions are compared with.
    centroid: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    size: int = 0
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    last_seen_at: NaiveDatetime = Field(default_factory=utcnow)


class MentionTopic(SQLModel, table=True):
    """A mention's topic (None: not grouped yet), and its embedding while it may still seed one.

    A row per mention that the topic job has seen, so the job resumes after the highest
    mention id and counts each mention into its topic once.
    """

    __tablename__ = "mention_topic"
    __table_args__ = (
        Index("ix_mention_topic_topic", "topic_id", "published_at"),
        Index("ix_mention_topic_published", "published_at"),
    )

    mention_id: int = Field(primary_key=True)
    topic_id: int | None = None
    published_at: NaiveDatetime
    # float16 embedding, kept only while the mention is ungrouped and recent
    embedding: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    assigned_at: NaiveDatetime = Field(default_factory=utcnow)
