"""The demo tells its stories: the planted delivery spike, the rising hashtag and the
recurring questions come out of the topic job as stories a person would name, and the
backlog suggests one item for each, in the channel's language."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from core.backlog.suggest import suggest
from core.stories.overview import main_stories
from demo import DEMO_NOTICE, generate_demo, seed_demo

NOW = dt.datetime(2026, 12, 7, 10, 0)
DAYS, TOTAL = 16, 4000  # a smaller month: the planted events scale with the total
_SENTIMENT = {"pos": "positive", "neu": "neutral", "neg": "negative"}


class DemoTruth:
    """Stores the demo's own ground truth (its `extra`) as sentiment and intent, so the test
    reads the stories, not the classifiers (those are measured on their own data)."""

    def __init__(self) -> None:
        self.truth: dict[str, tuple[str, str]] = {}
        self.lang: dict[str, str] = {}
        for item in generate_demo(NOW, days=DAYS, total=TOTAL):
            self.lang[item.text] = "de" if item.extra["notice"] == DEMO_NOTICE["de"] else "en"
            topic, mood, kind = (
                item.extra[k] for k in ("demo_topic", "demo_sentiment", "demo_kind")
            )
            if topic == "question":
                intent = "question" if kind == "post" else "other"
            elif topic == "delivery":
                intent = "complaint"
            else:
                intent = {"neg": "complaint", "pos": "praise"}.get(mood, "other")
            self.truth[item.text] = (_SENTIMENT[mood], intent)

    def languages(self, texts: list[str]) -> list[str | None]:
        return [self.lang.get(t) for t in texts]

    def sentiments(self, texts: list[str], languages: list[str | None]) -> list[tuple[str, float]]:
        return [(self.truth.get(t, ("neutral", ""))[0], 0.0) for t in texts]

    def intents(self, texts: list[str], languages: list[str | None]) -> list[str]:
        return [self.truth.get(t, ("", "other"))[1] for t in texts]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, seeded and grouped once for the module (a test works on a copy)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"

    async def build() -> None:
        from bot.services import build_services, close_services
        from core import db as coredb
        from tests.core.backlog.helpers import group_topics

        url = f"sqlite+aiosqlite:///{path}"
        await coredb.upgrade(url)
        services = await build_services(Settings.for_tests(database_url=url), analyzer=DemoTruth())
        await seed_demo(services.pipeline, now=NOW, days=DAYS, total=TOTAL)
        await group_topics(services, NOW)
        await close_services(services)

    asyncio.run(build())
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
async def demo(seeded: Path, tmp_path: Path) -> Any:
    from bot.services import build_services, close_services

    copy = shutil.copyfile(seeded, tmp_path / "demo.db")
    services = await build_services(Settings.for_tests(database_url=f"sqlite+aiosqlite:///{copy}"))
    services.clock = lambda: NOW
    yield services
    await close_services(services)


async def test_the_planted_events_are_stories_with_names(demo: Any) -> None:
    async with demo.sessions() as session:
        german = await main_stories(
            session, since=NOW - dt.timedelta(days=7), until=NOW, prev_since=None, locale="de"
        )
        english = await main_stories(
            session, since=NOW - dt.timedelta(days=7), until=NOW, prev_since=None, locale="en"
        )
    de = {s.label: s for s in german}
    en = {s.label: s for s in english}
    assert "Lieferung" in de and "delivery" in en, (list(de), list(en))
    assert de["Lieferung"].root == en["delivery"].root
    assert de["Lieferung"].intent == "complaint" and de["Lieferung"].neg_share > 0.8
    assert "#lumoralatteart" in de and de["#lumoralatteart"].root == en["#lumoralatteart"].root


async def test_backlog_suggests_one_item_per_planted_story_in_german(demo: Any) -> None:
    async with demo.sessions() as session:
        result = await suggest(session, now=NOW, locale="de", brand="Lumora")
    titles = [s.title for s in result.new]
    stories = [s.topic_key for s in result.new if s.topic_key.startswith("topic:")]
    assert len(stories) == len(set(stories)), titles
    assert any(t.startswith("Die Beschwerden zu „Lieferung“ ") for t in titles), titles
    assert "Beitrag zum steigenden Thema „#lumoralatteart“" in titles, titles
    questions = [s for s in result.new if s.kind == "question"]
    assert questions and all(s.title.startswith("Die Fragen zu „") for s in questions), titles
    # Complaints are never filed as questions, nor questions as complaints.
    assert not any(s.kind == "question" and "Liefer" in s.title for s in result.new)
