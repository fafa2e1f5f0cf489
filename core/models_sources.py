"""Tables of the sources feature: a log of each poll, webhook call and import, and backfill runs."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class SourceRun(SQLModel, table=True):
    """One poll, webhook call or file import of a source: what it brought and what failed.

    `sources` sums these for "new in the last 24 hours" without scanning the mentions;
    rows older than the retention are pruned when a source records a new run.
    """

    __tablename__ = "source_run"
    __table_args__ = (Index("ix_source_run_source_at", "source", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    at: NaiveDatetime = Field(default_factory=utcnow)
    fetched: int = 0
    new: int = 0
    duplicates: int = 0
    errors: int = 0
    error: str | None = Field(default=None, max_length=1024)


class SourceBackfill(SQLModel, table=True):
    """One backfill run of a source: its span, how far it got, and its paging cursor.

    The cursor and `reached` are written after each page is stored, so a run killed half-way
    resumes from its last page (core.backfill). `claimed_by` names the process running it
    while `claim_expires_at` lies ahead; `notify` is where a chat-started run reports (JSON).
    """

    __tablename__ = "source_backfill"
    __table_args__ = (Index("ix_source_backfill_source_status", "source", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=64)
    days: int
    since: NaiveDatetime
    until: NaiveDatetime
    status: str = Field(default="running", max_length=16)
    cursor: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    reached: NaiveDatetime | None = None
    capped: bool = False
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    pages: int = 0
    error: str | None = Field(default=None, max_length=1024)
    notify: str | None = Field(default=None, max_length=1024)
    started_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)
    finished_at: NaiveDatetime | None = None
    claimed_by: str | None = Field(default=None, max_length=128)
    claim_expires_at: NaiveDatetime | None = None
