"""Turning a channel's subscription (standup, weekly report) on and off, with its audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.db import session_scope
from core.models import Subscription
from core.reply import Request
from core.storage import audit, conversations
from handlers.context import Context


async def set_channel_subscription(
    request: Request,
    ctx: Context,
    *,
    kind: str,
    enabled: bool,
    now: dt.datetime,
    settings: dict[str, Any] | None = None,
) -> Subscription:
    """Subscribe (or unsubscribe) the request's channel to `kind`, merging `settings`, and
    audit it as `<kind>.subscribe` (with the stored settings) or `<kind>.unsubscribe`."""
    conv = request.conversation
    async with session_scope(ctx.sessions) as session:
        sub = await conversations.set_subscription(
            session=session,
            platform=conv.platform,
            channel_id=conv.id,
            kind=kind,
            enabled=enabled,
            now=now,
            settings=settings,
        )
        await audit.record(
            session=session,
            actor=request.actor,
            kind=f"{kind}.{'subscribe' if enabled else 'unsubscribe'}",
            subject=f"{kind}:{conv.platform}:{conv.id}",
            after=sub.settings if enabled else None,
        )
    return sub
