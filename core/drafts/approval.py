"""Who may approve, reject or post a draft.

Approvers come from the workspace file: Slack user ids or user groups, Teams AAD object ids,
console users. With `four_eyes`, nobody approves a draft they requested or last edited.
"""

from __future__ import annotations

from config.workspace import Approvers
from core.models_drafts import Draft
from core.reply import Actor


def is_approver(actor: Actor, approvers: Approvers) -> bool:
    """Whether the workspace names this actor (or one of their Slack groups) as approver."""
    if actor.platform == "slack":
        return actor.id in approvers.slack_users or bool(
            set(actor.groups) & set(approvers.slack_usergroups)
        )
    if actor.platform == "teams":
        return actor.id in approvers.teams_aad
    if actor.platform == "console":
        return actor.id in approvers.console
    return False


def own_request(actor: Actor, draft: Draft) -> bool:
    """Whether the actor requested the draft or wrote its current text."""
    requested = (draft.requested_by_platform, draft.requested_by) == (actor.platform, actor.id)
    edited = (draft.edited_by_platform, draft.edited_by) == (actor.platform, actor.id)
    return requested or edited


def refusal(actor: Actor, draft: Draft, approvers: Approvers) -> str | None:
    """Why this actor may not approve this draft (a reason code), or None if they may."""
    if not is_approver(actor, approvers):
        return "not_approver"
    if approvers.four_eyes and own_request(actor, draft):
        return "four_eyes"
    return None


def may_reject(actor: Actor, draft: Draft, approvers: Approvers) -> bool:
    """Approvers may reject any draft; the requester may withdraw their own."""
    requested = (draft.requested_by_platform, draft.requested_by) == (actor.platform, actor.id)
    return requested or is_approver(actor, approvers)
