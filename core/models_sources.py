"""Tables of the sources feature: a log of each poll, webhook call and import."""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Index
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
