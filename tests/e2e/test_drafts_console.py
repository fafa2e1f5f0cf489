"""Mention → draft → edit → approve → publish, through the real dispatch (what the console,
Slack and Teams adapters all call), with the openai client talking HTTP to a local fake
OpenAI-compatible server and Mastodon and Bluesky faked by local servers."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.drafts_recovery import recover
from core.storage import audit
from tests.core.drafts import conftest as drafts_db
from tests.e2e.drafts_env import ANNA, BEN, HOSTILE, MALLORY, drafts_world, quoted_data

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
# A migrated database per test, copied from one template (migrating each time is slow).
sqlite_template = drafts_db.sqlite_template
db_url = drafts_db.db_url


def facts(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.label: f.value for f in reply.facts}


def value(reply, action_id: str) -> str:  # type: ignore[no-untyped-def]
    return next(a.value for a in reply.actions if a.id == action_id)


async def test_mastodon_whole_path(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        mention = w.mentions["mastodon"]
        listing = await w.ask("mentions entkalken")
        button = next(a for i in listing.items for a in i.actions if a.id == "draft.create")
        assert button.value == str(mention.id)

        card = await w.click("draft.create", button.value, actor=MALLORY)
        assert card.in_thread and card.title == "Reply draft #1 for Mastodon"
        assert card.sections[0].startswith("Danke für deine Frage! Das Entkalken")
        assert facts(card)["Written by"] == "language model gpt-4o-mini"
        assert not any("offline" in f for f in card.footnotes)
        # The model got the voice as instructions and the mention as quoted data.
        (body,) = w.openai.bodies
        system = body["messages"][0]["content"]
        assert "warm, precise, helpful" in system and "– Team Lumora" in system
        assert "German" in system and "Muss ich" not in system
        data = quoted_data(body)
        assert data["post_to_answer"]["text"] == "Muss ich meine Lumora Brew entkalken? Wie oft?"
        assert "chapter 5" in data["brand_facts"]

        form = await w.click("draft.edit", value(card, "draft.edit"), actor=BEN)
        edited_text = "Ja: Das Entkalken steht im Handbuch, Kapitel 5. – Team Lumora"
        saved = await w.click(
            "draft.save", form.actions[0].value, actor=BEN, form={"text": edited_text}
        )
        assert saved.replace and saved.sections[0] == edited_text
        assert w.mastodon.created == []  # nothing goes out before approval

        approved = await w.click("draft.approve", value(saved, "draft.approve"), actor=ANNA)
        assert approved.replace
        (status,) = w.mastodon.created
        assert status["in_reply_to_id"] == "9001"  # the fixture's post, resolved on our instance
        assert w.mastodon.requests[-1][2]["status"] == edited_text
        assert facts(approved)["Published"] == status["url"]
        assert facts(approved)["State"].startswith("approved by Anna, published at")

        async with w.services.sessions() as session:
            trail = await audit.events_for(session=session, subject="draft:1")
        assert [(e.kind, e.actor_id) for e in trail] == [
            ("draft.proposed", "U_MALLORY"),
            ("draft.edited", "U_BEN"),
            ("draft.approved", "U_ANNA"),
            ("draft.published", "U_ANNA"),
        ]
        assert trail[1].before == card.sections[0] and trail[1].after == edited_text
        assert trail[3].after == status["url"]


async def test_bluesky_whole_path(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        card = await w.ask(f"draft {w.mentions['bluesky'].url}", actor=MALLORY)
        # The model answered with a numbered list; both variants were read.
        assert card.sections[0].startswith("Thanks for asking! Descaling")
        assert [a.id for a in card.actions][-1] == "draft.pick"
        picked = await w.click("draft.pick", value(card, "draft.pick"), actor=MALLORY)
        assert "https://lumora.example/help" in picked.sections[0]
        assert not any(s.startswith("⚠") for s in picked.sections)  # an allowed link
        approved = await w.click("draft.approve", value(picked, "draft.approve"), actor=BEN)
        (record,) = w.bluesky.created
        post = w.bluesky.thread["thread"]["post"]
        ref = {"uri": post["uri"], "cid": post["cid"]}
        assert record["reply"] == {"root": ref, "parent": ref}
        assert record["text"] == picked.sections[0]
        assert facts(approved)["Published"].startswith(
            "https://bsky.app/profile/lumora.bsky.social/post/"
        )


async def test_hostile_mention_is_quoted_data_and_its_output_is_flagged(
    db_url: str,
    tmp_path: Path,
) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        card = await w.click("draft.create", str(w.mentions["hostile"].id), actor=MALLORY)
        (body,) = w.openai.bodies
        system, user = (m["content"] for m in body["messages"])
        assert HOSTILE not in system and "evil.example" not in system
        assert "never an instruction" in system
        assert quoted_data(body)["post_to_answer"]["text"] == HOSTILE
        assert user.index("<<<DATA") < user.index("Ignore previous") < user.index(">>>")
        # The fooled model's draft carries a ping and a foreign link: both are flagged.
        warnings = [s for s in card.sections if s.startswith("⚠")]
        assert "⚠ Contains the mass ping @channel." in warnings
        assert "⚠ Link to a domain that is not allowed: http://evil.example/win" in warnings
        assert w.mastodon.created == []
        # Nothing is published unless a person approves; a refused click changes nothing.
        refused = await w.click("draft.approve", value(card, "draft.approve"), actor=MALLORY)
        assert refused.ephemeral and w.mastodon.created == []


async def test_refused_approver(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        card = await w.click("draft.create", str(w.mentions["mastodon"].id), actor=ANNA)
        reply = await w.click(
            "draft.approve", value(card, "draft.approve"), actor=MALLORY, locale="de"
        )
        assert reply.ephemeral and not reply.replace
        assert reply.sections == [
            "Das dürfen leider nur die Freigebenden aus der Workspace-Datei. "
            "Bitte frag eine von ihnen."
        ]
        assert w.mastodon.created == []
        shown = await w.click("draft.show", "1")
        assert facts(shown)["State"].startswith("proposed by Anna")


async def test_four_eyes(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path, four_eyes=True) as w:
        card = await w.click("draft.create", str(w.mentions["mastodon"].id), actor=ANNA)
        own = await w.click("draft.approve", value(card, "draft.approve"), actor=ANNA)
        assert own.ephemeral and "Four-eyes" in own.sections[0]
        assert w.mastodon.created == []
        other = await w.click("draft.approve", value(card, "draft.approve"), actor=BEN)
        assert facts(other)["State"].startswith("approved by Ben")
        assert len(w.mastodon.created) == 1


async def test_double_approval_publishes_once(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        card = await w.click("draft.create", str(w.mentions["mastodon"].id), actor=MALLORY)
        ref = value(card, "draft.approve")
        # Two approvers click at the same moment, and Slack retries one of the events.
        replies = await asyncio.gather(
            w.click("draft.approve", ref, actor=ANNA),
            w.click("draft.approve", ref, actor=BEN),
            w.click("draft.approve", ref, actor=ANNA),
        )
        assert len(w.mastodon.created) == 1
        posts = [r for r in w.mastodon.requests if r[0] == "POST"]
        assert len(posts) == 1
        assert all(r.replace and not r.ephemeral for r in replies)
        states = [facts(r)["State"] for r in replies]
        assert sum("published" in s for s in states) >= 1
        async with w.services.sessions() as session:
            trail = await audit.events_for(session=session, subject="draft:1")
        assert [e.kind for e in trail].count("draft.approved") == 1


async def test_model_failure_then_retry(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        w.openai.fail = [500, 500, 500]  # the request and both client retries
        failed = await w.click("draft.create", str(w.mentions["mastodon"].id), actor=ANNA)
        assert failed.error and failed.in_thread
        assert failed.sections[0] == "The model server reported an error."
        retry = next(a for a in failed.actions if a.id == "draft.retry")
        card = await w.click("draft.retry", retry.value, actor=ANNA)
        assert card.replace and card.title == "Reply draft #1 for Mastodon"


async def test_restart_between_approval_and_publishing(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        w.mastodon.fail_posts = [503]
        card = await w.click("draft.create", str(w.mentions["mastodon"].id), actor=MALLORY)
        approved = await w.click("draft.approve", value(card, "draft.approve"), actor=ANNA)
        assert facts(approved)["State"].startswith("approved by Anna")
        assert "publishing failed" in facts(approved)["State"]
        assert [a.id for a in approved.actions] == ["draft.retry"]
        assert w.mastodon.created == []
    # A new process on the same database (the servers are fresh, the draft is approved).
    async with drafts_world(db_url, tmp_path) as w2:
        w2.services.clock = lambda: (
            dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=5)
        )
        (outcome,) = await recover(w2.services)
        assert outcome.status == "published" and len(w2.mastodon.created) == 1
        assert await recover(w2.services) == []
        assert len(w2.mastodon.created) == 1


async def test_ready_to_post_where_replying_is_not_possible(db_url: str, tmp_path: Path) -> None:
    async with drafts_world(db_url, tmp_path) as w:
        card = await w.click("draft.create", str(w.mentions["hn"].id), actor=MALLORY)
        assert card.title == "Reply draft #1 for Hacker News"
        ready = await w.click("draft.approve", value(card, "draft.approve"), actor=ANNA)
        assert "ready to post by hand" in facts(ready)["State"]
        assert facts(ready)["Original"] == "https://news.ycombinator.com/item?id=38000001"
        posted = await w.click("draft.posted", value(ready, "draft.posted"), actor=MALLORY)
        assert facts(posted)["State"].startswith("posted by Mallory")
        assert w.mastodon.created == [] and w.bluesky.created == []
