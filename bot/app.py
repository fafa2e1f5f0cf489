"""The aiohttp application: health, metrics, the platform endpoints and background tasks."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from core.metrics import HTTP_RESPONSES, REGISTRY
from handlers.context import Services

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # every endpoint: 1 MiB; larger bodies get 413

SERVICES: web.AppKey[Services] = web.AppKey("services", Services)
# Setup functions of the platform adapters and features: each adds its routes and
# background tasks to the app. Listed here explicitly, so the wiring is in one place.
Setup = Callable[[web.Application, Services], Awaitable[None] | None]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def setups() -> list[Setup]:
    """The adapters and features this build wires into the app."""
    from bot import (
        alert_jobs,
        checkin_jobs,
        demo,
        drafts_recovery,
        file_links,
        ingest_http,
        report_jobs,
        scheduler,
        slack,
        standup_jobs,
        teams,
    )
    from integrations.sources import poller

    return [
        scheduler.setup,  # first: features add their jobs to it
        demo.setup,
        file_links.setup,  # before the platforms: Teams links to the files
        slack.setup,
        teams.setup,
        standup_jobs.setup,
        report_jobs.setup,
        checkin_jobs.setup,
        alert_jobs.setup,
        ingest_http.setup,
        poller.setup,
        drafts_recovery.setup,
    ]


async def healthz(request: web.Request) -> web.Response:
    """200 when the database answers, 503 otherwise."""
    services = request.app[SERVICES]
    try:
        async with services.sessions() as session:
            await asyncio.wait_for(session.execute(text("SELECT 1")), timeout=5)
    except Exception as exc:
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        return web.json_response({"status": "error", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


async def metrics(_request: web.Request) -> web.Response:
    body = generate_latest(REGISTRY)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


@web.middleware
async def count_responses(request: web.Request, handler: Handler) -> web.StreamResponse:
    """horch_http_responses_total{route, status}: every answer of the server, also the 404s
    of unknown paths, the 413s of aiohttp and the 500 of an unhandled error."""
    resource = request.match_info.route.resource
    route = resource.canonical if resource is not None else "unmatched"
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        HTTP_RESPONSES.labels(route, str(exc.status)).inc()
        raise
    except Exception:
        HTTP_RESPONSES.labels(route, "500").inc()
        raise
    HTTP_RESPONSES.labels(route, str(response.status)).inc()
    return response


async def build_app(services: Services) -> web.Application:
    """The application with every route; background tasks start with it."""
    app = web.Application(client_max_size=MAX_BODY, middlewares=[count_responses])
    app[SERVICES] = services
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for setup in setups():
        result = setup(app, services)
        if asyncio.iscoroutine(result):
            await result
    return app
