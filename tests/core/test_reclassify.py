"""`db reclassify`: the intent of stored mentions recomputed in chunks, only changes written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from sqlalchemy import select
from sqlmodel import col

from core.db import make_engine, make_sessionmaker, upgrade
from core.models import Mention
from core.pipeline import Pipeline
from core.raw import RawMention
from core.reclassify import reclassify_intents
from tests.fakes import RuleAnalyzer

pytestmark = pytest.mark.storage
NOW = dt.datetime(2026, 12, 1, 12, 0)


async def test_reclassify_rewrites_what_changed_and_resumes_cleanly(db_url: str) -> None:
    await upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    texts = [
        f"Paket {i} ist nicht angekommen" if i % 2 else f"Wie entkalke ich {i}?" for i in range(7)
    ]
    await Pipeline(sessions, clock=lambda: NOW, analyzer=RuleAnalyzer()).ingest(
        [
            RawMention("forum", str(i), t, NOW - dt.timedelta(minutes=i), keep_unmatched=True)
            for i, t in enumerate(texts)
        ]
    )
    calls: list[int] = []

    def classify(batch: Sequence[str], languages: Sequence[str | None]) -> list[str]:
        calls.append(len(batch))
        return [
            "purchase" if "3" in t else ("complaint" if "Paket" in t else "question") for t in batch
        ]

    done = await reclassify_intents(sessions, classify, chunk=3)
    assert (done.seen, done.changed) == (7, 1)  # only "Paket 3" changes: complaint → purchase
    assert calls == [3, 3, 1]
    async with sessions() as session:
        stored = dict((await session.execute(select(col(Mention.text), col(Mention.intent)))).all())
    assert stored["Paket 3 ist nicht angekommen"] == "purchase"
    assert stored["Paket 1 ist nicht angekommen"] == "complaint"
    assert stored["Wie entkalke ich 2?"] == "question"
    again = await reclassify_intents(sessions, classify, chunk=3)
    assert (again.seen, again.changed) == (7, 0)
    await engine.dispose()


async def test_rebuilding_the_counts_keeps_the_stories_counts(db_url: str) -> None:
    """`db reclassify` rebuilds the hourly counts; it once dropped every `topic:` series, and
    with it every story from briefs, trends and events."""
    from core.models import HourlyCount
    from core.models_stories import MentionTopic, Topic
    from core.storage.maintenance import rebuild_counts

    await upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    await Pipeline(sessions, clock=lambda: NOW, analyzer=RuleAnalyzer()).ingest(
        [
            RawMention("forum", str(i), f"Paket {i} fehlt", NOW, keep_unmatched=True)
            for i in range(3)
        ]
    )
    async with sessions() as session:
        ids = (await session.execute(select(col(Mention.id)))).scalars().all()
        topic = Topic(label="Paket", centroid=b"")
        session.add(topic)
        await session.flush()
        for mid in ids:
            session.add(MentionTopic(mention_id=mid, topic_id=topic.id, published_at=NOW))
        await session.commit()
        await rebuild_counts(session=session)
        await session.commit()
        rows = (
            await session.execute(
                select(col(HourlyCount.n)).where(col(HourlyCount.key) == f"topic:{topic.id}")
            )
        ).all()
    assert [n for (n,) in rows] == [3]
    await engine.dispose()
