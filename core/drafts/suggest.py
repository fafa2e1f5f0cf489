"""What briefs (and alerts) use: which mentions deserve a suggested reply, and the button.

A brief lists open questions and complaints; for those it may show a "Draft reply" button
(`draft_action`) or write the drafts right away (`suggest_drafts`), which appear as cards in
the brief's thread like any other draft.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.drafts.answer_kind import wants_reply
from core.drafts.service import DraftService, Outcome
from core.i18n import Translator
from core.models import Mention
from core.reply import SYSTEM, Action, Actor, Conversation
from core.storage import drafts as store

DRAFT_ACTION = "draft.create"


def draft_action(t: Translator, mention_id: int) -> Action:
    """The "Draft reply" button for a mention item (answered by handlers.drafts)."""
    return Action(DRAFT_ACTION, t("drafts.button.draft"), str(mention_id))


async def open_questions(service: DraftService, mentions: Sequence[Mention]) -> list[Mention]:
    """The questions and complaints among `mentions` that nobody has drafted a reply to."""
    candidates = [m for m in mentions if m.id is not None and wants_reply(m)]
    async with service.sessions() as session:
        drafted = await store.drafted_mentions(
            session=session, mention_ids=[m.id for m in candidates if m.id is not None]
        )
    return [m for m in candidates if m.id not in drafted]


async def suggest_drafts(
    service: DraftService,
    mentions: Sequence[Mention],
    *,
    conversation: Conversation,
    actor: Actor = SYSTEM,
    limit: int = 3,
) -> list[Outcome]:
    """Write drafts for up to `limit` open questions and complaints (for a brief's thread).

    A draft requested by the system actor can be approved by any approver, four-eyes too.
    A model failure yields an Outcome with status `model_error` for that mention only.
    """
    out = []
    for mention in (await open_questions(service, mentions))[:limit]:
        out.append(
            await service.create(
                mention_ref=str(mention.id), actor=actor, conversation=conversation
            )
        )
    return out
