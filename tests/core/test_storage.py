"""Storage queries on a real database: full-text search, claims, preferences, watchlist."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.clock import utcnow
from core.db import make_engine, make_sessionmaker, session_scope
from core.pipeline import Pipeline
from core.raw import RawMention
from core.storage import claims, prefs, watch
from core.storage.mentions import (
    MentionFilter,
    fts_query_postgres,
    fts_query_sqlite,
    get_mention,
    search_mentions,
)
from tests.fakes import RuleAnalyzer

T0 = dt.datetime(2026, 11, 20, 8, 0)
TEXTS = [
    ("1", "Die Lieferung der Lumora Brew ist immer noch nicht da", "de"),
    ("2", "Die Lieferzeit war super kurz, danke Lumora", "de"),
    ("3", "The Lumora Mill delivery was fast", "en"),
    ("4", "Kaffeeko ist günstiger als Lumora", "de"),
    ("5", "Lieferungsprobleme bei Kaffeeko", "de"),
]


@pytest.fixture
async def sessions(db_url: str) -> Any:
    engine = make_engine(db_url)
    factory = make_sessionmaker(engine)
    pipeline = Pipeline(factory, clock=utcnow, analyzer=RuleAnalyzer())
    items = [
        RawMention(
            "src", ext, text, T0 + dt.timedelta(hours=int(ext)), url=f"https://x.example/{ext}"
        )
        for ext, text, _ in TEXTS
    ]
    await pipeline.ingest(items)
    yield factory
    await engine.dispose()


async def _ids(factory: Any, **kw: Any) -> list[str]:
    async with factory() as session:
        rows, _ = await search_mentions(session=session, flt=MentionFilter(**kw), limit=10)
    return [m.external_id for m in rows]


async def test_full_text_search_prefix_accents_and_order(sessions: Any) -> None:
    assert await _ids(sessions, query="Lieferung") == ["5", "1"]  # newest first, prefix match
    assert await _ids(sessions, query="liefer") == ["5", "2", "1"]
    assert await _ids(sessions, query="günstiger") == ["4"]
    assert await _ids(sessions, query="lumora -kaffeeko") == ["3", "2", "1"]
    assert await _ids(sessions, query='"Lumora Mill"') == ["3"]


async def test_filters_combine(sessions: Any) -> None:
    assert await _ids(sessions, query="lumora", language="en") == ["3"]
    assert await _ids(sessions, query="lumora", sentiment="negative") == ["1"]
    assert await _ids(sessions, since=T0 + dt.timedelta(hours=4)) == ["5", "4"]
    assert await _ids(sessions, source="other") == []


@pytest.mark.parametrize(
    "hostile", ['"', "NEAR(", "a OR", "*", "-", "()", "'; DROP TABLE mention;--"]
)
async def test_hostile_queries_never_break_the_search(sessions: Any, hostile: str) -> None:
    await _ids(sessions, query=hostile)  # no exception is the assertion
    assert fts_query_sqlite(hostile) is None or '"' in (fts_query_sqlite(hostile) or "")
    assert fts_query_postgres(hostile) is None or ":*" in (fts_query_postgres(hostile) or "")


async def test_paging_reports_more(sessions: Any) -> None:
    async with sessions() as session:
        page, more = await search_mentions(session=session, flt=MentionFilter(), limit=2)
        last, more2 = await search_mentions(session=session, flt=MentionFilter(), limit=2, offset=4)
    assert [m.external_id for m in page] == ["5", "4"] and more
    assert [m.external_id for m in last] == ["1"] and not more2


async def test_get_mention_by_id_or_url(sessions: Any) -> None:
    async with sessions() as session:
        by_url = await get_mention(session=session, ref="<https://x.example/3>")
        assert by_url is not None and by_url.external_id == "3"
        by_id = await get_mention(session=session, ref=str(by_url.id))
        assert by_id is not None and by_id.id == by_url.id
        assert await get_mention(session=session, ref="https://nope.example") is None


async def test_a_claim_is_won_once_and_an_expired_one_taken_over(sessions: Any) -> None:
    now = dt.datetime(2026, 11, 20, 9, 0)
    ttl = dt.timedelta(minutes=5)
    async with session_scope(sessions) as s:
        assert await claims.try_claim(session=s, job="j", slot="1", owner="a", ttl=ttl, now=now)
    async with session_scope(sessions) as s:
        assert not await claims.try_claim(session=s, job="j", slot="1", owner="b", ttl=ttl, now=now)
    later = now + dt.timedelta(minutes=6)
    async with session_scope(sessions) as s:
        assert await claims.try_claim(session=s, job="j", slot="1", owner="b", ttl=ttl, now=later)
    async with session_scope(sessions) as s:
        assert not await claims.finish_claim(session=s, job="j", slot="1", owner="a", now=later)
        assert await claims.finish_claim(session=s, job="j", slot="1", owner="b", now=later)
    much_later = now + dt.timedelta(hours=1)
    async with session_scope(sessions) as s:  # a finished slot never runs again
        assert not await claims.try_claim(
            session=s, job="j", slot="1", owner="c", ttl=ttl, now=much_later
        )


async def test_preferences_upsert(sessions: Any) -> None:
    for value in ("de", "en"):
        async with session_scope(sessions) as s:
            await prefs.set_pref(
                session=s,
                platform="slack",
                scope="user",
                subject_id="U1",
                key="locale",
                value=value,
                now=dt.datetime(2026, 11, 20, 8, 0),
            )
    async with sessions() as s:
        assert (
            await prefs.get_pref(
                session=s, platform="slack", scope="user", subject_id="U1", key="locale"
            )
            == "en"
        )


async def test_watch_terms_seed_add_remove(sessions: Any) -> None:
    async with session_scope(sessions) as s:
        assert await watch.seed_terms(session=s, terms=[("Lumora", "brand", "Lumora")]) == 1
        assert await watch.seed_terms(session=s, terms=[("lumora", "brand", "Lumora")]) == 0
        removed = await watch.remove_term(session=s, term="LUMORA")
        assert removed is not None
    async with session_scope(sessions) as s:  # a removed term is not re-seeded
        await watch.seed_terms(session=s, terms=[("Lumora", "brand", "Lumora")])
        assert [t.term for t in await watch.list_terms(session=s)] == []
