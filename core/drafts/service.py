"""The draft flow: create, edit, approve, reject, publish, mark posted, recover.

Handlers, the brief and the recovery job call this; it knows no chat platform. Every step
is one transaction with its audit event (who, when, the text before and after), and every
state change is a conditional UPDATE (core.storage.drafts), so concurrent clicks, retried
events and replicas change a draft once.

Exactly one publication: approval stores the intent to publish (state `approved`, a
publish key derived from the draft, `next_attempt_at`) before any call to the platform;
the caller then claims the draft, calls the publisher with that key as idempotency key and
records the result. A crash anywhere in between leaves an approved draft that `recover`
completes, with the same key, so the platform sees one post.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from config.workspace import Workspace
from core.db import SessionFactory, session_scope
from core.drafts import states
from core.drafts.answer_kind import intent_of, language_of
from core.drafts.approval import may_reject, refusal
from core.drafts.checks import Finding, blocking, check_draft
from core.drafts.errors import ModelError, PublishError
from core.drafts.facts import load_facts
from core.drafts.limits import target_of
from core.drafts.story import story_of
from core.drafts.writer import write_variants
from core.models import Mention
from core.models_drafts import Draft
from core.people import People
from core.ports import LLM, Publisher
from core.reply import SYSTEM, Actor, Conversation
from core.storage import audit
from core.storage import drafts as store
from core.storage.mentions import get_mention

log = logging.getLogger(__name__)
PUBLISH_TIMEOUT = 60.0
CLAIM_TTL = dt.timedelta(minutes=3)
MAX_ATTEMPTS = 8


@dataclass
class Outcome:
    """What a step did. `status` names it; `reason` details a refusal or failure."""

    status: str
    draft: Draft | None = None
    mention: Mention | None = None
    reason: str = ""
    findings: list[Finding] = field(default_factory=list)
    # While more people must approve: how many have approved this version.
    approvals: int = 0


def subject(draft_id: int | None) -> str:
    return f"draft:{draft_id}"


def publish_key(draft: Draft) -> str:
    """The idempotency key of the draft's one publication: its id and creation instant.

    Publishers derive their own keys from it (Mastodon's Idempotency-Key, Bluesky's record
    key), so every retry of this draft is the same post, and no other draft shares it.
    """
    micros = int(draft.created_at.replace(tzinfo=dt.UTC).timestamp() * 1_000_000)
    return f"horchposten-{draft.id}-{micros}"


def backoff(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min … up to an hour between automatic publishing attempts."""
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def variants_of(draft: Draft) -> list[str]:
    try:
        data = json.loads(draft.variants or "[]")
    except ValueError:
        return []
    return [str(v) for v in data] if isinstance(data, list) else []


class DraftService:
    """The draft flow over the database, the model and the publishers."""

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        workspace: Workspace,
        llm: LLM | None = None,
        publishers: Mapping[str, Publisher] | None = None,
        clock: Callable[[], dt.datetime],
        owner: str = "local",
    ) -> None:
        self.sessions = sessions
        self.workspace = workspace
        self.llm = llm
        self.publishers = dict(publishers or {})
        self.clock = clock
        self.owner = owner
        self.people = People(workspace.people)

    # ----- reading -------------------------------------------------------------------

    async def load(self, draft_id: int) -> tuple[Draft | None, Mention | None]:
        async with self.sessions() as session:
            draft = await store.get_draft(session=session, draft_id=draft_id)
            mention = await session.get(Mention, draft.mention_id) if draft else None
        return draft, mention

    def findings(self, draft: Draft, mention: Mention | None) -> list[Finding]:
        """The output checks of the draft's current text."""
        return check_draft(
            draft.text,
            target=draft.target,
            allowed_domains=self.workspace.voice.allowed_link_domains,
            author_handle=mention.author_handle if mention else None,
            facts=load_facts(self.workspace).text,
            mention_text=mention.text if mention else "",
        )

    async def outcome(self, status: str, draft_id: int, reason: str = "") -> Outcome:
        draft, mention = await self.load(draft_id)
        findings = self.findings(draft, mention) if draft else []
        return Outcome(status, draft, mention, reason, findings)

    async def listing(
        self, kind: str, actor: Actor, limit: int = store.LIST_LIMIT
    ) -> tuple[list[tuple[Draft, Mention | None]], int]:
        """`pending`, `mine` or `all` drafts, newest first, with their mentions; and the total."""
        async with self.sessions() as session:
            rows, total = await store.list_drafts(
                session=session,
                states=states.PENDING if kind == "pending" else None,
                requested_by=self.people.accounts_of(actor) if kind == "mine" else None,
                limit=limit,
            )
            out = [(d, await session.get(Mention, d.mention_id)) for d in rows]
        return out, total

    # ----- drafting ------------------------------------------------------------------

    async def create(
        self, *, mention_ref: str, actor: Actor, conversation: Conversation
    ) -> Outcome:
        """Draft a reply to a mention (id or URL); the open draft if it has one already."""
        async with self.sessions() as session:
            mention = await get_mention(session=session, ref=mention_ref)
            if mention is None or mention.id is None:
                return Outcome("not_found", reason=mention_ref)
            existing = await store.open_draft_for(session=session, mention_id=mention.id)
            thread = await store.thread_of(session=session, mention=mention)
            story = await story_of(session=session, mention_id=mention.id)
        if existing is not None:
            return Outcome("exists", existing, mention, findings=self.findings(existing, mention))
        target = target_of(mention.source_type, mention.url)
        language = language_of(mention, self.workspace.default_locale)
        intent = intent_of(mention)
        try:
            written = await write_variants(
                self.llm,
                mention=mention,
                thread=thread,
                workspace=self.workspace,
                facts=load_facts(self.workspace),
                target=target,
                language=language,
                intent=intent,
                story=story,
            )
        except ModelError as exc:
            log.warning("drafting a reply to mention %s failed: %s", mention.id, exc)
            return Outcome("model_error", mention=mention, reason=exc.kind)
        now = self.clock()
        values = {
            "mention_id": mention.id,
            "open_key": mention.id,
            "state": states.PROPOSED,
            "version": 1,
            "target": target,
            "language": language,
            "intent": intent,
            "text": written.variants[0],
            "variants": json.dumps(written.variants, ensure_ascii=False),
            "origin": written.origin,
            "model": written.model,
            "requested_by": actor.id,
            "requested_by_platform": actor.platform,
            "requested_by_name": actor.name or actor.id,
            "chat_platform": conversation.platform,
            "chat_channel": conversation.id,
            "chat_thread": conversation.thread_id,
            "created_at": now,
            "updated_at": now,
        }
        async with session_scope(self.sessions) as session:
            draft_id = await store.insert_draft(session=session, values=values)
            if draft_id is not None:
                await audit.record(
                    session=session,
                    actor=actor,
                    kind="draft.proposed",
                    subject=subject(draft_id),
                    after=written.variants[0],
                )
        if draft_id is None:
            # Another click drafted the same mention meanwhile: show that draft.
            async with self.sessions() as session:
                existing = await store.open_draft_for(session=session, mention_id=mention.id)
            if existing is None or existing.id is None:
                return Outcome("stale", mention=mention)
            return await self.outcome("exists", existing.id)
        return await self.outcome("created", draft_id)

    async def edit(self, *, draft_id: int, version: int | None, text: str, actor: Actor) -> Outcome:
        """Replace the text of an open draft (anyone may edit; the editor is remembered)."""
        text = text.strip()
        draft, _ = await self.load(draft_id)
        if draft is None:
            return Outcome("not_found")
        if not text:
            return await self.outcome("invalid", draft_id, "empty")
        if draft.state not in states.OPEN:
            return await self.outcome("closed", draft_id)
        now = self.clock()
        edited = {
            "text": text,
            "edited_by": actor.id,
            "edited_by_platform": actor.platform,
            "edited_by_name": actor.name or actor.id,
            "edited_at": now,
        }
        moved = await self._move(
            None,
            draft,
            actor,
            from_states=states.OPEN,
            to_state=states.EDITED,
            values=edited,
            now=now,
            event="edited",
            after=text,
            version=version if version is not None else draft.version,
        )
        return await self.outcome("edited" if moved else "stale", draft_id)

    async def pick(
        self, *, draft_id: int, version: int | None, index: int, actor: Actor
    ) -> Outcome:
        """Use another of the offered variants as the draft's text."""
        draft, _ = await self.load(draft_id)
        if draft is None:
            return Outcome("not_found")
        options = variants_of(draft)
        if not 0 <= index < len(options):
            return await self.outcome("invalid", draft_id, "variant")
        return await self.edit(draft_id=draft_id, version=version, text=options[index], actor=actor)

    # ----- deciding ------------------------------------------------------------------

    async def approve(self, *, draft_id: int, version: int | None, actor: Actor) -> Outcome:
        """Approve the draft at `version`; publish it where the platform allows.

        Refused for anyone the workspace does not name as approver, and under four-eyes
        for the requester and the last editor. Exactly one of any number of concurrent
        approvals wins; the others get the draft's current state.
        """
        draft, mention = await self.load(draft_id)
        if draft is None:
            return Outcome("not_found")
        reason = refusal(actor, draft, self.workspace.approvers, self.people)
        if reason:
            return Outcome("refused", draft, mention, reason, self.findings(draft, mention))
        if draft.state not in states.OPEN:
            return await self.outcome("closed", draft_id)
        findings = self.findings(draft, mention)
        if blocking(findings):
            return Outcome("blocked", draft, mention, findings=findings)
        now = self.clock()
        if self.workspace.approvers.required > 1:
            waiting = await self._count_approval(draft, version, actor, now)
            if waiting is not None:
                waiting.mention, waiting.findings = mention, findings
                return waiting
        publisher = self.publishers.get(draft.target)
        async with session_scope(self.sessions) as session:
            won = await self._move(
                session,
                draft,
                actor,
                from_states=states.OPEN,
                to_state=states.APPROVED,
                version=version if version is not None else draft.version,
                values={
                    "approved_by": actor.id,
                    "approved_by_name": actor.name or actor.id,
                    "approved_at": now,
                    "open_key": None,
                    "publish_key": publish_key(draft),
                    # The intent to publish, stored before any call to the platform.
                    "next_attempt_at": now if publisher is not None else None,
                },
                now=now,
                event="approved",
                after=draft.text,
            )
            if won and publisher is None:
                await self._mark_ready(session, draft, actor, now)
        if not won:
            return await self.outcome("stale", draft_id)
        if publisher is not None:
            await self.publish(draft_id, actor=actor)
        return await self.outcome("approved", draft_id)

    async def _count_approval(
        self, draft: Draft, version: int | None, actor: Actor, now: dt.datetime
    ) -> Outcome | None:
        """Record the actor's person as approving this version; an Outcome while more people
        must approve (or when this person approved it already), None once enough have."""
        assert draft.id is not None
        at = version if version is not None else draft.version
        if at != draft.version:
            return await self.outcome("stale", draft.id)
        person = self.people.of(actor)
        async with session_scope(self.sessions) as session:
            added = await store.add_approval(
                session=session,
                draft_id=draft.id,
                version=at,
                person=person,
                actor_id=actor.id,
                actor_platform=actor.platform,
                now=now,
            )
            people = await store.approving_people(session=session, draft_id=draft.id, version=at)
            if added:
                await audit.record(
                    session=session,
                    actor=actor,
                    kind="draft.approval",
                    subject=subject(draft.id),
                    after=f"{len(people)}/{self.workspace.approvers.required}",
                )
        if not added:
            return Outcome("refused", draft, reason="approved_already", approvals=len(people))
        if len(people) < self.workspace.approvers.required:
            return Outcome("approval_noted", draft, approvals=len(people))
        return None

    async def _move(
        self,
        session: AsyncSession | None,
        draft: Draft,
        actor: Actor,
        *,
        from_states: tuple[str, ...],
        to_state: str,
        values: dict[str, Any],
        now: dt.datetime,
        event: str,
        after: str | None = None,
        version: int | None = None,
    ) -> bool:
        """Move the draft from one of `from_states` to `to_state` (a conditional UPDATE, at
        `version`) and audit it as `draft.<event>`; False when another change came first.
        Without a session, in a transaction of its own."""
        assert draft.id is not None
        if session is None:
            async with session_scope(self.sessions) as own:
                return await self._move(
                    own,
                    draft,
                    actor,
                    from_states=from_states,
                    to_state=to_state,
                    values=values,
                    now=now,
                    event=event,
                    after=after,
                    version=version,
                )
        moved = await store.transition(
            session=session,
            draft_id=draft.id,
            from_states=from_states,
            to_state=to_state,
            version=version,
            values=values,
            now=now,
        )
        if moved:
            await audit.record(
                session=session,
                actor=actor,
                kind=f"draft.{event}",
                subject=subject(draft.id),
                before=draft.text,
                after=after,
            )
        return moved

    async def _mark_ready(
        self, session: AsyncSession, draft: Draft, actor: Actor, now: dt.datetime
    ) -> None:
        await self._move(
            session,
            draft,
            actor,
            from_states=(states.APPROVED,),
            to_state=states.READY_TO_POST,
            values={"next_attempt_at": None, "publish_claimed_until": None},
            now=now,
            event="ready_to_post",
            after=draft.text,
        )

    async def reject(self, *, draft_id: int, actor: Actor) -> Outcome:
        """Reject an open draft (approvers, or the requester withdrawing it)."""
        draft, mention = await self.load(draft_id)
        if draft is None:
            return Outcome("not_found")
        if not may_reject(actor, draft, self.workspace.approvers, self.people):
            return Outcome("refused", draft, mention, "not_approver")
        if draft.state not in states.OPEN:
            return await self.outcome("closed", draft_id)
        now = self.clock()
        rejected = {
            "rejected_by": actor.id,
            "rejected_by_name": actor.name or actor.id,
            "rejected_at": now,
            "open_key": None,
        }
        moved = await self._move(
            None,
            draft,
            actor,
            from_states=states.OPEN,
            to_state=states.REJECTED,
            values=rejected,
            now=now,
            event="rejected",
        )
        return await self.outcome("rejected" if moved else "closed", draft_id)

    async def mark_posted(self, *, draft_id: int, actor: Actor) -> Outcome:
        """Record that a person posted a ready-to-post reply by hand (who and when)."""
        draft, _ = await self.load(draft_id)
        if draft is None:
            return Outcome("not_found")
        now = self.clock()
        async with session_scope(self.sessions) as session:
            moved = await self._move(
                session,
                draft,
                actor,
                from_states=(states.READY_TO_POST,),
                to_state=states.POSTED,
                values={
                    "posted_by": actor.id,
                    "posted_by_name": actor.name or actor.id,
                    "posted_at": now,
                },
                now=now,
                event="posted",
                after=draft.text,
            )
        return await self.outcome("posted" if moved else "closed", draft_id)

    # ----- publishing ----------------------------------------------------------------

    async def retry_publish(self, *, draft_id: int, actor: Actor) -> Outcome:
        """Publish an approved draft now (the Retry button after a failure); approvers only."""
        draft, mention = await self.load(draft_id)
        if draft is None:
            return Outcome("not_found")
        if refusal(actor, draft, self.workspace.approvers, self.people) == "not_approver":
            return Outcome("refused", draft, mention, "not_approver")
        if draft.state != states.APPROVED:
            return await self.outcome("closed", draft_id)
        return await self.publish(draft_id, actor=actor)

    async def publish(self, draft_id: int, *, actor: Actor) -> Outcome:
        """Publish an approved draft once: claim it, call the platform, record the result."""
        now = self.clock()
        async with session_scope(self.sessions) as session:
            claimed = await store.claim_publish(
                session=session, draft_id=draft_id, owner=self.owner, now=now, ttl=CLAIM_TTL
            )
        if not claimed:
            return await self.outcome("busy", draft_id)
        draft, mention = await self.load(draft_id)
        assert draft is not None
        publisher = self.publishers.get(draft.target)
        if publisher is None or mention is None:
            # The credentials were removed since the approval: a person posts it instead.
            async with session_scope(self.sessions) as session:
                await self._mark_ready(session, draft, actor, self.clock())
            return await self.outcome("approved", draft_id)
        try:
            published = await asyncio.wait_for(
                publisher.publish(
                    text=draft.text,
                    reply_to_external_id=mention.external_id,
                    reply_to_url=mention.url,
                    idempotency_key=draft.publish_key or publish_key(draft),
                ),
                timeout=PUBLISH_TIMEOUT,
            )
        except Exception as exc:
            return await self._publish_failed(draft, actor, exc)
        now = self.clock()
        async with session_scope(self.sessions) as session:
            await self._move(
                session,
                draft,
                actor,
                from_states=(states.APPROVED,),
                to_state=states.PUBLISHED,
                values={
                    "published_url": published.url,
                    "published_id": published.external_id,
                    "published_at": now,
                    "publish_claimed_until": None,
                    "next_attempt_at": None,
                    "last_error": None,
                },
                now=now,
                event="published",
                after=published.url or published.external_id,
            )
        log.info("draft %s published on %s: %s", draft_id, draft.target, published.url)
        return await self.outcome("published", draft_id)

    async def _publish_failed(self, draft: Draft, actor: Actor, exc: Exception) -> Outcome:
        assert draft.id is not None
        permanent = isinstance(exc, PublishError) and exc.permanent
        message = str(exc) or type(exc).__name__
        if isinstance(exc, TimeoutError):
            message = "timeout"
        log.warning(
            "publishing draft %s failed (attempt %s): %s", draft.id, draft.publish_attempts, message
        )
        now = self.clock()
        retry = not permanent and draft.publish_attempts < MAX_ATTEMPTS
        async with session_scope(self.sessions) as session:
            await store.release_publish(
                session=session,
                draft_id=draft.id,
                owner=self.owner,
                error=message,
                next_attempt_at=now + backoff(draft.publish_attempts) if retry else None,
                now=now,
            )
            await audit.record(
                session=session,
                actor=actor,
                kind="draft.publish_failed",
                subject=subject(draft.id),
                before=draft.text,
                after=message[:1000],
            )
        return await self.outcome("publish_failed", draft.id, message)

    async def recover(self, *, limit: int = 20) -> list[Outcome]:
        """Complete approved drafts that are due (after a restart, a crash, a failure)."""
        async with self.sessions() as session:
            due = await store.due_for_publishing(session=session, now=self.clock(), limit=limit)
        out = []
        for draft in due:
            assert draft.id is not None
            try:
                out.append(await self.publish(draft.id, actor=SYSTEM))
            except Exception:
                log.exception("recovering draft %s failed", draft.id)
        return out
