"""POST /api/messages: an Activity in, the turn's answer out.

The SDK's `CloudAdapter.process()` cannot be used (botbuilder 4.17.1 fails on invoke
bodies: bot.teams.sdk_workarounds): this handler calls `process_activity` itself and writes
the InvokeResponse (or ExpectedReplies) as JSON.

Bad input gets a 4xx and a one-line JSON error: 400 (not JSON, not an activity), 401 (no
or an invalid token while an app id is set), 403 (unauthenticated Emulator mode and a
client that is not on this machine), 413 (body over 1 MiB, by aiohttp), 415 (not JSON).
"""

from __future__ import annotations

import ipaddress
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from botbuilder.schema import Activity

from bot.teams.auth import AuthUnavailable, Unauthorized
from bot.teams.connector import ConnectorError
from bot.teams.runtime import TeamsRuntime
from bot.teams.sdk_workarounds import invoke_json
from bot.teams.turn import TeamsBot

log = logging.getLogger(__name__)
_PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def problem(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback  # ::ffff:127.0.0.1 on a dual-stack socket
    return address.is_loopback


def parse_activity(body: bytes) -> Activity:
    """The Activity of a request body; ValueError says what is wrong with it."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:  # nested too deep
        raise ValueError("the body is not JSON") from exc
    if not isinstance(data, dict):
        raise ValueError("the body is not an activity object")
    kind = data.get("type")
    if not isinstance(kind, str) or not kind:
        raise ValueError("the activity has no type")
    service_url = data.get("serviceUrl")
    parts = urlsplit(service_url) if isinstance(service_url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("the activity has no valid serviceUrl")
    conversation = data.get("conversation")
    if (
        not isinstance(conversation, dict)
        or not isinstance(conversation.get("id"), str)
        or conversation["id"] in ("", ".", "..")  # no reply could be addressed to those
    ):
        raise ValueError("the activity has no conversation id")
    for key in ("from", "recipient"):
        if not isinstance(data.get(key), dict | None):
            raise ValueError(f"the activity's {key} is not an object")
    for key in ("id", "replyToId"):  # a path segment of the reply's URL: "." would vanish
        if not isinstance(data.get(key), str | None) or data.get(key) in (".", ".."):
            raise ValueError(f"the activity's {key} is not an id")
    try:
        return Activity().deserialize(data)
    except Exception as exc:  # msrest raises its own DeserializationError family
        raise ValueError("the activity cannot be read") from exc


class MessagesEndpoint:
    """The aiohttp handler for POST /api/messages."""

    def __init__(self, runtime: TeamsRuntime, bot: TeamsBot) -> None:
        self.runtime = runtime
        self.bot = bot

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        runtime = self.runtime
        # Emulator mode checks no token: only this machine may talk to it, and not through
        # a proxy that would make the internet look local.
        if not runtime.authenticated and not self._local(request):
            log.warning("Teams endpoint without app id refused %s", request.remote)
            return problem(403, "without MicrosoftAppId only local requests are accepted")
        if "json" not in request.content_type:
            return problem(415, "expected application/json")
        body = await request.read()
        try:
            activity = parse_activity(body)
        except ValueError as exc:
            return problem(400, str(exc))
        try:
            auth = await runtime.authenticator.authenticate(
                activity, request.headers.get("Authorization", "")
            )
        except Unauthorized as exc:
            log.info("Teams request refused (401): %s", exc)
            return problem(401, "unauthorized")
        except AuthUnavailable as exc:
            log.error("cannot verify Teams requests: signing keys unreachable (%s)", exc)
            return problem(503, "cannot verify the request now")
        try:
            result = await runtime.adapter.process_activity(auth, activity, self.bot.on_turn)
        except ConnectorError as exc:
            log.error("Teams reply could not be posted: %s", exc)
            return problem(502, "the Bot Connector did not take the reply")
        except Exception:
            log.exception("Teams activity %r could not be handled", activity.type)
            return problem(503, "the activity could not be handled now")
        if result is None:
            return web.Response(status=200)
        return web.json_response(invoke_json(result.body), status=int(result.status or 200))

    @staticmethod
    def _local(request: web.Request) -> bool:
        proxied = any(header in request.headers for header in _PROXY_HEADERS)
        return is_loopback(request.remote) and not proxied
