"""Socket Mode: Slack's events over a WebSocket the bot opens (no public URL needed).

Started with the aiohttp application and stopped with it. A failed connection is retried
with backoff in the background; once connected, slack_sdk's client reconnects by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
BACKOFF_SECONDS = (1, 2, 5, 10, 30, 60)


def lifecycle(
    bolt: AsyncApp, app_token: str, client: AsyncWebClient
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup_ctx entry: connect on startup (in the background), close on cleanup."""

    async def socket_mode(_app: web.Application) -> AsyncIterator[None]:
        handler = AsyncSocketModeHandler(bolt, app_token, web_client=client)
        task = asyncio.create_task(_connect(handler))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await handler.close_async()

    return socket_mode


async def _connect(handler: AsyncSocketModeHandler) -> None:
    attempt = 0
    while True:
        try:
            await handler.connect_async()
            log.info("Slack Socket Mode connected")
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
            log.warning("Slack Socket Mode connection failed (%s); retrying in %ss", exc, delay)
            attempt += 1
            await asyncio.sleep(delay)
