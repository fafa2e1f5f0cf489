"""The ingest pipeline against a real database: idempotence, counts, filters, near-duplicates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from config.settings import Settings
from config.workspace import load_workspace
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.models import HourlyCount, Mention
from core.pipeline import Pipeline
from core.raw import RawMention
from core.seed import seed_watchlist
from tests.conftest import raw
from tests.fakes import RuleAnalyzer

T0 = dt.datetime(2026, 11, 20, 8, 0)


async def _pipeline(db_url: str) -> tuple[Pipeline, Any]:
    settings = Settings.for_tests(database_url=db_url)
    ws = load_workspace(settings.workspace_path)
    sessions = make_sessionmaker(make_engine(db_url))
    await seed_watchlist(sessions, ws)
    return Pipeline(
        sessions, clock=utcnow, analyzer=RuleAnalyzer(), exclusions=ws.exclusions
    ), sessions


async def _count(sessions: Any, model: Any = Mention) -> int:
    async with sessions() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())


async def test_a_batch_is_stored_once_and_counted_once(db_url: str) -> None:
    pipeline, sessions = await _pipeline(db_url)
    items = raw(5, text="Die Lumora Brew ist super", start=T0)
    first = await pipeline.ingest(items)
    again = await pipeline.ingest(items)
    assert (first.new, first.duplicates) == (5, 0)
    assert (again.new, again.duplicates) == (0, 5)
    assert await _count(sessions) == 5
    async with sessions() as s:
        rows = {
            r.key: r
            for r in (await s.execute(select(HourlyCount).where(HourlyCount.bucket == T0)))
            .scalars()
            .all()
        }
    assert rows["all"].n == 5 and rows["all"].pos == 5
    assert rows.get("term:lumora brew") and rows["term:lumora brew"].n == 5, sorted(rows)
    assert rows["src:test"].n == 5


async def test_duplicates_inside_one_batch_are_stored_once(db_url: str) -> None:
    pipeline, sessions = await _pipeline(db_url)
    item = raw(1, text="Lumora ist toll", start=T0)[0]
    result = await pipeline.ingest([item, item, item])
    assert (result.new, result.duplicates) == (1, 2)
    assert await _count(sessions) == 1


async def test_feeds_keep_only_matches_and_exclusions_drop(db_url: str) -> None:
    pipeline, sessions = await _pipeline(db_url)
    items = [
        RawMention("feed", "a", "Ein Artikel über Lumora", T0, keep_unmatched=False),
        RawMention("feed", "b", "Ein Artikel über Wetter", T0, keep_unmatched=False),
        RawMention("feed", "c", "Im Lumora Beach Resort mit Lumora", T0, keep_unmatched=True),
        RawMention("import", "d", "Nichts Passendes hier", T0, keep_unmatched=True),
    ]
    result = await pipeline.ingest(items)
    assert (result.new, result.dropped) == (2, 2)
    async with sessions() as s:
        stored = {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}
    assert set(stored) == {"a", "d"}
    assert stored["a"].matched_terms == "lumora" and stored["d"].matched_terms == ""


async def test_html_is_normalized_and_invalid_items_skipped(db_url: str) -> None:
    pipeline, sessions = await _pipeline(db_url)
    items = [
        RawMention("web", "1", "<p>Die <b>Lumora</b> &amp; ich</p>", T0, title="<i>Titel</i>"),
        RawMention("web", "", "kein id", T0),
        RawMention("web", "3", "   ", T0),
    ]
    result = await pipeline.ingest(items)
    assert (result.new, result.invalid) == (1, 2)
    async with sessions() as s:
        m = (await s.execute(select(Mention))).scalars().one()
    assert (m.text, m.title, m.language) == ("Die Lumora & ich", "Titel", "de")


async def test_near_duplicates_point_at_the_first(db_url: str) -> None:
    pipeline, sessions = await _pipeline(db_url)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    await pipeline.ingest([RawMention("a", "1", "Lumora Brew ist super https://x.y/1", now)])
    await pipeline.ingest([RawMention("b", "9", "RT @fan: Lumora Brew ist SUPER", now)])
    async with sessions() as s:
        rows = {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}
    assert rows["9"].dup_of == rows["1"].id and rows["1"].dup_of is None


async def test_near_duplicates_are_measured_on_the_mentions_own_times(db_url: str) -> None:
    """A backfill of last year's posts dedupes like a live poll: the window runs from each
    repost's own publication time, never from the wall clock."""
    pipeline, sessions = await _pipeline(db_url)
    old = dt.datetime(2024, 3, 1, 9, 0)
    await pipeline.ingest([RawMention("a", "1", "Lumora Brew ist super", old)])
    await pipeline.ingest(
        [
            RawMention("b", "2", "RT @fan: Lumora Brew ist super", old + dt.timedelta(days=2)),
            # Far outside the window: a new original, not a repost of the first.
            RawMention("b", "3", "Lumora Brew ist super!", old + dt.timedelta(days=40)),
            # In the same batch, a repost of that new original.
            RawMention("c", "4", "Lumora Brew ist super", old + dt.timedelta(days=41)),
        ]
    )
    async with sessions() as s:
        rows = {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}
    assert rows["2"].dup_of == rows["1"].id
    assert rows["3"].dup_of is None
    assert rows["4"].dup_of == rows["3"].id


async def test_listeners_hear_only_new_mentions(db_url: str) -> None:
    pipeline, _ = await _pipeline(db_url)
    heard: list[int] = []

    async def listener(stored: list[Any]) -> None:
        heard.extend(s.id for s in stored)
        raise RuntimeError("a broken listener must not lose the batch")

    pipeline.listeners.append(listener)
    items = raw(3, text="Lumora", start=T0)
    await pipeline.ingest(items)
    await pipeline.ingest(items)
    assert len(heard) == 3
