"""The Slack Web API client: one per process, with retries for 429 and 5xx.

`SLACK_API_URL` sets the base URL (GovSlack, or a local fake in tests). A 429 is retried
after the Retry-After that Slack sends; a 5xx (and a dropped connection) a few times with
backoff. response_url posts (`respond`) get the same retries through a webhook client.
"""

from __future__ import annotations

import aiohttp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from config.settings import Settings
from core.metrics import THROTTLED

TIMEOUT_SECONDS = 30
RATE_LIMIT_RETRIES = 3
SERVER_ERROR_RETRIES = 2


class AnyServerErrorRetryHandler(AsyncServerErrorRetryHandler):
    """Retries every 5xx (slack_sdk's built-in one only retries 500 and 503)."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


class CountingRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """slack_sdk's 429 handler (waits for Retry-After), counting every 429 Slack answers
    (horch_platform_throttled_total{platform="slack"}), also the ones it no longer retries."""

    async def can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            THROTTLED.labels("slack").inc()
        return await super().can_retry_async(
            state=state, request=request, response=response, error=error
        )


def retry_handlers() -> list[AsyncRetryHandler]:
    return [
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
        CountingRateLimitRetryHandler(max_retry_count=RATE_LIMIT_RETRIES),
        AnyServerErrorRetryHandler(max_retry_count=SERVER_ERROR_RETRIES),
    ]


def make_client(
    settings: Settings, *, session: aiohttp.ClientSession | None = None, with_token: bool = True
) -> AsyncWebClient:
    """The bot's Web API client (token and base URL from Settings).

    With a shared `session` the client reuses connections instead of opening one per call.
    """
    return AsyncWebClient(
        token=(settings.slack_bot_token or None) if with_token else None,
        base_url=settings.slack_api_url,
        timeout=TIMEOUT_SECONDS,
        retry_handlers=retry_handlers(),
        session=session,
    )


def make_webhook(url: str, *, session: aiohttp.ClientSession | None = None) -> AsyncWebhookClient:
    """A client for one response_url (the 30-minute answer channel of a command or click)."""
    return AsyncWebhookClient(
        url=url, timeout=TIMEOUT_SECONDS, retry_handlers=retry_handlers(), session=session
    )
