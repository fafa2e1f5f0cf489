"""The fast newest-first search returns exactly what the plain query returns."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from sqlmodel import select

from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.models import Mention
from core.pipeline import Pipeline
from core.raw import RawMention
from core.storage import search_sqlite
from core.storage.mentions import MentionFilter, search_mentions
from tests.fakes import RuleAnalyzer

T0 = dt.datetime(2026, 11, 1)
WORDS = ["Lieferung", "Lieferzeit", "Kaffee", "Straße", "Café crème", "delivery", "super", "nicht"]


@pytest.fixture
async def factory(tmp_path: Any) -> Any:
    from core import db as coredb

    url = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    await coredb.upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    rnd = random.Random(3)
    items = []
    for i in range(300):
        # ids follow ingest order; publication times are shuffled, as after a backfill
        text = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 6)))
        when = T0 + dt.timedelta(minutes=rnd.randint(0, 20_000))
        items.append(RawMention("s", f"x{i}", f"Lumora {text}", when, author=f"A{i % 7}"))
    pipeline = Pipeline(sessions, clock=utcnow, analyzer=RuleAnalyzer())
    for start in range(0, 300, 50):
        await pipeline.ingest(items[start : start + 50])
    yield sessions
    await engine.dispose()


async def _plain(sessions: Any, query: str, offset: int, limit: int) -> list[int]:
    parsed = search_sqlite.parse_query(query)
    assert parsed is not None
    async with sessions() as s:
        rows = await search_sqlite._plain(
            s, parsed.fts5(), select(Mention), limit=limit, offset=offset
        )
    return [m.id for m in rows][:limit]


async def test_same_pages_as_the_plain_query(factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ["Lieferung", "liefer", "kaffee -nicht", '"cafe creme"', "strasse", "Straße", "a1"]
    # From "all matches are candidates" to "suspects overflow → plain fallback".
    for candidates, suspects in [(2000, 5000), (10, 5000), (10, 3), (40, 60)]:
        monkeypatch.setattr(search_sqlite, "CANDIDATES", candidates)
        monkeypatch.setattr(search_sqlite, "MAX_SUSPECTS", suspects)
        for query in queries:
            for offset in (0, 10, 40):
                async with factory() as s:
                    rows, _ = await search_mentions(
                        session=s, flt=MentionFilter(query=query), limit=10, offset=offset
                    )
                expected = await _plain(factory, query, offset, 10)
                assert [m.id for m in rows] == expected, (query, offset, candidates, suspects)


async def test_python_matching_follows_fts_rules() -> None:
    q = search_sqlite.parse_query('liefer "café crème" -nicht')
    assert q is not None
    assert q.matches("Die Lieferzeit im Cafe Creme")
    assert not q.matches("Die Lieferzeit im Cafe Creme ist nicht gut")
    assert not q.matches("Lieferzeit crème café")
    assert search_sqlite.parse_query("-nur -negativ") is None
