"""help, language and mentions through the real dispatch, on a real database."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.services import build_services, close_services
from config.settings import Settings
from core.raw import RawMention
from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.fakes import RuleAnalyzer


@pytest.fixture
async def svc(db_url: str) -> AsyncIterator[Any]:
    services = await build_services(
        Settings.for_tests(database_url=db_url), analyzer=RuleAnalyzer()
    )
    now = services.clock()
    items = [
        RawMention(
            "demo-forum",
            f"m{i}",
            f"Die Lieferung der Lumora Brew ist nicht angekommen ({i})"
            if i % 2
            else f"The Lumora Mill is great ({i})",
            now - dt.timedelta(hours=i),
            url=f"https://forum.example/t/{i}",
            author=f"user{i}",
        )
        for i in range(25)
    ]
    items.append(RawMention("demo-news", "old", "Lumora Lieferung alt", now - dt.timedelta(days=9)))
    await services.pipeline.ingest(items)
    yield services
    await close_services(services)


async def _ask(services: Any, text: str, locale: str | None = "en", actor: str = "console") -> Any:
    return await dispatch(
        services.registry, services, console_request(text, locale=locale, actor=actor)
    )


async def test_help_lists_every_command_in_both_languages(svc: Any) -> None:
    en = await _ask(svc, "help")
    de = await _ask(svc, "help", locale="de")
    assert en.title == "Horchposten — commands" and de.title == "Horchposten – Befehle"
    usages = [f.label for f in en.facts]
    assert "/horch help [COMMAND]" in usages and any(
        u.startswith("/horch mentions") for u in usages
    )
    assert any("Erwähnungen" in f.value for f in de.facts)


async def test_help_for_one_command_and_unknown_ones(svc: Any) -> None:
    one = await _ask(svc, "help mentions")
    assert one.title == "/horch mentions" and one.facts[0].value.startswith("/horch mentions")
    unknown = await _ask(svc, "mentoins Lieferung")
    assert unknown.error and "mentoins" in unknown.sections[0]
    assert "Did you mean: /horch mentions" in unknown.sections[1]


async def test_language_is_remembered_per_user_and_channel(svc: Any) -> None:
    set_de = await _ask(svc, "language de", locale=None)
    assert set_de.sections == ["Ab jetzt spreche ich Deutsch mit dir."]
    after = await _ask(svc, "mentions", locale=None)
    assert after.title == "Erwähnungen"
    other_user = await _ask(svc, "mentions", locale=None, actor="someone")
    assert other_user.title == "Erwähnungen"  # workspace default is de
    await _ask(svc, "language en --channel", locale=None, actor="someone")
    assert (await _ask(svc, "mentions", locale=None, actor="someone")).title == "Mentions"
    assert (await _ask(svc, "mentions", locale=None)).title == "Erwähnungen"  # user beats channel
    bad = await _ask(svc, "language fr")
    assert bad.error and "fr" in bad.sections[0]


async def test_mentions_search_filters_and_paging(svc: Any) -> None:
    reply = await _ask(svc, "mentions Lieferung --since 7d")
    assert reply.title == "Mentions" and len(reply.items) == 10
    assert all("Lieferung" in item.text for item in reply.items)
    assert reply.items[0].time is not None and reply.items[0].time > reply.items[1].time
    first = reply.items[0]
    assert first.url and first.author and first.source == "demo-forum"
    assert first.sentiment == "negative"
    assert first.actions[0].id == "draft.create"
    more = reply.actions[0]
    assert more.id == "mentions.page" and json.loads(more.value)["page"] == "2"
    page2 = await dispatch(
        svc.registry,
        svc,
        console_request(f"!mentions.page {more.value}", locale="en"),
    )
    assert len(page2.items) == 2 and not page2.actions  # 12 in 7 days; the 9-day-old is out
    english = await _ask(svc, "mentions --lang en --sentiment positive")
    assert english.items and all(i.sentiment == "positive" for i in english.items)


async def test_mentions_by_intent_in_english_and_german(svc: Any) -> None:
    complaints = await _ask(svc, "mentions --intent complaint --since 7d")
    # The fake analyzer calls the 12 recent "nicht angekommen" posts complaints.
    assert len(complaints.items) == 10 and "intent complaint" in complaints.sections[0]
    assert all("nicht angekommen" in item.text for item in complaints.items)
    assert all(
        ("Intent", "complaint") in [(f.label, f.value) for f in i.facts] for i in complaints.items
    )
    page2 = await dispatch(
        svc.registry,
        svc,
        console_request(f"!mentions.page {complaints.actions[0].value}", locale="en"),
    )
    assert len(page2.items) == 2  # the filter survives paging
    german = await _ask(svc, "mentions Lieferung --intent Beschwerde --since 7d", locale="de")
    assert "Absicht Beschwerde" in german.sections[0]
    assert ("Absicht", "Beschwerde") in [(f.label, f.value) for f in german.items[0].facts]
    others = await _ask(svc, "mentions --intent sonstiges --since 7d")
    assert others.items and all("great" in i.text for i in others.items)
    praise = await _ask(svc, "mentions --intent Lob")
    assert not praise.items and "intent praise" in praise.sections[0]


async def test_mentions_bad_arguments_get_a_usage_line(svc: Any) -> None:
    for line, needle in [
        ("mentions --intent wish", "--intent takes complaint|question|praise|purchase|other"),
        ("mentions --since soon", "not a time span"),
        ("mentions --sentiment angry", "--sentiment takes negative|neutral|positive"),
        ("mentions --nope 1", "Unknown option --nope"),
    ]:
        reply = await _ask(svc, line)
        assert reply.error and needle in " ".join(reply.sections), line
    from bot.console.chat import answer

    quote, _ = await answer(svc.registry, svc, 'mentions "open quote', "en")
    # An unclosed quote is read as text, and the answer says how it was read.
    assert not quote.error and quote.sections[0] == "No mentions found for “open quote”."
    assert quote.footnotes[-1] == (
        "A quotation mark was not closed, so I read your words as: “mentions” “open” “quote”"
    )
    none = await _ask(svc, "mentions Zeppelin")
    assert not none.items and "No mentions found" in none.sections[0]


async def test_a_broken_button_value_is_a_polite_message(svc: Any) -> None:
    reply = await dispatch(
        svc.registry, svc, console_request("!mentions.page {not json", locale="en")
    )
    assert reply.error and "cannot read" in reply.sections[0]
    unknown = await dispatch(svc.registry, svc, console_request("!nothing.here 1", locale="en"))
    assert unknown.error and unknown.ephemeral
