"""The standup check-in: one row per member, channel and standup day (migration 0015).

The unique constraint (platform, channel, member, day) is what makes asking a member
exactly once per day across replicas and restarts: the row is inserted before the question
is sent, ON CONFLICT DO NOTHING, and only the inserting caller goes on to send it.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow

CHECKIN_STATES = ("asked", "answered", "skipped")


class CheckinAnswer(SQLModel, table=True):
    """What one member was asked for one standup, and what they answered (private until
    `posted_at`, when the standup carrying it went out)."""

    __tablename__ = "standup_checkin"
    __table_args__ = (
        UniqueConstraint(
            "platform", "channel_id", "member_id", "day", name="uq_checkin_member_day"
        ),
        Index("ix_checkin_member", "platform", "member_id", "day"),
        Index("ix_checkin_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=512)
    member_id: str = Field(max_length=255)
    member_name: str = Field(default="", max_length=255)
    # The standup's slot: its local date in the channel's zone (YYYY-MM-DD).
    day: str = Field(max_length=32)
    locale: str = Field(default="en", max_length=8)
    state: str = Field(default="asked", max_length=16)
    # The questions asked and the answers, as JSON lists of strings (same length).
    questions: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    answers: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    # When the question reached the member (None: inserted, not yet delivered).
    asked_at: NaiveDatetime | None = None
    answered_at: NaiveDatetime | None = None
    reminded_at: NaiveDatetime | None = None
    posted_at: NaiveDatetime | None = None
    # Where the question went (Slack DM channel, Teams personal chat id).
    direct_id: str | None = Field(default=None, max_length=512)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)
