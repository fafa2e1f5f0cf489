"""`mentions` as a reader expects it: flag values in both languages, the total in the header,
emoji found, long queries echoed shortened, apostrophes as text."""

from __future__ import annotations

import datetime as dt
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
    texts = [f"Die Lieferung der Lumora Brew ist nicht angekommen 😞 ({i})" for i in range(12)]
    texts += [f"The Lumora Mill is great ({i})" for i in range(30)]
    texts += ["Lumora's new grinder is broken, still waiting 😡"]
    items = [
        RawMention("demo-forum", f"m{i}", text, now - dt.timedelta(hours=i + 1))
        for i, text in enumerate(texts)
    ]
    await services.pipeline.ingest(items)
    yield services
    await close_services(services)


async def ask(services: Any, text: str, locale: str = "en") -> Any:
    return await dispatch(services.registry, services, console_request(text, locale=locale))


async def test_the_header_gives_the_total(svc: Any) -> None:
    reply = await ask(svc, "mentions Lumora")
    assert reply.sections[0] == "43 mentions, newest first — “Lumora” (page 1)"
    assert len(reply.items) == 10
    de = await ask(svc, "mentions Lieferung", locale="de")
    assert de.sections[0] == "12 Erwähnungen, neueste zuerst – „Lieferung“ (Seite 1)"
    one = await ask(svc, "mentions grinder")
    assert one.sections[0].startswith("1 mention, newest first")


async def test_sentiment_flag_takes_the_words_the_cards_use(svc: Any) -> None:
    for word in ("negativ", "negative", "NEGATIV"):
        reply = await ask(svc, f"mentions Lumora --sentiment {word}", locale="de")
        assert not reply.error, reply.plain_text()
        assert all(i.sentiment == "negative" for i in reply.items) and reply.items
    positiv = await ask(svc, "mentions --sentiment positiv")
    assert positiv.items and all(i.sentiment == "positive" for i in positiv.items)
    bad = await ask(svc, "mentions --sentiment grimmig", locale="de")
    assert bad.error and "negativ|neutral|positiv" in bad.sections[0]


async def test_emoji_are_searchable(svc: Any) -> None:
    sad = await ask(svc, "mentions 😞")
    assert sad.sections[0].startswith("12 mentions") and all("😞" in i.text for i in sad.items)
    both = await ask(svc, "mentions Lumora 😡")
    assert [i.text for i in both.items] == ["Lumora's new grinder is broken, still waiting 😡"]


async def test_apostrophe_query_answers(svc: Any) -> None:
    reply = await ask(svc, "mentions Lumora's")
    assert not reply.error
    assert not any(f.startswith("A quotation mark") for f in reply.footnotes)
    assert reply.items[0].text.startswith("Lumora's new grinder")


async def test_long_inputs_are_echoed_shortened(svc: Any) -> None:
    long = "x" * 10_000
    none = await ask(svc, f"mentions {long}")
    assert len(none.sections[0]) < 200 and "…" in none.sections[0]
    unknown = await ask(svc, long)
    assert len(unknown.plain_text()) < 500
    bad = await ask(svc, f"mentions --since {long}")
    assert bad.error and len(bad.plain_text()) < 600


async def test_a_word_form_that_never_occurs_finds_its_other_forms(svc: Any) -> None:
    """Read on the demo: `mentions Nachhaltigkeit` found nothing while `assess
    Nachhaltigkeit` counted 74 mentions of "nachhaltig"; "Lieferungen" finds "Lieferung"."""
    de = await ask(svc, "mentions Lieferungen", locale="de")
    assert len(de.items) == 10 and de.sections[0].startswith("12 Erwähnungen")
    assert "„Lieferungen“" in de.sections[0]
    assert any("Nichts für „Lieferungen“ in genau dieser Form" in f for f in de.footnotes)
    en = await ask(svc, "mentions greatness")
    assert en.items and all("great" in (i.text or "") for i in en.items)
    # A word that occurs as written is searched as written, with no footnote.
    plain = await ask(svc, "mentions Lieferung", locale="de")
    assert not any("genau dieser Form" in f for f in plain.footnotes)
    nothing = await ask(svc, "mentions Zahnbürste", locale="de")
    assert not nothing.items and nothing.sections[0].startswith("Keine Erwähnungen")
