"""Posting without a request (standups, alerts, drafts' follow-ups), counted in one place.

Every caller of a `Notifier` goes through `notify`, so horch_posts_total counts each post
by platform, kind and outcome, whichever platform's Notifier took it.
"""

from __future__ import annotations

from core.metrics import POSTS
from core.ports import Notifier
from core.reply import Reply


async def notify(
    notifier: Notifier,
    *,
    kind: str,
    channel_id: str,
    reply: Reply,
    thread_id: str | None = None,
    locale: str | None = None,
) -> str | None:
    """`notifier.post(...)`, counted as `kind` (standup, alert, draft) with its outcome;
    a failure is counted and raised (the caller decides about retries)."""
    try:
        ref = await notifier.post(
            channel_id=channel_id, reply=reply, thread_id=thread_id, locale=locale
        )
    except Exception:
        POSTS.labels(notifier.platform, kind, "error").inc()
        raise
    POSTS.labels(notifier.platform, kind, "ok").inc()
    return ref
