"""The reply draft table: one draft per request to answer a mention, and its whole life.

A draft moves proposed → edited* → approved → published | rejected, or, where the platform
does not let us reply, approved → ready_to_post → posted (core.drafts.states). Every change
is a conditional UPDATE on `state` and `version` (core.storage.drafts), so two clicks, two
approvers or a retried event change a draft once.
"""

from __future__ import annotations

from pydantic import NaiveDatetime
from sqlalchemy import Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.clock import utcnow


class Draft(SQLModel, table=True):
    """A reply to one mention, written by the model or the offline templates."""

    __tablename__ = "draft"
    __table_args__ = (
        # One open (proposed/edited) draft per mention: `open_key` is the mention id while
        # the draft is open and NULL afterwards (NULLs never collide in a unique index).
        UniqueConstraint("open_key", name="uq_draft_open_key"),
        Index("ix_draft_state", "state"),
        Index("ix_draft_mention", "mention_id"),
        Index("ix_draft_requested_by", "requested_by"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mention_id: int
    open_key: int | None = None
    state: str = Field(default="proposed", max_length=16)
    # Bumped by every change; buttons carry it, so a click on a stale card changes nothing.
    version: int = 1
    # Where the reply goes: mastodon, bluesky, x, linkedin, reddit, … (core.drafts.limits).
    target: str = Field(max_length=16)
    language: str = Field(default="en", max_length=8)
    intent: str = Field(default="other", max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # JSON list of the variants the writer offered (the text starts as the first one).
    variants: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    # "model" or "offline"; `model` names the model that wrote it.
    origin: str = Field(default="offline", max_length=16)
    model: str | None = Field(default=None, max_length=128)

    requested_by: str = Field(max_length=255)
    requested_by_platform: str = Field(max_length=16)
    requested_by_name: str = Field(default="", max_length=255)
    edited_by: str | None = Field(default=None, max_length=255)
    edited_by_platform: str | None = Field(default=None, max_length=16)
    edited_by_name: str | None = Field(default=None, max_length=255)
    edited_at: NaiveDatetime | None = None
    approved_by: str | None = Field(default=None, max_length=255)
    approved_by_name: str | None = Field(default=None, max_length=255)
    approved_at: NaiveDatetime | None = None
    rejected_by: str | None = Field(default=None, max_length=255)
    rejected_by_name: str | None = Field(default=None, max_length=255)
    rejected_at: NaiveDatetime | None = None

    # The chat thread the draft lives in (platform, channel, thread), for later updates.
    chat_platform: str = Field(default="console", max_length=16)
    chat_channel: str = Field(default="", max_length=512)
    chat_thread: str | None = Field(default=None, max_length=512)

    # Publishing: the key that makes a retry the same post, the claim of the replica that
    # is calling the platform, the attempts, and the result.
    publish_key: str | None = Field(default=None, max_length=128)
    publish_owner: str | None = Field(default=None, max_length=128)
    publish_claimed_until: NaiveDatetime | None = None
    publish_attempts: int = 0
    next_attempt_at: NaiveDatetime | None = None
    last_error: str | None = Field(default=None, max_length=1024)
    published_url: str | None = Field(default=None, max_length=2048)
    published_id: str | None = Field(default=None, max_length=512)
    published_at: NaiveDatetime | None = None
    posted_by: str | None = Field(default=None, max_length=255)
    posted_by_name: str | None = Field(default=None, max_length=255)
    posted_at: NaiveDatetime | None = None

    created_at: NaiveDatetime = Field(default_factory=utcnow)
    updated_at: NaiveDatetime = Field(default_factory=utcnow)


class DraftApproval(SQLModel, table=True):
    """One person's approval of one version of a draft, while it waits for the number of
    people the workspace requires (`approvers.required`). A person approves a version once,
    from whichever account: the unique key is the person, not the account."""

    __tablename__ = "draft_approval"
    __table_args__ = (UniqueConstraint("draft_id", "version", "person", name="uq_draft_approval"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int
    version: int
    # core.people: the person's name in the workspace file, else `platform:id`.
    person: str = Field(max_length=255)
    actor_id: str = Field(max_length=255)
    actor_platform: str = Field(max_length=16)
    at: NaiveDatetime = Field(default_factory=utcnow)
