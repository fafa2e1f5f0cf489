"""The Bot Connector REST API (v3), spoken with aiohttp: send, reply, update, create.

The SDK's own client gives up after one try; this one retries what the Bot Connector asks
to be retried — 429 (too many requests), 412 (precondition failed), 502 and 504 — with
exponential backoff and jitter, honouring `Retry-After`. A failed connection is retried as
well, since nothing was sent. Before every attempt the post takes a slot in the
per-conversation limiter, so the bot stays within Teams' limits instead of hitting them.

Errors raise `ConnectorError` with the status; the caller logs and answers the user.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from bot.teams.limiter import ConversationLimiter
from core.metrics import THROTTLED

log = logging.getLogger(__name__)
RETRY_STATUSES = frozenset({412, 429, 502, 504})


class ConnectorError(Exception):
    """The Bot Connector refused a call (after the retries, where they apply)."""

    def __init__(self, status: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(f"Bot Connector answered {status}: {message}")
        self.status = status
        self.retry_after = retry_after


@dataclass
class RetryPolicy:
    """How often and how patiently to retry (tests shorten the waits)."""

    attempts: int = 5
    initial: float = 0.5
    maximum: float = 8.0
    jitter: float = 0.5
    max_retry_after: float = 30.0


def _retryable(exc: BaseException, *, idempotent: bool) -> bool:
    if isinstance(exc, ConnectorError):
        return exc.status in RETRY_STATUSES
    # Nothing reached the connector: trying again cannot post twice.
    if isinstance(exc, aiohttp.ClientConnectorError):
        return True
    # A lost answer may hide a posted message; only an update (PUT) is safe to repeat.
    return idempotent and isinstance(exc, asyncio.TimeoutError | aiohttp.ServerDisconnectedError)


class ConnectorApi:
    """Calls to one or more Bot Connector service URLs, with retries and rate limits."""

    def __init__(
        self,
        *,
        limiter: ConversationLimiter | None = None,
        policy: RetryPolicy | None = None,
        timeout: float = 20.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.limiter = limiter or ConversationLimiter()
        self.policy = policy or RetryPolicy()
        self._sleep = sleep
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def send(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        *,
        reply_to: str | None = None,
        authorization: str | None = None,
    ) -> dict[str, Any]:
        """POST an activity to a conversation (as a reply to `reply_to`, if given)."""
        path = f"v3/conversations/{_q(conversation_id)}/activities"
        if reply_to:
            path += f"/{_q(reply_to)}"
        what = "reply" if reply_to else "send"
        return await self._call(
            what, "POST", service_url, path, activity, conversation_id, authorization
        )

    async def update(
        self,
        service_url: str,
        conversation_id: str,
        activity_id: str,
        activity: dict[str, Any],
        *,
        authorization: str | None = None,
    ) -> dict[str, Any]:
        """PUT a new version of a posted activity (a card that changes in place)."""
        path = f"v3/conversations/{_q(conversation_id)}/activities/{_q(activity_id)}"
        return await self._call(
            "update", "PUT", service_url, path, activity, conversation_id, authorization
        )

    async def create_conversation(
        self,
        service_url: str,
        parameters: dict[str, Any],
        *,
        limit_key: str,
        authorization: str | None = None,
    ) -> dict[str, Any]:
        """POST /v3/conversations: a new thread in a channel (or a new chat)."""
        return await self._call(
            "create", "POST", service_url, "v3/conversations", parameters, limit_key, authorization
        )

    async def members(
        self, service_url: str, conversation_id: str, *, authorization: str | None = None
    ) -> list[dict[str, Any]]:
        """GET /v3/conversations/{id}/members: the people of a channel's team or a chat."""
        path = f"v3/conversations/{_q(conversation_id)}/members"
        data = await self._call(
            "members", "GET", service_url, path, None, conversation_id, authorization
        )
        found = data.get("members") if "members" in data else data.get("_list")
        return [m for m in found or [] if isinstance(m, dict)]

    async def _call(
        self,
        what: str,
        method: str,
        service_url: str,
        path: str,
        body: dict[str, Any] | None,
        limit_key: str,
        authorization: str | None,
    ) -> dict[str, Any]:
        url = service_url.rstrip("/") + "/" + path
        headers = {"Content-Type": "application/json"}
        if authorization:
            headers["Authorization"] = authorization
        policy = self.policy
        retrying = AsyncRetrying(
            stop=stop_after_attempt(policy.attempts),
            wait=self._wait,
            sleep=self._sleep,
            retry=retry_if_exception(
                lambda exc: _retryable(exc, idempotent=method in ("PUT", "GET"))
            ),
            before_sleep=lambda state: log.warning(
                "Bot Connector %s failed (%s); retry %d of %d",
                what,
                _outcome(state),
                state.attempt_number,
                policy.attempts - 1,
            ),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self.limiter.acquire(limit_key.partition(";messageid=")[0])
                return await self._once(method, url, headers, body)
        raise AssertionError("unreachable: tenacity re-raises the last error")

    async def _once(
        self, method: str, url: str, headers: dict[str, str], body: dict[str, Any] | None
    ) -> dict[str, Any]:
        session = self._client_session()
        async with session.request(method, url, json=body, headers=headers) as response:
            text = await response.text()
            if response.status == 429:
                THROTTLED.labels("teams").inc()
            if response.status >= 400:
                raise ConnectorError(
                    response.status, text[:300], _retry_after(response.headers.get("Retry-After"))
                )
            if not text.strip():
                return {}
            try:
                data = await response.json(content_type=None)
            except ValueError:
                return {}
            if isinstance(data, list):  # GET members answers with a bare list
                return {"_list": data}
            return data if isinstance(data, dict) else {}

    def _wait(self, state: RetryCallState) -> float:
        policy = self.policy
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ConnectorError) and exc.retry_after is not None:
            return min(exc.retry_after, policy.max_retry_after)
        backoff = wait_exponential_jitter(
            initial=policy.initial, max=policy.maximum, jitter=policy.jitter
        )
        return float(backoff(state))

    def _client_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session


def _q(value: str) -> str:
    return quote(value, safe="")


def _retry_after(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        return None


def _outcome(state: RetryCallState) -> str:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, ConnectorError):
        return str(exc.status)
    return type(exc).__name__ if exc else "?"
