"""The brief's section on stories, through the real dispatch: the week's main stories with
their size, change, share negative, leading intent and an example, in the channel's language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.core.backlog.helpers import migrated_db_url
from tests.fixtures.scenarios.seed import scenario

pytestmark = pytest.mark.storage


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


@pytest.fixture
async def velora(db_url: str) -> Any:
    services, _ = await scenario(db_url, "velora")
    yield services
    from bot.services import close_services

    await close_services(services)


async def test_the_brief_tells_the_week_s_stories_in_german_and_english(velora: Any) -> None:
    german = await dispatch(velora.registry, velora, console_request("brief 7d", locale="de"))
    cards = [i for i in german.items if i.title.startswith("Thema „")]
    assert len(cards) >= 3, german.plain_text()
    titles = [c.title for c in cards]
    delivery = next(c for c in cards if "Erwähnungen (+" in c.title and "Beschwerden" in c.text)
    assert "negativ, nur Beschwerden." in delivery.text or "meist Beschwerden (" in delivery.text
    assert "\nZum Beispiel: „" in delivery.text and delivery.url
    assert any(t.startswith("Thema „#veloratour“: ") and t.endswith("(neu)") for t in titles)
    assert any("„Akku“" in t for t in titles)
    english = await dispatch(velora.registry, velora, console_request("brief 7d", locale="en"))
    stories = [i for i in english.items if i.title.startswith("Story “")]
    assert any(s.title.startswith("Story “battery”: ") for s in stories), [s.title for s in stories]
    assert all(" negative, " in s.text for s in stories)


def test_a_story_of_nothing_but_questions_says_so_and_a_big_rise_is_a_factor() -> None:
    """Read on the demo: "Thema „Wasserfilter“: 36 Erwähnungen (+200 %) … meist Fragen
    (100 %)" and "#lumoralatteart: 439 Erwähnungen (+3.277 %)"."""
    from collections import Counter
    from types import SimpleNamespace

    from core.i18n import Translator
    from core.stories.overview import Story
    from handlers.brief_stories import story_items

    ctx = SimpleNamespace(t=Translator("de"))
    filter_ = Story(root=1, label="Wasserfilter", n=36, prev_n=12, intents=Counter(question=36))
    art = Story(
        root=2,
        label="#lumoralatteart",
        n=439,
        prev_n=13,
        pos=300,
        intents=Counter(praise=270, other=169),
    )
    first, second = story_items(ctx, [filter_, art])  # type: ignore[arg-type]
    assert first.text.startswith("0\u202f% negativ, nur Fragen.")
    assert first.title == "Thema „Wasserfilter“: 36 Erwähnungen (+200\u202f%)"
    assert second.title == "Thema „#lumoralatteart“: 439 Erwähnungen (etwa 34×)"
    assert "meist Lob (62\u202f%)" in second.text
