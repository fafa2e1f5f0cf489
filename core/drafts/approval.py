"""Who may approve, reject or post a draft: people, whichever platform they use.

Approvers come from the workspace file: accounts (Slack user ids or user groups, Teams AAD
object ids, console users) and people (`approvers.people`, with every account the `people:`
section links to them). A person named as approver with one account approves from any
of their accounts. With `four_eyes`, nobody approves a draft they requested or last
edited, from whichever account they did it; `approvers.required` people must approve.
"""

from __future__ import annotations

from config.workspace import Approvers
from core.models_drafts import Draft
from core.people import People, identities
from core.reply import Actor


def is_approver(actor: Actor, approvers: Approvers, people: People) -> bool:
    """Whether the workspace names this actor's person (by name, by any of their accounts,
    or through a group the actor's platform says they are in) as approver."""
    person = people.of(actor)
    if person in approvers.people:
        return True
    mine = identities(actor) | people.accounts(person)
    return bool(mine & approvers.identities())


def own_request(actor: Actor, draft: Draft, people: People) -> bool:
    """Whether the actor's person requested the draft or wrote its current text."""
    return people.same(actor, draft.requested_by_platform, draft.requested_by) or people.same(
        actor, draft.edited_by_platform, draft.edited_by
    )


def refusal(actor: Actor, draft: Draft, approvers: Approvers, people: People) -> str | None:
    """Why this actor may not approve this draft (a reason code), or None if they may."""
    if not is_approver(actor, approvers, people):
        return "not_approver"
    if approvers.four_eyes and own_request(actor, draft, people):
        return "four_eyes"
    return None


def may_reject(actor: Actor, draft: Draft, approvers: Approvers, people: People) -> bool:
    """Approvers may reject any draft; the requester may withdraw their own."""
    requested = people.same(actor, draft.requested_by_platform, draft.requested_by)
    return requested or is_approver(actor, approvers, people)
