"""Asking before what cannot be undone: a neutral Reply that says what will happen, with a
button that does it and one that leaves everything as it is.

Every platform renders it natively (Slack buttons, a Teams card, numbered console buttons),
so Slack, Teams and the console ask alike. The handler that asks names the action id and
value of the confirming button; that button's handler does the change without asking again.
"""

from __future__ import annotations

from core.reply import Action, Reply, Request
from handlers.context import Context
from handlers.registry import action

CANCEL = "confirm.cancel"


def ask(
    ctx: Context,
    *,
    title: str,
    what: list[str],
    action_id: str,
    value: str,
    button: str,
) -> Reply:
    """A question before an irreversible change: `what` says what will happen."""
    return Reply(
        title=title,
        sections=[*what, ctx.t("confirm.sure")],
        actions=[
            Action(action_id, button, value, style="danger"),
            Action(CANCEL, ctx.t("confirm.keep"), ""),
        ],
        ephemeral=True,
    )


@action(CANCEL)
async def cancelled(request: Request, ctx: Context) -> Reply:
    """The Cancel button of a confirmation: nothing changes."""
    return Reply(sections=[ctx.t("confirm.cancelled")], ephemeral=True, replace=True)
