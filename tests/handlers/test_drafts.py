"""`draft`, `drafts` and the draft card's buttons through the real dispatch, offline drafter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.services import build_services, close_services
from config.settings import Settings
from core.drafts.errors import ModelError
from core.reply import Actor, Conversation, Reply, Request
from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.core.drafts import conftest as drafts_db
from tests.core.drafts.conftest import add_mention

pytestmark = pytest.mark.storage
# A migrated database per test, copied from one template (migrating each time is slow).
sqlite_template = drafts_db.sqlite_template
db_url = drafts_db.db_url


@pytest.fixture
async def svc(db_url: str) -> AsyncIterator[Any]:
    services = await build_services(Settings.for_tests(database_url=db_url))
    assert services.llm is None and services.publishers == {}
    yield services
    await close_services(services)


async def ask(services: Any, text: str, *, locale: str = "en", actor: str = "console") -> Reply:
    request = console_request(text, locale=locale, actor=actor)
    return await dispatch(services.registry, services, request)


async def click(
    services: Any,
    action_id: str,
    value: str,
    *,
    actor: Actor | None = None,
    form: dict[str, str] | None = None,
    locale: str = "en",
) -> Reply:
    who = actor or Actor("console", "console", "console")
    request = Request(
        command="",
        args=[],
        actor=who,
        conversation=Conversation(who.platform, "C1", "thread-1"),
        locale=locale,
        action_id=action_id,
        action_value=value,
        form=form or {},
    )
    return await dispatch(services.registry, services, request)


def action(reply: Reply, action_id: str) -> str:
    return next(a.value for a in reply.actions if a.id == action_id)


async def test_draft_command_posts_the_card_in_the_thread(svc: Any) -> None:
    mention = await add_mention(svc.sessions, text="Wann kommt meine Lieferung?")
    reply = await ask(svc, f"draft {mention.id}")
    assert not reply.error and reply.in_thread and not reply.replace
    assert reply.title == "Reply draft #1 for Mastodon"
    # German mention → German reply, answering from the German facts (delivery times).
    assert reply.sections[0].startswith("Gute Frage! Der Standardversand")
    facts = {f.label: f.value for f in reply.facts}
    assert facts["State"].startswith("proposed by console at ")
    assert facts["Written by"] == "offline template" and facts["Length"].endswith("of 500")
    assert [a.id for a in reply.actions] == [
        "draft.approve",
        "draft.edit",
        "draft.reject",
        "draft.pick",
    ]
    assert action(reply, "draft.approve") == "1:1"
    assert any("offline" in f for f in reply.footnotes)
    assert reply.items[0].text == mention.text and reply.items[0].url == mention.url


async def test_draft_by_button_and_by_url(svc: Any) -> None:
    mention = await add_mention(svc.sessions)
    reply = await click(svc, "draft.create", str(mention.id))
    assert reply.title.startswith("Reply draft #1") and reply.in_thread
    again = await ask(svc, f"draft {mention.url}")
    assert again.title.startswith("Reply draft #1")
    assert "already has an open draft" in again.sections[0]


async def test_usage_and_unknown_mentions(svc: Any) -> None:
    missing = await ask(svc, "draft")
    assert missing.error and missing.ephemeral and "/horch draft 42" in missing.sections[0]
    unknown = await ask(svc, "draft 404")
    assert unknown.error and "404" in unknown.sections[0]
    assert (await click(svc, "draft.approve", "x:y")).error
    assert (await click(svc, "draft.approve", "77:1")).sections == ["This draft no longer exists."]
    assert (await ask(svc, "drafts everything")).error


async def test_refusal_is_polite_and_only_for_the_clicker(svc: Any) -> None:
    mention = await add_mention(svc.sessions)
    card = await ask(svc, f"draft {mention.id}")
    intruder = Actor("intruder", "Intruder", "console")
    reply = await click(svc, "draft.approve", action(card, "draft.approve"), actor=intruder)
    assert reply.ephemeral and not reply.replace and not reply.error
    assert "only the approvers" in reply.sections[0]


async def test_edit_form_save_approve_ready_to_post_posted(svc: Any) -> None:
    mention = await add_mention(svc.sessions)
    card = await ask(svc, f"draft {mention.id}")
    form = await click(svc, "draft.edit", action(card, "draft.edit"))
    assert form.replace and form.inputs[0].id == "text" and form.inputs[0].value == card.sections[0]
    assert form.actions[0].id == "draft.save"  # the first action submits the form
    saved = await click(
        svc,
        "draft.save",
        form.actions[0].value,
        form={"text": "Die Lieferung dauert 2–4 Werktage. – Team Lumora"},
        actor=Actor("bob", "Bob", "console"),
    )
    assert saved.replace and saved.sections[0] == "Die Lieferung dauert 2–4 Werktage. – Team Lumora"
    assert {f.label: f.value for f in saved.facts}["State"].startswith("edited by Bob")
    approved = await click(svc, "draft.approve", action(saved, "draft.approve"))
    assert approved.replace
    state = {f.label: f.value for f in approved.facts}["State"]
    assert state.startswith("approved by console") and "ready to post" in state
    assert {f.label: f.value for f in approved.facts}["Original"] == mention.url
    assert [a.id for a in approved.actions] == ["draft.posted"]
    posted = await click(
        svc, "draft.posted", action(approved, "draft.posted"), actor=Actor("bob", "Bob", "console")
    )
    assert {f.label: f.value for f in posted.facts}["State"].startswith("posted by Bob")
    assert posted.actions == []
    # A stale click on the old card shows the current state instead of acting.
    stale = await click(svc, "draft.approve", action(card, "draft.approve"))
    assert stale.replace and "already decided" in stale.sections[0]


async def test_stale_save_and_empty_text(svc: Any) -> None:
    mention = await add_mention(svc.sessions)
    card = await ask(svc, f"draft {mention.id}")
    await click(svc, "draft.save", "1:1", form={"text": "Erste Änderung"})
    stale = await click(svc, "draft.save", "1:1", form={"text": "Zweite Änderung"})
    assert "changed meanwhile" in stale.sections[0] and stale.sections[1] == "Erste Änderung"
    empty = await click(svc, "draft.save", "1:2", form={"text": "  "})
    assert empty.ephemeral and empty.error
    assert card.title


async def test_pick_and_reject(svc: Any) -> None:
    mention = await add_mention(svc.sessions)
    card = await ask(svc, f"draft {mention.id}")
    other = card.items[1].text  # the second variant, shown under the card
    picked = await click(svc, "draft.pick", action(card, "draft.pick"))
    assert picked.sections[0] == other
    rejected = await click(svc, "draft.reject", action(picked, "draft.reject"))
    assert {f.label: f.value for f in rejected.facts}["State"].startswith("rejected by console")
    assert rejected.actions == []


async def test_blocked_approval_says_why(svc: Any) -> None:
    mention = await add_mention(
        svc.sessions,
        source_type="bluesky",
        source="bsky",
        external_id="at://did:plc:x/app.bsky.feed.post/3k",
        url=None,
    )
    await ask(svc, f"draft {mention.id}")
    await click(svc, "draft.save", "1:1", form={"text": "x" * 301})
    blocked = await click(svc, "draft.approve", "1:2")
    assert blocked.ephemeral and blocked.error
    assert blocked.sections[1] == "Too long for Bluesky: 301 characters, at most 300."


async def test_listing(svc: Any) -> None:
    first = await add_mention(svc.sessions)
    second = await add_mention(svc.sessions, n=2)
    await ask(svc, f"draft {first.id}")
    await ask(svc, f"draft {second.id}", actor="bob")
    pending = await ask(svc, "drafts")
    assert [i.title for i in pending.items] == ["#2 · Mastodon", "#1 · Mastodon"]
    assert pending.items[0].actions[0].id == "draft.show"
    mine = await ask(svc, "drafts mine", actor="bob")
    assert [i.title for i in mine.items] == ["#2 · Mastodon"]
    shown = await click(svc, "draft.show", "2")
    assert shown.title == "Reply draft #2 for Mastodon" and shown.in_thread
    none = await ask(svc, "drafts mine", actor="nobody")
    assert none.items == [] and "No drafts" in none.sections[0]


async def test_german_card(svc: Any) -> None:
    mention = await add_mention(svc.sessions, language="en", text="Where is my order?")
    card = await ask(svc, f"draft {mention.id}", locale="de")
    assert card.title == "Antwortentwurf #1 für Mastodon"
    # The mention's language; a question without an answer in the facts asks for details.
    assert card.sections[0].startswith("Thanks for asking! So we can check")
    assert [a.label for a in card.actions][:3] == ["Freigeben", "Bearbeiten", "Ablehnen"]


async def test_model_failure_offers_a_retry(svc: Any) -> None:
    class Flaky:
        model = "fake-model"
        calls = 0

        async def complete(self, **_: object) -> list[str]:
            Flaky.calls += 1
            if Flaky.calls == 1:
                raise ModelError("rate_limit")
            return ['{"variants": ["Hi there! – Team Lumora", "Hello! – Team Lumora"]}']

    svc.llm = Flaky()
    mention = await add_mention(svc.sessions)
    failed = await ask(svc, f"draft {mention.id}")
    assert failed.error and failed.in_thread
    assert failed.sections[0] == "The model is rate-limited right now."
    assert (failed.actions[0].id, failed.actions[0].value) == (
        "draft.retry",
        f"mention:{mention.id}",
    )
    retried = await click(svc, "draft.retry", failed.actions[0].value)
    assert retried.replace and retried.sections[0] == "Hi there! – Team Lumora"
    assert {f.label: f.value for f in retried.facts}["Written by"] == "language model fake-model"
    assert not any("offline" in f for f in retried.footnotes)


async def test_help_knows_the_commands(svc: Any) -> None:
    reply = await ask(svc, "help draft", locale="de")
    assert "Entwirft eine Antwort" in reply.sections[0]
