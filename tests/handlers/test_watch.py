"""`watch` through the real dispatch and database: list, add, remove, audit, and matching."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from core.models import AuditEvent, Mention
from core.raw import RawMention
from tests.fakes import RuleAnalyzer

pytestmark = pytest.mark.storage


async def test_list_shows_the_seeded_watchlist(ask: Callable[..., Any]) -> None:
    reply = await ask("watch")
    text = reply.plain_text()
    assert reply.title == "Watchlist"
    assert "Brand: @lumora (→ lumora), Lumora, Lumora GmbH (→ lumora)" in text
    assert "Competitors:" in text and "Kaffeeko" in text
    assert "Hashtags: #baristaathome" in text
    assert "Exclusions (from the workspace file): Lumora Beach Resort" in text


async def test_add_is_persisted_audited_and_matched_at_once(
    ask: Callable[..., Any], services: Any
) -> None:
    services.pipeline._analyzer = RuleAnalyzer()
    await services.pipeline.watchlist()  # cached before the change
    reply = await ask('watch add "Lumora Go" --as product', actor="U1")
    assert reply.sections == [
        "“Lumora Go” is now on the watchlist as product. New mentions are matched against it "
        "from now on."
    ]
    assert "Lumora Go" in (await ask("watch list")).plain_text()
    now = dt.datetime.now(dt.UTC)
    await services.pipeline.ingest([RawMention("t", "1", "Der neue Lumora Go ist da", now)])
    async with services.sessions() as s:
        mention = (await s.execute(select(Mention))).scalars().one()
        event = (await s.execute(select(AuditEvent))).scalars().one()
    assert "lumora go" in mention.matched_terms.split("|")
    assert (event.kind, event.subject, event.actor_id, event.after) == (
        "watch.add",
        "watch:lumora go",
        "U1",
        "product",
    )


async def test_hashtags_and_kinds(ask: Callable[..., Any]) -> None:
    assert "as hashtag" in (await ask("watch add #Espressoliebe")).sections[0]
    assert "“#Crema”" in (await ask("watch add Crema --as hashtag")).sections[0]
    assert (
        "already on the watchlist as product"
        in (await ask('watch add "Lumora Brew" --as product')).sections[0]
    )
    assert "now watched as keyword" in (await ask('watch add "Lumora Brew"')).sections[0]
    text = (await ask("watch")).plain_text()
    assert "#Espressoliebe" in text and "#Crema" in text


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("watch add", "Which term?"),
        ('watch add "#zwei Wörter"', "A hashtag is one word"),
        ("watch add #lumora --as brand", "A term starting with # is a hashtag"),
        ("watch add !!!", "has no letters or digits"),
        ("watch add x --as colour", "--as takes brand|product|competitor|keyword|hashtag"),
        ("watch add " + "x" * 101, "at most 100 characters"),
        ("watch frobnicate", "watch knows list, add and remove"),
        ("watch list extra", "I don't know what to do with “extra”"),
    ],
)
async def test_bad_input_is_explained(ask: Callable[..., Any], line: str, message: str) -> None:
    reply = await ask(line)
    assert reply.error and message in reply.plain_text()


async def test_remove_and_add_back(ask: Callable[..., Any], services: Any) -> None:
    question = await ask("watch remove kaffeeko")
    # A competitor: asked first, saying what will happen; nothing changes yet.
    assert question.title == "Remove Kaffeeko from the watchlist?"
    assert "Kaffeeko is on the watchlist as competitor" in question.sections[0]
    assert "no longer collected" in question.sections[0]
    confirm, cancel = question.actions
    assert (confirm.id, confirm.value, confirm.style) == (
        "watch.remove.confirmed",
        "Kaffeeko",
        "danger",
    )
    assert "Kaffeeko" in (await ask("watch")).plain_text().split("Competitors:")[1]
    kept = await ask(f"!{cancel.id} {cancel.value}")
    assert kept.sections == ["Cancelled: nothing was changed."]
    assert "Kaffeeko" in (await ask("watch")).plain_text().split("Competitors:")[1]
    reply = await ask(f"!{confirm.id} {confirm.value}")
    assert reply.sections == [
        "“Kaffeeko” is off the watchlist. Mentions already stored keep their matches."
    ]
    assert "Kaffeeko," not in (await ask("watch")).plain_text().split("Competitors:")[1]
    unknown = await ask("watch remove Nirgendwo")
    assert unknown.error and "“Nirgendwo” is not on the watchlist." in unknown.sections
    back = await ask("watch add Kaffeeko --as competitor")
    assert "back on the watchlist as competitor" in back.sections[0]
    async with services.sessions() as s:
        kinds = [e.kind for e in (await s.execute(select(AuditEvent))).scalars()]
    assert kinds == ["watch.remove", "watch.add"]


async def test_german_replies(ask: Callable[..., Any]) -> None:
    reply = await ask("watch add Milchschaum", locale="de")
    assert reply.sections[0].startswith(
        "„Milchschaum“ steht jetzt als Stichwort auf der Watchlist."
    )
    listing = await ask("watch", locale="de")
    assert "Stichwörter:" in listing.plain_text() and "Begriffe" in listing.footnotes[0]


async def test_removing_the_brand_asks_in_german_and_a_keyword_goes_at_once(
    ask: Callable[..., Any],
) -> None:
    question = await ask("watch remove Lumora", locale="de")
    assert question.title == "Lumora von der Watchlist entfernen?"
    assert "Lumora steht als Marke auf der Watchlist" in question.sections[0]
    assert [a.label for a in question.actions] == ["Lumora entfernen", "Abbrechen, alles lassen"]
    assert "Lumora" in (await ask("watch")).plain_text()
    keyword = await ask("watch remove Entkalken")
    assert keyword.sections == [
        "“Entkalken” is off the watchlist. Mentions already stored keep their matches."
    ]
