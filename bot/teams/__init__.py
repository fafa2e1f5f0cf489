"""Microsoft Teams over the Bot Framework: Activity → Request, Reply → Adaptive Card.

`setup(app, services)` adds `POST /api/messages` to the bot's aiohttp application and
registers the Teams `Notifier`. Only this package imports the Bot Framework SDK
(botbuilder/botframework), so replacing it (by the Microsoft 365 Agents SDK, one day)
touches this package alone.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.file_links import FILE_LINKS
from bot.teams.adapter import HorchAdapter
from bot.teams.auth import Authenticator, build_authentication, sdk_config, settings_problem
from bot.teams.checkin import TeamsRoster
from bot.teams.connector import ConnectorApi
from bot.teams.endpoint import MessagesEndpoint, problem
from bot.teams.notifier import TeamsNotifier
from bot.teams.runtime import TeamsRuntime
from bot.teams.tokens import TokenSource
from bot.teams.turn import TeamsBot
from handlers.context import Services

log = logging.getLogger(__name__)
RUNTIME: web.AppKey[TeamsRuntime] = web.AppKey("teams_runtime", TeamsRuntime)
ROUTE = "/api/messages"


def build_runtime(services: Services) -> TeamsRuntime:
    """The adapter and its parts, from Settings (call only when settings_problem is None)."""
    settings = services.settings
    authentication = build_authentication(settings)
    connector = ConnectorApi()
    return TeamsRuntime(
        services=services,
        adapter=HorchAdapter(authentication, connector, TokenSource()),
        authenticator=Authenticator(authentication, enabled=bool(settings.microsoft_app_id)),
        connector=connector,
        app_id=settings.microsoft_app_id,
    )


EMULATOR_OFF = (
    "Microsoft Teams is off: no MicrosoftAppId is set "
    "(HORCH_TEAMS_EMULATOR=true allows the local Bot Framework Emulator)"
)


def setup(app: web.Application, services: Services) -> None:
    """Serve POST /api/messages and register the Teams notifier."""
    settings = services.settings
    if not settings.microsoft_app_id and not settings.teams_emulator:
        # Nothing unauthenticated is served: the route answers 404 with the reason.
        log.info("Teams: %s is off (no MicrosoftAppId, HORCH_TEAMS_EMULATOR not set)", ROUTE)

        async def not_here(_request: web.Request) -> web.Response:
            return problem(404, EMULATOR_OFF)

        app.router.add_post(ROUTE, not_here)
        return
    reason = settings_problem(services.settings)
    if reason is not None:
        log.error("Microsoft Teams is off: %s (see docs/teams.md)", reason)

        async def off(_request: web.Request) -> web.Response:
            return problem(503, "Microsoft Teams is not configured on this bot")

        app.router.add_post(ROUTE, off)
        return
    runtime = build_runtime(services)
    runtime.links = app.get(FILE_LINKS)
    app[RUNTIME] = runtime
    app.router.add_post(ROUTE, MessagesEndpoint(runtime, TeamsBot(runtime)))
    services.notifiers["teams"] = TeamsNotifier(runtime)
    services.rosters["teams"] = TeamsRoster(runtime)

    async def close(_app: web.Application) -> None:
        await runtime.close()

    app.on_cleanup.append(close)
    if runtime.authenticated:
        log.info(
            "Teams: %s for app %s (%s)",
            ROUTE,
            runtime.app_id,
            sdk_config(services.settings).APP_TYPE,
        )
    else:
        log.warning(
            "Teams: %s runs without MicrosoftAppId (Bot Framework Emulator mode, "
            "HORCH_TEAMS_EMULATOR=true): no token is checked, so it accepts requests from "
            "127.0.0.1 only and refuses other addresses with 403",
            ROUTE,
        )
