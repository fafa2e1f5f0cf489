"""Maintenance: removing the demo data and rebuilding the hourly counts from the mentions."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import HourlyCount, Mention
from core.pipeline import count_keys
from core.storage.counts import add_counts, tally
from core.storage.dialect import rowcount


async def delete_synthetic(*, session: AsyncSession) -> int:
    """Delete every mention marked synthetic (the demo stream); returns how many."""
    result = await session.execute(delete(Mention).where(col(Mention.synthetic).is_(True)))
    return rowcount(result)


async def rebuild_counts(*, session: AsyncSession, batch: int = 5000) -> int:
    """Recompute every hourly count from the stored mentions, the stories' (`topic:<root>`,
    from the topic assignments) included; returns mentions counted."""
    await session.execute(delete(HourlyCount))
    last_id, total = 0, 0
    while True:
        stmt = (
            select(
                col(Mention.id),
                col(Mention.source),
                col(Mention.published_at),
                col(Mention.matched_terms),
                col(Mention.hashtags),
                col(Mention.sentiment),
                col(Mention.reach),
                col(Mention.intent),
            )
            .where(col(Mention.id) > last_id)
            .order_by(col(Mention.id))
            .limit(batch)
        )
        rows = (await session.execute(stmt)).all()
        if not rows:
            # The delete above took the stories' counts too: without them `db reclassify`
            # left briefs, trends and events without a single story.
            from core.storage.topics import recount

            await recount(session=session)
            return total
        tally_rows = []
        for mid, source, published, terms, tags, sentiment, reach, intent in rows:
            keys = count_keys(
                {"source": source, "matched_terms": terms, "hashtags": tags, "intent": intent}
            )
            tally_rows.append((published, keys, sentiment, reach))
            last_id = mid
        await add_counts(session=session, increments=tally(tally_rows))
        total += len(rows)
