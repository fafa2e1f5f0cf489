"""The draft flow on a real database: every step audited, approval and publishing once."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from config.workspace import Workspace
from core.clock import utcnow
from core.db import SessionFactory
from core.drafts.errors import ModelError, PublishError
from core.drafts.service import CLAIM_TTL, DraftService
from core.reply import Actor
from core.storage import audit
from tests.core.drafts.conftest import (
    ANNA,
    BEN,
    MALLORY,
    T0,
    TEAMS_CARLA,
    THREAD,
    FakePublisher,
    add_mention,
)

pytestmark = pytest.mark.storage


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


async def events(
    sessions: SessionFactory, draft_id: int
) -> list[tuple[str, str, str | None, str | None]]:
    async with sessions() as session:
        rows = await audit.events_for(session=session, subject=f"draft:{draft_id}")
    return [(e.kind, e.actor_id, e.before, e.after) for e in rows]


async def proposed(service: DraftService, sessions: SessionFactory, actor=MALLORY, **kw):  # type: ignore[no-untyped-def]
    mention = await add_mention(sessions, **kw)
    outcome = await service.create(mention_ref=str(mention.id), actor=actor, conversation=THREAD)
    assert outcome.status == "created", outcome
    assert outcome.draft is not None
    return outcome.draft


async def test_create_writes_offline_variants_once(
    service: DraftService, sessions: SessionFactory
) -> None:
    draft = await proposed(service, sessions)
    assert draft.state == "proposed" and draft.origin == "offline" and draft.language == "de"
    assert draft.target == "mastodon" and draft.intent == "question"
    assert len(json.loads(draft.variants)) == 2 and draft.text.endswith("– Team Lumora")
    assert (draft.chat_platform, draft.chat_channel, draft.chat_thread) == (
        "slack",
        "C_SOCIAL",
        "1700000000.000100",
    )
    again = await service.create(mention_ref=str(draft.mention_id), actor=ANNA, conversation=THREAD)
    assert again.status == "exists" and again.draft is not None and again.draft.id == draft.id
    assert await events(sessions, draft.id) == [("draft.proposed", "U_MALLORY", None, draft.text)]


async def test_create_by_url_and_unknown_mention(
    service: DraftService, sessions: SessionFactory
) -> None:
    mention = await add_mention(sessions, n=7)
    by_url = await service.create(mention_ref=f"<{mention.url}>", actor=ANNA, conversation=THREAD)
    assert by_url.status == "created"
    assert (
        await service.create(mention_ref="99999", actor=ANNA, conversation=THREAD)
    ).status == "not_found"


async def test_model_failure_stores_nothing(sessions: SessionFactory, workspace: Workspace) -> None:
    class Broken:
        model = "m"

        async def complete(self, **_: object) -> list[str]:
            raise ModelError("timeout")

    service = DraftService(sessions=sessions, workspace=workspace, llm=Broken(), clock=utcnow)
    mention = await add_mention(sessions)
    outcome = await service.create(mention_ref=str(mention.id), actor=ANNA, conversation=THREAD)
    assert outcome.status == "model_error" and outcome.reason == "timeout" and outcome.draft is None
    _, total = await service.listing("all", ANNA)
    assert total == 0


async def test_edit_records_before_and_after_and_refuses_stale_versions(
    service: DraftService, sessions: SessionFactory
) -> None:
    draft = await proposed(service, sessions)
    edited = await service.edit(draft_id=draft.id, version=1, text=" Neuer Text ", actor=BEN)
    assert edited.status == "edited" and edited.draft.text == "Neuer Text"  # type: ignore[union-attr]
    assert edited.draft.version == 2 and edited.draft.edited_by == "U_BEN"  # type: ignore[union-attr]
    stale = await service.edit(draft_id=draft.id, version=1, text="Alt", actor=ANNA)
    assert stale.status == "stale" and stale.draft.text == "Neuer Text"  # type: ignore[union-attr]
    empty = await service.edit(draft_id=draft.id, version=2, text="  ", actor=ANNA)
    assert empty.status == "invalid"
    assert (await events(sessions, draft.id))[-1] == (
        "draft.edited",
        "U_BEN",
        draft.text,
        "Neuer Text",
    )


async def test_pick_another_variant(service: DraftService, sessions: SessionFactory) -> None:
    draft = await proposed(service, sessions)
    second = json.loads(draft.variants)[1]
    picked = await service.pick(draft_id=draft.id, version=1, index=1, actor=BEN)
    assert picked.status == "edited" and picked.draft.text == second  # type: ignore[union-attr]
    assert (
        await service.pick(draft_id=draft.id, version=2, index=5, actor=BEN)
    ).status == "invalid"


async def test_only_approvers_approve(
    service: DraftService, sessions: SessionFactory, publisher: FakePublisher
) -> None:
    draft = await proposed(service, sessions)
    refused = await service.approve(draft_id=draft.id, version=1, actor=MALLORY)
    assert refused.status == "refused" and refused.reason == "not_approver"
    assert refused.draft.state == "proposed" and publisher.calls == 0  # type: ignore[union-attr]
    # A Slack user group and a Teams AAD id count as approvers too.
    other = await proposed(service, sessions, n=2)
    assert (await service.approve(draft_id=other.id, version=1, actor=BEN)).status == "approved"
    third = await proposed(service, sessions, n=3)
    assert (
        await service.approve(draft_id=third.id, version=1, actor=TEAMS_CARLA)
    ).status == "approved"


async def test_four_eyes(
    service: DraftService, sessions: SessionFactory, workspace: Workspace
) -> None:
    workspace.approvers.four_eyes = True
    draft = await proposed(service, sessions, actor=ANNA)
    own = await service.approve(draft_id=draft.id, version=1, actor=ANNA)
    assert own.status == "refused" and own.reason == "four_eyes"
    await service.edit(draft_id=draft.id, version=1, text="Von Ben umformuliert", actor=BEN)
    by_editor = await service.approve(draft_id=draft.id, version=2, actor=BEN)
    assert by_editor.reason == "four_eyes"
    ok = await service.approve(draft_id=draft.id, version=2, actor=TEAMS_CARLA)
    assert ok.status == "approved" and ok.draft.state == "published"  # type: ignore[union-attr]


async def test_approval_publishes_once_and_is_audited(
    service: DraftService, sessions: SessionFactory, publisher: FakePublisher
) -> None:
    draft = await proposed(service, sessions)
    outcome = await service.approve(draft_id=draft.id, version=1, actor=ANNA)
    final = outcome.draft
    assert final is not None and final.state == "published"
    assert (
        final.approved_by == "U_ANNA"
        and final.published_url == "https://mastodon.example/@lumora/1"
    )
    assert (
        final.publish_key
        == f"horchposten-{draft.id}-{int(draft.created_at.replace(tzinfo=dt.UTC).timestamp() * 1e6)}"
    )
    kinds = [e[0] for e in await events(sessions, draft.id)]
    assert kinds == ["draft.proposed", "draft.approved", "draft.published"]
    again = await service.approve(draft_id=draft.id, version=1, actor=BEN)
    assert again.status == "closed" and publisher.calls == 1


async def test_concurrent_approvals_publish_exactly_once(
    service: DraftService, sessions: SessionFactory, publisher: FakePublisher
) -> None:
    draft = await proposed(service, sessions)
    publisher.delay = 0.05  # keep the first publication in flight while the others arrive
    outcomes = await asyncio.gather(
        *(
            service.approve(draft_id=draft.id, version=1, actor=a)
            for a in (ANNA, BEN, TEAMS_CARLA) * 4
        )
    )
    assert sorted(o.status for o in outcomes).count("approved") == 1
    assert {o.status for o in outcomes} <= {"approved", "stale", "closed"}
    assert publisher.calls == 1 and len(publisher.posts) == 1
    kinds = [e[0] for e in await events(sessions, draft.id)]
    assert kinds.count("draft.approved") == 1 and kinds.count("draft.published") == 1


async def test_blocked_when_too_long(service: DraftService, sessions: SessionFactory) -> None:
    draft = await proposed(service, sessions)
    await service.edit(draft_id=draft.id, version=1, text="x" * 501, actor=BEN)
    blocked = await service.approve(draft_id=draft.id, version=2, actor=ANNA)
    assert blocked.status == "blocked" and [f.code for f in blocked.findings] == ["too_long"]
    assert blocked.draft.state == "edited"  # type: ignore[union-attr]


async def test_restart_between_approval_and_publishing(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    """The process dies while the platform call is in flight; after the restart, the
    recovery finds the approved draft and completes it with the same key: one post."""
    clock = Clock()
    platform = FakePublisher()

    class DiesAfterPosting(FakePublisher):
        async def publish(self, **kw):  # type: ignore[no-untyped-def,override]
            await platform.publish(**kw)  # the platform got it…
            await asyncio.sleep(3600)  # …and the answer never arrived: the process died

    first = DraftService(
        sessions=sessions,
        workspace=workspace,
        publishers={"mastodon": DiesAfterPosting()},
        clock=clock,
        owner="a",
    )
    draft = await proposed(first, sessions)
    task = asyncio.create_task(first.approve(draft_id=draft.id, version=1, actor=ANNA))
    while not platform.calls:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    after = DraftService(
        sessions=sessions,
        workspace=workspace,
        publishers={"mastodon": platform},
        clock=clock,
        owner="b",
    )
    assert await after.recover() == []  # the dead process still holds the claim
    clock.now += CLAIM_TTL + dt.timedelta(seconds=1)
    (outcome,) = await after.recover()
    assert outcome.status == "published" and outcome.draft.published_url  # type: ignore[union-attr]
    assert platform.calls == 2 and len(platform.posts) == 1  # asked twice, posted once
    assert await after.recover() == []


async def test_crash_right_after_the_approval_commit(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    clock = Clock()
    publisher = FakePublisher()
    service = DraftService(
        sessions=sessions, workspace=workspace, publishers={"mastodon": publisher}, clock=clock
    )

    async def crash(draft_id: int, *, actor: object) -> None:
        raise SystemExit("killed")

    draft = await proposed(service, sessions)
    service.publish = crash  # type: ignore[method-assign,assignment]
    with pytest.raises(SystemExit):
        await service.approve(draft_id=draft.id, version=1, actor=ANNA)
    restarted = DraftService(
        sessions=sessions, workspace=workspace, publishers={"mastodon": publisher}, clock=clock
    )
    (outcome,) = await restarted.recover()
    assert outcome.draft.state == "published" and publisher.calls == 1  # type: ignore[union-attr]


async def test_failed_publishing_is_retried_later_with_backoff(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    clock = Clock()
    publisher = FakePublisher()
    publisher.fail = [PublishError("HTTP 503 from mastodon")]
    service = DraftService(
        sessions=sessions, workspace=workspace, publishers={"mastodon": publisher}, clock=clock
    )
    draft = await proposed(service, sessions)
    outcome = await service.approve(draft_id=draft.id, version=1, actor=ANNA)
    failed = outcome.draft
    assert failed is not None and failed.state == "approved" and "503" in (failed.last_error or "")
    assert failed.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert await service.recover() == []  # not due yet
    clock.now += dt.timedelta(seconds=31)
    (done,) = await service.recover()
    assert done.draft.state == "published" and done.draft.last_error is None  # type: ignore[union-attr]
    kinds = [e[0] for e in await events(sessions, draft.id)]
    assert kinds == ["draft.proposed", "draft.approved", "draft.publish_failed", "draft.published"]


async def test_permanent_failure_waits_for_a_person(
    service: DraftService, sessions: SessionFactory, publisher: FakePublisher
) -> None:
    publisher.fail = [PublishError("the post was deleted", permanent=True)]
    draft = await proposed(service, sessions)
    failed = (await service.approve(draft_id=draft.id, version=1, actor=ANNA)).draft
    assert failed is not None and failed.next_attempt_at is None
    assert await service.recover() == []
    refused = await service.retry_publish(draft_id=draft.id, actor=MALLORY)
    assert refused.status == "refused"
    retried = await service.retry_publish(draft_id=draft.id, actor=BEN)
    assert retried.status == "published" and publisher.calls == 2


async def test_without_publisher_ready_to_post_then_posted(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    service = DraftService(sessions=sessions, workspace=workspace, publishers={}, clock=utcnow)
    draft = await proposed(
        service,
        sessions,
        source="hn",
        source_type="hackernews",
        url="https://news.ycombinator.com/item?id=1",
        external_id="1",
    )
    assert draft.target == "hackernews"
    ready = (await service.approve(draft_id=draft.id, version=1, actor=ANNA)).draft
    assert ready is not None and ready.state == "ready_to_post"
    posted = await service.mark_posted(draft_id=draft.id, actor=MALLORY)
    assert posted.status == "posted" and posted.draft.posted_by == "U_MALLORY"  # type: ignore[union-attr]
    assert (await service.mark_posted(draft_id=draft.id, actor=BEN)).status == "closed"
    kinds = [e[0] for e in await events(sessions, draft.id)]
    assert kinds == ["draft.proposed", "draft.approved", "draft.ready_to_post", "draft.posted"]


async def test_reject_and_draft_again(service: DraftService, sessions: SessionFactory) -> None:
    draft = await proposed(service, sessions, actor=MALLORY)
    other = await proposed(service, sessions, actor=BEN, n=2)
    assert (await service.reject(draft_id=other.id, actor=MALLORY)).status == "refused"
    withdrawn = await service.reject(draft_id=draft.id, actor=MALLORY)  # the requester may
    assert withdrawn.status == "rejected" and withdrawn.draft.rejected_by == "U_MALLORY"  # type: ignore[union-attr]
    assert (await service.approve(draft_id=draft.id, version=2, actor=ANNA)).status == "closed"
    fresh = await service.create(mention_ref=str(draft.mention_id), actor=ANNA, conversation=THREAD)
    assert fresh.status == "created" and fresh.draft.id != draft.id  # type: ignore[union-attr]


async def test_listing(service: DraftService, sessions: SessionFactory) -> None:
    mine = await proposed(service, sessions, actor=MALLORY)
    theirs = await proposed(service, sessions, actor=BEN, n=2)
    done = await proposed(service, sessions, actor=BEN, n=3)
    await service.reject(draft_id=done.id, actor=ANNA)
    pending, total = await service.listing("pending", ANNA)
    assert [d.id for d, _ in pending] == [theirs.id, mine.id] and total == 2
    own, _ = await service.listing("mine", MALLORY)
    assert [d.id for d, _ in own] == [mine.id]
    everything, total = await service.listing("all", ANNA)
    assert total == 3 and everything[0][1] is not None


async def test_mine_and_approvals_count_people_across_platforms(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    # Anna uses Slack and Teams; two different people must approve.
    workspace.people = {"anna": ["slack:U_ANNA", "teams:aad-anna"], "ben": ["slack:U_BEN"]}
    workspace.approvers.people = ["anna", "ben"]
    workspace.approvers.required = 2
    anna_in_teams = Actor("aad-anna", "Anna", "teams")
    publisher = FakePublisher()
    service = DraftService(
        sessions=sessions, workspace=workspace, publishers={"mastodon": publisher}, clock=utcnow
    )
    asked = await proposed(service, sessions, actor=ANNA)
    own, _ = await service.listing("mine", anna_in_teams)
    assert [d.id for d, _ in own] == [asked.id]  # asked for in Slack, listed in Teams

    first = await service.approve(draft_id=asked.id, version=asked.version, actor=MALLORY)
    assert (first.status, first.reason) == ("refused", "not_approver")
    first = await service.approve(draft_id=asked.id, version=asked.version, actor=ANNA)
    assert (first.status, first.approvals) == ("approval_noted", 1)
    again = await service.approve(draft_id=asked.id, version=asked.version, actor=anna_in_teams)
    assert (again.status, again.reason, again.approvals) == ("refused", "approved_already", 1)
    assert publisher.calls == 0
    second = await service.approve(draft_id=asked.id, version=asked.version, actor=BEN)
    assert second.status == "approved" and publisher.calls == 1
    kinds = [kind for kind, *_ in await events(sessions, asked.id)]
    assert kinds.count("draft.approval") == 2 and kinds.count("draft.approved") == 1
