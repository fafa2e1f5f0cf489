"""Tables of the content backlog, its sprints and the standup posts (migration 0007).

Datetimes are naive UTC like everywhere else (core.clock). JSON fields are Text holding a
JSON document, so SQLite and PostgreSQL store them alike.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from core.clock import utcnow

OPEN_STATES = ("todo", "in_progress", "blocked")
STATES = (*OPEN_STATES, "done", "dropped")
_OPEN_SQL = "state IN ('todo', 'in_progress', 'blocked')"
_ACTIVE_SQL = "state = 'active'"


class BacklogItem(SQLModel, table=True):
    """One piece of content the team could make: a suggestion from the data, or added by hand.

    `fingerprint` names the suggestion (kind and topic); a partial unique index lets at most
    one *open* item carry it, so running `backlog suggest` twice (or on two replicas at once)
    never duplicates an item.
    """

    __tablename__ = "backlog_item"
    __table_args__ = (
        Index(
            "uq_backlog_open_fingerprint",
            "fingerprint",
            unique=True,
            sqlite_where=text(_OPEN_SQL),
            postgresql_where=text(_OPEN_SQL),
        ),
        Index("ix_backlog_fingerprint", "fingerprint"),
        Index("ix_backlog_state_score", "state", "score"),
        Index("ix_backlog_sprint", "sprint_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)  # trend | question | complaint | competitor | manual
    topic_key: str = Field(default="", max_length=300)  # term:…, tag:…, cluster words
    fingerprint: str = Field(max_length=64)
    title: str = Field(max_length=300)
    story: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    audience: str = Field(default="", max_length=255)
    channel: str = Field(default="", max_length=64)
    format: str = Field(default="", max_length=32)
    # {"counts": {...}, "mention_ids": [...], "window_days": 7, ...}
    evidence: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    impact: int = 5
    confidence: int = 5
    ease: int = 5
    score: int = 125
    # Why each ICE part has its value, as JSON {"impact": {...}, "confidence": {...}, ...}.
    ice_basis: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    points: int | None = None
    owner: str | None = Field(default=None, max_length=255)
    state: str = Field(default="todo", max_length=16)
    sprint_id: int | None = None
    locale: str = Field(default="de", max_length=8)
    enriched: bool = False
    created_by: str = Field(default="system", max_length=255)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)
    state_changed_at: NaiveDatetime = Field(default_factory=utcnow)
    done_at: NaiveDatetime | None = None


class Sprint(SQLModel, table=True):
    """A short cycle: what the team took from the backlog, for how long, and what it finished."""

    __tablename__ = "sprint"
    __table_args__ = (
        Index(
            "uq_sprint_one_active",
            "state",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    state: str = Field(default="active", max_length=16)  # active | closed
    capacity: int
    days: int
    started_at: NaiveDatetime
    ends_at: NaiveDatetime
    committed_points: int = 0
    closed_at: NaiveDatetime | None = None
    # Velocity: the points finished in the sprint, recorded when it closes.
    completed_points: int | None = None
    carried_points: int | None = None
    created_by: str = Field(default="system", max_length=255)


class SprintItem(SQLModel, table=True):
    """An item's part in one sprint: its points then, and when it was finished or removed."""

    __tablename__ = "sprint_item"
    __table_args__ = (UniqueConstraint("sprint_id", "item_id", name="uq_sprint_item"),)

    id: int | None = Field(default=None, primary_key=True)
    sprint_id: int = Field(index=True)
    item_id: int
    points: int
    added_at: NaiveDatetime
    done_at: NaiveDatetime | None = None
    removed_at: NaiveDatetime | None = None
    outcome: str | None = Field(default=None, max_length=16)  # done | dropped | carried


class StandupPost(SQLModel, table=True):
    """A standup the scheduler posted to a channel (its slot is the channel's local date)."""

    __tablename__ = "standup_post"
    __table_args__ = (UniqueConstraint("platform", "channel_id", "slot", name="uq_standup_post"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    channel_id: str = Field(max_length=512)
    slot: str = Field(max_length=32)
    posted_at: NaiveDatetime
    message_ref: str | None = Field(default=None, max_length=255)
