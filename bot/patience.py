"""Answers that outlast an outage of the chat platform (used by bot/responder.py, which
every front end goes through).

Slack's and Teams' clients retry a 429 or a 5xx a few times within seconds. When the
platform keeps refusing longer than that (Slack rate-limiting every call for a minute, the
Bot Connector answering 502), an adapter hands the delivery to `keep_trying`: it tries
again with growing pauses for `Patience.answer` seconds. If the answer still cannot go
out, the asker gets a notice that it failed, with a Try again button (`failure_notice`),
tried for `Patience.notice` seconds more. Only when even that cannot be delivered is the
command given up, and then it is logged and counted
(horch_posts_total{kind="answer", outcome="lost"}), never dropped silently.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_before_delay,
    wait_exponential,
)

from core.i18n import Translator
from core.metrics import POSTS
from core.reply import Action, Reply, Request

log = logging.getLogger(__name__)
T = TypeVar("T")
RETRY_ACTION = "retry.command"


def count_answer(platform: str, outcome: str) -> None:
    """An answer to a request was posted (`ok`), replaced by the try-again notice (`notice`),
    lost, or failed for a reason no retry cures (`error`)."""
    POSTS.labels(platform, "answer", outcome).inc()


@dataclass
class Patience:
    """How long to keep trying (seconds); tests shorten it."""

    answer: float = 120.0
    notice: float = 600.0
    first_pause: float = 1.0
    max_pause: float = 15.0


async def keep_trying(
    send: Callable[[], Awaitable[T]],
    *,
    passing: Callable[[BaseException], bool],
    within: float,
    what: str,
    patience: Patience,
) -> T:
    """`send()` until it succeeds, while its errors are `passing` and time is `within`:
    pauses from `first_pause` doubling up to `max_pause`, no pause that would end after
    `within` (then the last error is raised)."""

    def warn(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.warning(
            "%s failed (attempt %d: %s); trying again in %.0f s",
            what,
            state.attempt_number,
            _short(error) if error else "?",
            state.upcoming_sleep,
        )

    retrying = AsyncRetrying(
        retry=retry_if_exception(passing),
        wait=wait_exponential(multiplier=patience.first_pause, max=patience.max_pause),
        stop=stop_before_delay(within),
        before_sleep=warn,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            return await send()
    raise AssertionError("unreachable: tenacity returns or re-raises the last error")


async def deliver_or_notify(
    answer: Callable[[], Awaitable[object]],
    notice: Callable[[], Awaitable[object]],
    *,
    platform: str,
    passing: Callable[[BaseException], bool],
    patience: Patience,
    what: str,
) -> None:
    """Deliver the answer while the platform's refusals are `passing`; if it cannot go out
    within `patience.answer`, deliver the failure notice instead (built by the caller, with
    its Try again button) for `patience.notice`; if even that fails, count the loss.

    An error that is not `passing` (a bug, a refusal that a retry cannot cure) is raised."""
    try:
        await keep_trying(
            answer, passing=passing, within=patience.answer, what=what, patience=patience
        )
    except Exception as exc:
        if not passing(exc):
            count_answer(platform, "error")
            raise
        log.warning("%s: the platform kept refusing; telling the asker to try again", what)
    else:
        count_answer(platform, "ok")
        return
    try:
        await keep_trying(
            notice,
            passing=passing,
            within=patience.notice,
            what=f"{what} (the failure notice)",
            patience=patience,
        )
    except Exception as exc:
        count_lost(platform, what, exc)
    else:
        count_answer(platform, "notice")


def failure_notice(t: Translator, request: Request | None) -> Reply:
    """ "Your answer could not be delivered", with a button that runs the request again."""
    actions = []
    if request is not None and request.action_id:
        # A click: the same button again.
        actions.append(Action(request.action_id, t("retry.button"), request.action_value or ""))
    elif request is not None:
        line = request.text.strip() or " ".join([request.command, *request.args]).strip()
        actions.append(Action(RETRY_ACTION, t("retry.button"), line[:1900], "primary"))
    what = _what(request)
    return Reply(
        title=t("retry.title"),
        sections=[t("retry.failed", command=what) if what else t("retry.failed_plain")],
        actions=actions,
        error=True,
    )


def count_lost(platform: str, what: str, exc: BaseException) -> None:
    """The last resort: nothing could be delivered, not even the notice."""
    count_answer(platform, "lost")
    log.error("%s: gave up, nothing could be delivered (%s)", what, _short(exc))


def _what(request: Request | None) -> str:
    if request is None or request.action_id:
        return ""
    return (request.text.strip() or request.command)[:200]


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:200]}"
