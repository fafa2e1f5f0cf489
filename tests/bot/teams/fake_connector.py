"""A fake Bot Connector on 127.0.0.1: the v3 conversations API that Teams' serviceUrl serves.

It answers the calls a bot makes — send to a conversation, reply to an activity, update an
activity, create a conversation (a new channel thread) — with the shapes the real service
returns (`{"id"}`, `{"id", "activityId"}`), records every call (failed ones too, with their
status) and, on demand, answers the next calls with 429/412/502/504 and `Retry-After`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Call:
    kind: str  # send | reply | update | create | members
    method: str
    conversation_id: str | None
    activity_id: str | None
    body: dict[str, Any]
    headers: dict[str, str]
    status: int = 200  # the status of an injected failure; 200 for every success

    @property
    def card(self) -> dict[str, Any] | None:
        """The Adaptive Card the activity carries (None if it carries none)."""
        activity = self.body.get("activity", self.body) if self.kind == "create" else self.body
        for attachment in activity.get("attachments") or []:
            if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
                return dict(attachment["content"])
        return None


@dataclass
class FakeConnector:
    calls: list[Call] = field(default_factory=list)
    # Statuses (and Retry-After seconds) the next calls answer with, in order.
    failures: list[tuple[int, str | None]] = field(default_factory=list)
    # conversation id → its members (GET …/members), as the connector lists them
    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._ids = itertools.count(1_700_000_000_000)
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The serviceUrl to put in activities."""
        return f"http://127.0.0.1:{self.port}/teams/"

    def fail(self, *statuses: int, retry_after: str | None = None) -> None:
        self.failures.extend((status, retry_after) for status in statuses)

    def ok(self, kind: str | None = None) -> list[Call]:
        """The calls that succeeded (of one kind)."""
        return [c for c in self.calls if c.status < 400 and (kind is None or c.kind == kind)]

    async def start(self) -> None:
        app = web.Application()
        base = "/teams/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{conversation}/activities", self._send)
        app.router.add_post(base + "/{conversation}/activities/{activity}", self._reply)
        app.router.add_put(base + "/{conversation}/activities/{activity}", self._update)
        app.router.add_get(base + "/{conversation}/members", self._members)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, kind: str, request: web.Request) -> tuple[Call, web.Response | None]:
        call = Call(
            kind=kind,
            method=request.method,
            conversation_id=request.match_info.get("conversation"),
            activity_id=request.match_info.get("activity"),
            body=await request.json() if request.can_read_body else {},
            headers=dict(request.headers),
        )
        self.calls.append(call)
        if self.failures:
            status, retry_after = self.failures.pop(0)
            call.status = status
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            body = {"error": {"code": "ServiceError", "message": f"fake {status}"}}
            return call, web.json_response(body, status=status, headers=headers)
        return call, None

    async def _send(self, request: web.Request) -> web.Response:
        _call, failed = await self._record("send", request)
        return failed or web.json_response({"id": str(next(self._ids))}, status=201)

    async def _reply(self, request: web.Request) -> web.Response:
        _call, failed = await self._record("reply", request)
        return failed or web.json_response({"id": str(next(self._ids))}, status=201)

    async def _update(self, request: web.Request) -> web.Response:
        call, failed = await self._record("update", request)
        return failed or web.json_response({"id": call.activity_id}, status=200)

    async def _members(self, request: web.Request) -> web.Response:
        call, failed = await self._record("members", request)
        if failed:
            return failed
        found = self.members.get(str(call.conversation_id))
        if found is None:
            body = {"error": {"code": "ConversationNotFound", "message": "not found"}}
            return web.json_response(body, status=404)
        return web.json_response(found)

    async def _create(self, request: web.Request) -> web.Response:
        call, failed = await self._record("create", request)
        if failed:
            return failed
        if call.body.get("isGroup") is False:  # a personal chat with one member
            member = (call.body.get("members") or [{}])[0].get("id", "")
            return web.json_response({"id": f"a:personal-{member}"}, status=201)
        channel = call.body.get("channelData", {}).get("channel", {}).get("id", "19:new@thread.v2")
        activity_id = str(next(self._ids))
        body = {"id": f"{channel};messageid={activity_id}", "activityId": activity_id}
        return web.json_response(body, status=201)
