"""The Try again button of an answer that could not be delivered (bot/patience.py)."""

from __future__ import annotations

from core.reply import Request
from handlers.args import UsageError, split_text
from handlers.context import Context
from handlers.dispatch import dispatch
from handlers.registry import action
from handlers.reply import Reply


@action("retry.command")
async def retry_command(request: Request, ctx: Context) -> Reply:
    """Run the command in the button's value again, as the person who clicked."""
    line = (request.action_value or "").strip()
    if not line:
        raise UsageError("errors.bad_action_value")
    words = split_text(line)
    again = Request(
        command=words[0],
        args=words[1:],
        actor=request.actor,
        conversation=request.conversation,
        locale=request.locale,
        text=line,
    )
    return await dispatch(ctx.services.registry, ctx.services, again)
