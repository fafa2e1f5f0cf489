"""The pipeline's batch internals: chunked analysis beside the store, reposts inside one
batch, a failing model stage, the language filter, and the watchlist reload."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select

import core.pipeline as pipeline_module
from core.clock import utcnow
from core.db import make_engine, make_sessionmaker, session_scope
from core.models import HourlyCount, Mention
from core.pipeline import Pipeline
from core.raw import RawMention
from core.storage import watch
from tests.fakes import RuleAnalyzer

pytestmark = pytest.mark.storage
T0 = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0, tzinfo=None)


async def _pipeline(db_url: str, analyzer: Any = None) -> tuple[Pipeline, Any, Any]:
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    async with session_scope(sessions) as s:
        await watch.seed_terms(session=s, terms=[("Lumora", "brand", "Lumora")])
    return Pipeline(sessions, clock=utcnow, analyzer=analyzer or RuleAnalyzer()), sessions, engine


async def _mentions(sessions: Any) -> dict[str, Mention]:
    async with sessions() as s:
        return {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}


async def test_reposts_within_one_batch_and_across_chunks(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "CHUNK", 2)
    pipeline, sessions, engine = await _pipeline(db_url)
    items = [
        RawMention("s", "1", "Lumora Brew ist super https://x.example/1", T0),
        RawMention("s", "2", "RT @fan: Lumora Brew ist SUPER", T0),  # same chunk as 1
        RawMention("s", "3", "Ganz was anderes über Lumora", T0),
        RawMention("s", "4", "Noch etwas zu Lumora", T0),
        RawMention("s", "5", "Lumora brew ist super!!", T0),  # a later chunk
        RawMention("s", "6", "ganz WAS anderes über lumora", T0),
    ]
    result = await pipeline.ingest(items)
    assert (result.new, result.near_duplicates) == (6, 3)
    rows = await _mentions(sessions)
    assert rows["1"].dup_of is None and rows["3"].dup_of is None
    assert rows["2"].dup_of == rows["1"].id and rows["5"].dup_of == rows["1"].id
    assert rows["6"].dup_of == rows["3"].id
    async with sessions() as s:
        total = (await s.execute(select(HourlyCount.n).where(HourlyCount.key == "all"))).scalar()
    assert total == 6
    await engine.dispose()


class FailingAnalyzer(RuleAnalyzer):
    def __init__(self) -> None:
        self.calls = 0

    def sentiments(self, texts: list[str], languages: list[str | None]) -> list[tuple[str, float]]:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("model crashed")
        return super().sentiments(texts, languages)


async def test_a_failing_model_loses_nothing_and_a_retry_doubles_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline_module, "CHUNK", 2)
    pipeline, sessions, engine = await _pipeline(db_url, FailingAnalyzer())
    items = [RawMention("s", str(i), f"Lumora Nummer {i}", T0) for i in range(5)]
    with pytest.raises(RuntimeError):
        await pipeline.ingest(items)
    assert len(await _mentions(sessions)) == 2  # the first chunk was stored
    again = await pipeline.ingest(items)
    assert (again.new, again.duplicates) == (3, 2)
    assert sorted(await _mentions(sessions)) == ["0", "1", "2", "3", "4"]
    async with sessions() as s:
        assert (
            await s.execute(select(func.sum(HourlyCount.n)).where(HourlyCount.key == "all"))
        ).scalar() == 5
    await engine.dispose()


async def test_languages_outside_the_workspace_are_dropped(db_url: str) -> None:
    pipeline, sessions, engine = await _pipeline(db_url)
    items = [
        RawMention("s", "fr", "Lumora est magnifique", T0, language="fr"),
        RawMention("s", "de", "Lumora ist toll", T0, language="de-AT"),
    ]
    result = await pipeline.ingest(items)
    assert (result.new, result.dropped) == (1, 1)
    assert list(await _mentions(sessions)) == ["de"]
    await engine.dispose()


async def test_the_watchlist_is_reloaded_after_its_lifetime(db_url: str) -> None:
    pipeline, sessions, engine = await _pipeline(db_url)
    await pipeline.watchlist()
    async with session_scope(sessions) as s:  # another replica adds a term
        await watch.add_term(
            session=s, term="Kaffeeko", kind="competitor", actor="other", now=utcnow()
        )
    assert not (await pipeline.watchlist()).match("Kaffeeko")  # still the cached list
    pipeline._watchlist_at -= pipeline_module.WATCHLIST_TTL + 1
    assert (await pipeline.watchlist()).match("Kaffeeko")
    await engine.dispose()


async def test_stored_values_have_sqlalchemys_own_format(db_url: str, backend: str) -> None:
    """The SQLite fast path must store times and flags exactly as SQLAlchemy does, or the
    comparisons of every other query (since, buckets) would silently miss rows."""
    pipeline, sessions, engine = await _pipeline(db_url)
    when = dt.datetime(2026, 11, 20, 8, 0, 0)
    await pipeline.ingest([RawMention("s", "1", "Lumora", when, synthetic=True)])
    async with sessions() as s:
        found = (
            await s.execute(
                select(Mention.id).where(Mention.published_at == when, Mention.synthetic.is_(True))
            )
        ).scalar()
        bucket = (
            await s.execute(
                select(HourlyCount.n).where(HourlyCount.bucket == when, HourlyCount.key == "all")
            )
        ).scalar()
        if backend == "sqlite":
            from sqlalchemy import text

            raw = (await s.execute(text("SELECT published_at, synthetic FROM mention"))).one()
            assert tuple(raw) == ("2026-11-20 08:00:00.000000", 1)
    assert found is not None and bucket == 1
    await engine.dispose()


class CountingAnalyzer(RuleAnalyzer):
    def __init__(self) -> None:
        self.scored: list[str] = []

    def sentiments(self, texts: list[str], languages: list[str | None]) -> list[tuple[str, float]]:
        self.scored += texts
        return super().sentiments(texts, languages)


async def test_reposts_take_the_analysis_of_their_original(db_url: str) -> None:
    analyzer = CountingAnalyzer()
    pipeline, sessions, engine = await _pipeline(db_url, analyzer)
    await pipeline.ingest([RawMention("a", "1", "Lumora ist super", T0)])
    await pipeline.ingest(
        [
            RawMention("b", "2", "RT @fan: Lumora ist SUPER", T0),  # repost of a stored one
            RawMention("b", "3", "Lumora ist kaputt", T0),
            RawMention("b", "4", "RT @x: lumora ist kaputt!", T0),  # repost in the same batch
        ]
    )
    assert analyzer.scored == ["Lumora ist super", "Lumora ist kaputt"]
    rows = await _mentions(sessions)
    assert (rows["2"].sentiment, rows["2"].language) == ("positive", "de")
    assert (rows["4"].sentiment, rows["4"].intent, rows["4"].dup_of) == (
        "negative",
        "complaint",
        rows["3"].id,
    )
    await engine.dispose()
