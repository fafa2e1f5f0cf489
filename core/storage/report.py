"""The report's counts that the brief does not need: questions and complaints answered per
intent, drafts approved and published, and backlog items done in a window."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import Mention
from core.models_backlog import BacklogItem
from core.models_drafts import Draft
from core.storage.windows import VOICE_INTENTS


async def voices_by_intent(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> dict[str, tuple[int, int]]:
    """Per intent (question, complaint): (asked, answered) in [since, until); answered means
    a reply draft that was not rejected, as the brief counts it."""
    window = (
        col(Mention.published_at) >= since,
        col(Mention.published_at) < until,
        col(Mention.dup_of).is_(None),
        col(Mention.intent).in_(VOICE_INTENTS),
    )
    asked = select(col(Mention.intent), func.count()).where(*window).group_by(col(Mention.intent))
    drafted = select(col(Draft.mention_id)).where(
        col(Draft.state) != "rejected", col(Draft.created_at) >= since
    )
    answered = (
        select(col(Mention.intent), func.count())
        .where(*window, col(Mention.id).in_(drafted))
        .group_by(col(Mention.intent))
    )
    asked_n = {str(k): int(n) for k, n in (await session.execute(asked)).all()}
    answered_n = {str(k): int(n) for k, n in (await session.execute(answered)).all()}
    return {i: (asked_n.get(i, 0), answered_n.get(i, 0)) for i in VOICE_INTENTS}


async def draft_counts(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime
) -> tuple[int, int]:
    """(approved, published) drafts in [since, until): approved by a person then, and
    posted then (by the bot through a publisher, or by hand and marked as posted)."""
    approved = select(func.count()).where(
        col(Draft.approved_at) >= since, col(Draft.approved_at) < until
    )
    when = func.coalesce(col(Draft.published_at), col(Draft.posted_at))
    published = select(func.count()).where(when >= since, when < until)
    return (
        int((await session.execute(approved)).scalar_one() or 0),
        int((await session.execute(published)).scalar_one() or 0),
    )


async def backlog_done(
    *, session: AsyncSession, since: dt.datetime, until: dt.datetime, limit: int = 12
) -> tuple[list[BacklogItem], int]:
    """Backlog items finished in [since, until), latest first (up to `limit`), and how many."""
    when = func.coalesce(col(BacklogItem.done_at), col(BacklogItem.state_changed_at))
    conditions = (col(BacklogItem.state) == "done", when >= since, when < until)
    total = select(func.count()).where(*conditions)
    rows = select(BacklogItem).where(*conditions).order_by(when.desc()).limit(limit)
    return (
        list((await session.execute(rows)).scalars().all()),
        int((await session.execute(total)).scalar_one() or 0),
    )
