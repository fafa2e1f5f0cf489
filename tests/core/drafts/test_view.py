"""The draft card shows the current state and only the buttons that state allows."""

from __future__ import annotations

import datetime as dt

from core.drafts.checks import Finding
from core.drafts.view import draft_card, list_item
from core.i18n import Translator
from core.models import Mention
from core.models_drafts import Draft

T = dt.datetime(2026, 11, 26, 9, 42)
ZONE = "Europe/Berlin"


def draft(**kw: object) -> Draft:
    values: dict = dict(
        id=3,
        mention_id=1,
        state="proposed",
        version=2,
        target="mastodon",
        text="Hallo!",
        variants='["Hallo!", "Servus!"]',
        origin="model",
        model="gpt-4o-mini",
        requested_by="U1",
        requested_by_platform="slack",
        requested_by_name="Anna",
        created_at=T,
        updated_at=T,
    )
    values.update(kw)
    return Draft(**values)


MENTION = Mention(
    id=1,
    source="m",
    external_id="x",
    url="https://m.example/@x/1",
    author="X",
    text="Frage?",
    published_at=T,
)


def test_open_card_has_the_decision_buttons_warnings_and_variants() -> None:
    t = Translator("en")
    warning = Finding("mass_ping", "warn", (("handle", "@channel"),))
    card = draft_card(t, draft(), MENTION, [warning], zone=ZONE, variants=["Hallo!", "Servus!"])
    assert [a.id for a in card.actions] == [
        "draft.approve",
        "draft.edit",
        "draft.reject",
        "draft.pick",
    ]
    assert [a.value for a in card.actions] == ["3:2", "3:2", "3:2", "3:2:2"]
    assert "⚠ Contains the mass ping @channel." in card.sections
    assert {f.label: f.value for f in card.facts}["State"] == "proposed by Anna at 2026-11-26 10:42"
    assert card.items[1].text == "Servus!" and card.in_thread


def test_published_card_shows_the_link_and_no_buttons() -> None:
    t = Translator("de")
    card = draft_card(
        t,
        draft(
            state="published",
            approved_by_name="Ben",
            published_at=T,
            published_url="https://m.example/@lumora/9",
        ),
        MENTION,
        [],
        zone=ZONE,
    )
    facts = {f.label: f.value for f in card.facts}
    assert facts["Stand"] == "freigegeben von Ben, veröffentlicht um 26.11.2026 10:42"
    assert facts["Veröffentlicht"] == "https://m.example/@lumora/9"
    assert card.actions == [] and not any(s.startswith("⚠") for s in card.sections)


def test_failed_publishing_offers_a_retry_and_says_whether_it_retries_itself() -> None:
    t = Translator("en")
    failing = draft(
        state="approved",
        approved_by_name="Ben",
        approved_at=T,
        last_error="HTTP 503",
        next_attempt_at=T,
    )
    card = draft_card(t, failing, MENTION, [], zone=ZONE)
    assert "will be retried" in card.facts[0].value
    assert [(a.id, a.value) for a in card.actions] == [("draft.retry", "publish:3")]
    stopped = draft_card(
        t,
        draft(
            state="approved",
            approved_by_name="Ben",
            approved_at=T,
            last_error="deleted",
            next_attempt_at=None,
        ),
        MENTION,
        [],
        zone=ZONE,
    )
    assert "will not be retried by itself" in stopped.facts[0].value


def test_ready_to_post_links_the_original_and_offers_posted() -> None:
    t = Translator("en")
    card = draft_card(
        t,
        draft(state="ready_to_post", target="x", approved_by_name="Ben", approved_at=T),
        MENTION,
        [],
        zone=ZONE,
    )
    assert {f.label: f.value for f in card.facts}["Original"] == "https://m.example/@x/1"
    assert [a.id for a in card.actions] == ["draft.posted"]
    assert card.title == "Reply draft #3 for X"


def test_offline_drafts_say_so_and_list_items_open_the_card() -> None:
    t = Translator("en")
    card = draft_card(t, draft(origin="offline", model=None), None, [], zone=ZONE)
    assert {f.label: f.value for f in card.facts}["Written by"] == "offline template"
    assert any("offline" in f for f in card.footnotes)
    item = list_item(t, draft(), MENTION, ZONE)
    assert [(a.id, a.value) for a in item.actions] == [("draft.show", "3")]
