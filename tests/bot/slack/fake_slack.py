"""A fake Slack on 127.0.0.1: the Web API, response_urls, file uploads and Socket Mode.

It speaks the real protocol (the methods' JSON answers, Retry-After on 429, the Socket
Mode hello/envelope/ack exchange) and records every call, so tests can check what the
bot posted, updated, answered and opened. Answers come from captured shapes
(tests/fixtures/slack, see PROVENANCE.md).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "slack"


def fixture(name: str) -> Any:
    """A captured Slack payload (JSON) from tests/fixtures/slack."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    error: str | None = None
    retry_after: int | None = None


@dataclass
class FakeSlack:
    """The fake server; `api_url` goes into SLACK_API_URL."""

    calls: list[Call] = field(default_factory=list)
    # Channels the bot is not a member of: chat.postMessage answers not_in_channel.
    not_member: set[str] = field(default_factory=set)
    # method → queued failures (HTTP status, Slack error code, Retry-After)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    # user group id → member user ids (usergroups.users.list); others: no_such_subteam
    usergroups: dict[str, list[str]] = field(default_factory=dict)
    # channel id → member user ids (conversations.members); user id → user (users.info)
    channel_members: dict[str, list[str]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    envelopes_out: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    acks: list[dict[str, Any]] = field(default_factory=list)
    # file id → the bytes posted to its upload URL (files.getUploadURLExternal)
    uploads: dict[str, bytes] = field(default_factory=dict)
    # file id → the name and length asked for in files.getUploadURLExternal
    upload_requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    port: int = 0

    def __post_init__(self) -> None:
        self._ts = itertools.count(1)
        self._runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    def hook(self, name: str = "cmd") -> str:
        """A response_url that the fake records as method `hook:<name>`."""
        return f"{self.base}/hooks/{name}"

    def fail(
        self,
        method: str,
        status: int = 200,
        *,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Make the next `times` calls of `method` fail."""
        self.failures.setdefault(method, []).extend(
            Failure(status, error, retry_after) for _ in range(times)
        )

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.status == 200]

    def attempts(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    async def wait_for(self, check: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Poll until `check()` is truthy (the bot answers after its ack, in the background)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = check()
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out; calls so far: {[c.method for c in self.calls]}")
            await asyncio.sleep(0.02)

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/hooks/{name}", self._hook)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/link", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if not raw:
            return params
        if request.content_type == "application/json":
            params.update(json.loads(raw))
        elif request.content_type == "application/x-www-form-urlencoded":
            params.update(parse_qsl(raw.decode()))
        else:
            params["_bytes"] = len(raw)
        return params

    def _failure(self, method: str) -> Failure | None:
        queue = self.failures.get(method)
        return queue.pop(0) if queue else None

    async def _api(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params, dict(request.headers))
        self.calls.append(call)
        if failure := self._failure(method):
            call.status = failure.status
            headers = (
                {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            )
            body = {"ok": False, "error": failure.error or "ratelimited"}
            return web.json_response(body, status=failure.status, headers=headers)
        call.response = self._answer(method, params)
        return web.json_response(call.response)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"1700000000.{next(self._ts):06d}"
        channel = params.get("channel") or params.get("channel_id")
        if method == "auth.test":
            return fixture("auth_test.json")
        if method == "chat.postMessage":
            if channel in self.not_member:
                return {"ok": False, "error": "not_in_channel"}
            return {
                "ok": True,
                "channel": channel,
                "ts": ts,
                "message": {
                    "type": "message",
                    "text": params.get("text"),
                    "ts": ts,
                    "bot_id": "BZYBOTHED",
                    "blocks": params.get("blocks"),
                },
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "chat.update":
            return {
                "ok": True,
                "channel": channel,
                "ts": params.get("ts"),
                "text": params.get("text"),
            }
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0000000001", **(params.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            self.upload_requests[file_id] = {
                "filename": params.get("filename"),
                "length": int(params.get("length") or 0),
            }
            return {"ok": True, "upload_url": f"{self.base}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title")} for f in files]}
        if method == "usergroups.users.list":
            group = params.get("usergroup")
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {**fixture("usergroups_users_list.json"), "users": self.usergroups[group]}
        if method == "conversations.members":
            if channel not in self.channel_members:
                return {"ok": False, "error": "channel_not_found"}
            return {
                "ok": True,
                "members": self.channel_members[channel],
                "response_metadata": {"next_cursor": ""},
            }
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            if user is None:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "user": user}
        if method == "conversations.open":
            users = str(params.get("users") or "")
            if not users or "," in users:
                return {"ok": False, "error": "not_found"}
            return {"ok": True, "channel": {"id": f"D{users}"}}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}
        return {"ok": True}

    async def _hook(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        self.calls.append(Call(f"hook:{request.match_info['name']}", params, dict(request.headers)))
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        self.calls.append(Call("upload", params, dict(request.headers)))
        self.uploads[request.match_info["file_id"]] = await request.read()
        return web.Response(text="OK - uploaded")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: hello, then queued envelopes; acks are recorded."""
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "fake", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A111"},
            }
        )

        async def pump() -> None:
            while True:
                await ws.send_json(await self.envelopes_out.get())

        sender = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self.acks.append(json.loads(msg.data))
        finally:
            sender.cancel()
        return ws
