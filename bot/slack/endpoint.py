"""POST /slack/events: the bot's aiohttp server in front of the bolt AsyncApp.

bolt 1.30 has no aiohttp request handler, so this bridges with its own adapter functions
(`to_bolt_request`, `to_aiohttp_response`) around `async_dispatch`. The signature is
checked here first, before the body is parsed, so that a forged or stale request (more
than five minutes off) is a 401 whatever it contains; a body that cannot be parsed is a
400; nothing from Slack is ever answered with a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)
PATH = "/slack/events"


def _json(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


Handler = Callable[[web.Request], Awaitable[web.Response]]


def make_handler(bolt: AsyncApp, signing_secret: str) -> Handler:
    """The aiohttp handler for slash commands, Events API and interactivity."""
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.read()
        if is_ssl_check(request, body):
            # Slack's certificate probe is not signed; as bolt does, 200 and nothing else.
            return web.Response(status=200)
        try:
            valid = verifier.is_valid(
                body=body,
                timestamp=request.headers.get("X-Slack-Request-Timestamp"),
                signature=request.headers.get("X-Slack-Signature"),
            )
        except (ValueError, UnicodeDecodeError, TypeError):
            # A timestamp that is no number, a body that is no UTF-8, a signature that is
            # not ASCII (hmac.compare_digest raises TypeError for those).
            valid = False
        if not valid:
            return _json(401, "invalid signature")
        try:
            bolt_request = await to_bolt_request(request)
        except Exception as exc:
            # Not JSON, not a form, or JSON of the wrong shape (bolt reads fields as it parses).
            log.warning("unreadable Slack request body: %s: %s", type(exc).__name__, exc)
            return _json(400, "malformed body")
        if not isinstance(bolt_request.body, dict):
            return _json(400, "malformed body")
        try:
            response = await bolt.async_dispatch(bolt_request)
        except Exception:
            # Bolt trips over payload shapes Slack never sends; that is bad input, not ours.
            log.exception("Slack payload could not be dispatched")
            return _json(400, "unprocessable payload")
        if response.status >= 500:
            log.error("bolt answered %d: %s", response.status, response.body)
            return _json(400, "unprocessable payload")
        return await to_aiohttp_response(response)

    return slack_events


def is_ssl_check(request: web.Request, body: bytes) -> bool:
    """Slack's `ssl_check=1` probe: a form POST that it sends unsigned (bolt's SslCheck)."""
    if not request.content_type.startswith("application/x-www-form-urlencoded"):
        return False
    try:
        fields = parse_qs(body.decode("utf-8"), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return False
    return fields.get("ssl_check") == ["1"]


def add_route(app: web.Application, bolt: AsyncApp, signing_secret: str) -> None:
    app.router.add_post(PATH, make_handler(bolt, signing_secret))
