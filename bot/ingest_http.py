"""`POST /ingest/webhook`: signed batches of items into the pipeline (docs/webhook.md).

The route only translates: HTTP in, `integrations.sources.webhook` checks and parses, the
pipeline stores, JSON out. Every refusal is a 4xx with a JSON body `{error, reason}`:
401 signature, 400 JSON, 413 size, 422 schema, 429 rate, 404/403 when the webhook is
off. A failure to store is a 503, so the sender retries (items are idempotent by id).
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from handlers.context import Services
from integrations.sources.budget import TokenBucket
from integrations.sources.run_log import log_run
from integrations.sources.webhook import MAX_BODY, WebhookError, parse_payload, verify

log = logging.getLogger(__name__)
ROUTE = "/ingest/webhook"
DEFAULT_RATE = 60  # requests a minute per client address


def _error(exc: WebhookError, *, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(exc.body(), status=exc.status, headers=headers)


def webhook_source(services: Services, name: str | None) -> str:
    """The webhook entry of the workspace to store under (`?source=NAME` picks one)."""
    entries = [s for s in services.workspace.sources if s.type == "webhook"]
    if name:
        entry = next((s for s in entries if s.name == name), None)
        if entry is None:
            raise WebhookError(404, "unknown_source", f"no webhook source named {name!r}")
    elif entries:
        entry = entries[0]
    else:
        return "webhook"
    if not entry.enabled:
        raise WebhookError(404, "disabled", f"the webhook source {entry.name!r} is disabled")
    return entry.name


class WebhookEndpoint:
    """The request handler with its per-client budget."""

    def __init__(self, services: Services, *, rate_per_minute: int = DEFAULT_RATE) -> None:
        self.services = services
        self.budget = TokenBucket(rate_per_minute, 60.0)

    async def __call__(self, request: web.Request) -> web.Response:
        try:
            return await self._handle(request)
        except WebhookError as exc:
            if exc.status >= 500:
                log.error("webhook: %s", exc.reason)
            else:
                log.info("webhook refused (%s): %s", exc.code, exc.reason)
            headers = None
            if exc.status == 429:
                headers = {"Retry-After": exc.details[0] if exc.details else "60"}
                exc.details = []
            return _error(exc, headers=headers)

    async def _handle(self, request: web.Request) -> web.Response:
        services = self.services
        secret = services.settings.webhook_secret
        if not secret:
            raise WebhookError(403, "not_configured", "the webhook is off: no HORCH_WEBHOOK_SECRET")
        source = webhook_source(services, request.query.get("source"))
        wait = self.budget.try_take(request.remote or "unknown")
        if wait > 0:
            raise WebhookError(
                429, "rate_limited", "too many requests from this client", [str(int(wait) + 1)]
            )
        body = await _read_body(request)
        now = services.clock()
        verify(secret, request.headers, body, now=now)
        items = parse_payload(body, source=source, now=now)
        try:
            result = await services.pipeline.ingest(items, via="webhook")
        except Exception as exc:
            log.exception("webhook: storing %d items failed", len(items))
            raise WebhookError(503, "store_failed", "could not store the items; retry") from exc
        await log_run(
            services,
            source,
            fetched=len(items),
            new=result.new,
            duplicates=result.duplicates,
            errors=result.invalid,
            what="webhook",
        )
        body_out: dict[str, Any] = {
            "received": result.received,
            "new": result.new,
            "duplicates": result.duplicates,
            "dropped": result.dropped,
            "invalid": result.invalid,
        }
        return web.json_response(body_out)


async def _read_body(request: web.Request) -> bytes:
    too_big = WebhookError(
        413, "too_large", f"the body is larger than {MAX_BODY} bytes; send fewer items per request"
    )
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise too_big
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise too_big from exc
    if len(body) > MAX_BODY:
        raise too_big
    return body


def setup(app: web.Application, services: Services) -> None:
    """Add POST /ingest/webhook."""
    rate = DEFAULT_RATE
    for entry in services.workspace.sources:
        if entry.type == "webhook" and isinstance(entry.options.get("rate_per_minute"), int):
            rate = max(1, int(entry.options["rate_per_minute"]))
            break
    app.router.add_post(ROUTE, WebhookEndpoint(services, rate_per_minute=rate))
