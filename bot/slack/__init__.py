"""Slack: slash command, mentions and DMs, Block Kit replies, buttons and modals.

`setup` wires Slack into the bot's aiohttp application from Settings:

- SLACK_BOT_TOKEN: the Web API client and the Slack Notifier (scheduled posts);
- + SLACK_SIGNING_SECRET: `POST /slack/events` (commands, events, interactivity);
- + SLACK_APP_TOKEN: Socket Mode, started and stopped with the application.

Only this package imports slack_bolt / slack_sdk.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from bot.slack.adapter import SlackAdapter
from bot.slack.bolt_app import BotIdentity, build_bolt_app
from bot.slack.checkin import SlackRoster
from bot.slack.client import make_client
from bot.slack.deliver import Deliverer
from bot.slack.endpoint import add_route
from bot.slack.notifier import SlackNotifier
from bot.slack.socket_mode import lifecycle
from handlers.context import Services

log = logging.getLogger(__name__)
# The running adapter (tests reach it through the app, to drain it or speed its pacing).
ADAPTER: web.AppKey[SlackAdapter] = web.AppKey("slack_adapter", SlackAdapter)

__all__ = ["SlackAdapter", "SlackNotifier", "setup"]


async def frozen_heap(_app: web.Application) -> AsyncIterator[None]:
    """Move everything built at start (modules, services) out of the garbage collector's way.

    A full collection walks every object in the heap; in a process this size it takes
    hundreds of milliseconds, during which no ack leaves (Slack allows 3 s; our target is
    100 ms at the 99th percentile). Frozen objects are never scanned again, so later
    collections only walk what requests allocate. Process-wide: it belongs wherever the
    application finishes starting; unfrozen again when the application stops.
    """
    gc.collect()
    gc.freeze()
    yield
    gc.unfreeze()


def setup(app: web.Application, services: Services) -> None:
    """Add the Slack endpoint, Socket Mode and the Slack Notifier as Settings ask."""
    settings = services.settings
    if not (settings.slack_bot_token or settings.slack_signing_secret or settings.slack_app_token):
        return
    if not settings.slack_bot_token:
        log.error("Slack is off: SLACK_BOT_TOKEN is missing (the bot needs it to answer)")
        return
    client = make_client(settings)
    bolt_client = make_client(settings, with_token=False)
    deliverer = Deliverer(client, zone=services.workspace.schedules.timezone)
    services.notifiers["slack"] = notifier = SlackNotifier(services, deliverer)
    services.rosters["slack"] = SlackRoster(client, notifier)
    adapter = SlackAdapter(services, deliverer)
    app[ADAPTER] = adapter
    identity = BotIdentity(client)
    receiving = bool(settings.slack_signing_secret or settings.slack_app_token)

    async def connections(_app: web.Application) -> AsyncIterator[None]:
        # One connection pool for every Web API call and response_url post, while running.
        session = aiohttp.ClientSession()
        client.session = bolt_client.session = deliverer.session = session
        warming = asyncio.create_task(identity.warm()) if receiving else None
        yield
        if warming is not None:
            warming.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await warming
        await adapter.drain()
        client.session = bolt_client.session = deliverer.session = None
        await session.close()

    app.cleanup_ctx.append(connections)
    if not receiving:
        log.info("Slack: posting only (no SLACK_SIGNING_SECRET or SLACK_APP_TOKEN to receive)")
        return
    app.cleanup_ctx.append(frozen_heap)
    bolt = build_bolt_app(
        adapter,
        signing_secret=settings.slack_signing_secret,
        client=bolt_client,
        identity=identity,
    )
    if settings.slack_signing_secret:
        add_route(app, bolt, settings.slack_signing_secret)
        log.info("Slack: POST /slack/events is on")
    if settings.slack_app_token:
        # Appended after `connections`, so it closes first: no new requests while draining.
        app.cleanup_ctx.append(lifecycle(bolt, settings.slack_app_token, bolt_client))
        log.info("Slack: Socket Mode is on")
