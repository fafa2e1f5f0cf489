"""Tables of alerts (migration 0005): alerts and their deliveries, and the feedback that
tunes each key's threshold. The topics that group mentions are in core.models_stories.

Datetimes are naive UTC like everywhere else (core.clock).
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class Alert(SQLModel, table=True):
    """A burst, climb or drop of one count key that became significant in one hour.

    One row per key, sensitivity level and hour (the unique constraint backs the claim that
    makes one replica fire it). `title` is the key's display name; the standup reads it.
    """

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("key", "level", "bucket", name="uq_alert_key_level_bucket"),
        Index("ix_alert_key_fired", "key", "fired_at"),
        Index("ix_alert_fired", "fired_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300)
    title: str = Field(max_length=300)
    kind: str = Field(max_length=16)  # burst | climb | drop
    level: str = Field(default="normal", max_length=8)  # the sensitivity it fired for
    bucket: NaiveDatetime
    fired_at: NaiveDatetime = Field(default_factory=utcnow)
    observed: float = 0.0
    expected: float = 0.0
    z: float = 0.0
    growth: float = 0.0
    score: float = 0.0
    span_hours: int = 1
    mention_id: int | None = None  # the mention whose arrival made it significant
    # {"mention_ids": [...]} — the example mentions shown with it
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))


class AlertDelivery(SQLModel, table=True):
    """One alert to one channel: pending until the notifier took it, then posted or failed."""

    __tablename__ = "alert_delivery"
    __table_args__ = (
        UniqueConstraint("alert_id", "platform", "channel_id", name="uq_alert_delivery"),
        Index("ix_alert_delivery_state", "state", "updated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=512)
    state: str = Field(default="pending", max_length=16)  # pending | sending | posted | failed
    attempts: int = 0
    message_ref: str | None = Field(default=None, max_length=255)
    error: str | None = Field(default=None, max_length=512)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class AlertThreshold(SQLModel, table=True):
    """What feedback taught about one key: its threshold factor, votes, and a mute."""

    __tablename__ = "alert_threshold"

    key: str = Field(primary_key=True, max_length=300)
    factor: float = 1.0
    useful: int = 0
    noise: int = 0
    muted_until: NaiveDatetime | None = None
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class AlertFeedback(SQLModel, table=True):
    """One person's verdict on one alert; a second click by the same person changes nothing."""

    __tablename__ = "alert_feedback"
    __table_args__ = (
        UniqueConstraint("alert_id", "actor_platform", "actor_id", name="uq_alert_feedback"),
    )

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int
    actor_id: str = Field(max_length=255)
    actor_platform: str = Field(max_length=16)
    verdict: str = Field(max_length=8)  # useful | noise
    at: NaiveDatetime = Field(default_factory=utcnow)
