"""Local fakes of the outside services drafts talk to, speaking their real protocols on
127.0.0.1: an OpenAI-compatible chat server, a Mastodon instance and a Bluesky PDS.

The Mastodon and Bluesky fakes answer with the real captured payloads in
tests/fixtures/publishers/ (see PROVENANCE.md there), adapted only where a field must name
what the test created (ids, text, the reply's parent).
"""

from __future__ import annotations

import copy
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import regex
from aiohttp import web
from aiohttp.test_utils import TestServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "publishers"
TID = re.compile(r"^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeServer:
    """An aiohttp app on a free port of 127.0.0.1; `url` is its base address."""

    def __init__(self) -> None:
        self.app = web.Application()
        self.server: TestServer | None = None
        self.requests: list[tuple[str, str, Any]] = []

    async def start(self) -> FakeServer:
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()
        return self

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")


# ----- OpenAI-compatible chat completions -------------------------------------------------


class FakeOpenAI(FakeServer):
    """POST /v1/chat/completions. `reply(request_json) -> str` writes the assistant message;
    `fail` holds HTTP statuses to answer first (one per request)."""

    def __init__(self, reply: Callable[[dict[str, Any]], str], *, api_key: str = "sk-test"):
        super().__init__()
        self.reply = reply
        self.api_key = api_key
        self.fail: list[int] = []
        # Parameters this "model" refuses, as newer OpenAI models refuse max_tokens.
        self.reject_params: set[str] = set()
        self.bodies: list[dict[str, Any]] = []
        self.app.router.add_post("/v1/chat/completions", self.completions)

    async def completions(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.api_key}":
            return web.json_response(
                {
                    "error": {
                        "message": "Incorrect API key provided.",
                        "type": "invalid_request_error",
                        "param": None,
                        "code": "invalid_api_key",
                    }
                },
                status=401,
            )
        body = await request.json()
        self.bodies.append(body)
        refused = sorted(self.reject_params & set(body))
        if refused:
            return web.json_response(
                {
                    "error": {
                        "message": f"Unsupported parameter: '{refused[0]}' is not supported "
                        "with this model.",
                        "type": "invalid_request_error",
                        "param": refused[0],
                        "code": "unsupported_parameter",
                    }
                },
                status=400,
            )
        if self.fail:
            status = self.fail.pop(0)
            return web.json_response(
                {
                    "error": {
                        "message": f"fake failure {status}",
                        "type": "server_error",
                        "param": None,
                        "code": None,
                    }
                },
                status=status,
            )
        content = self.reply(body)
        n = int(body.get("n") or 1)
        return web.json_response(
            {
                "id": f"chatcmpl-fake{len(self.bodies)}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "gpt-4o-mini") + "-2024-07-18",
                "choices": [
                    {
                        "index": i,
                        "message": {
                            "role": "assistant",
                            "content": content,
                            "refusal": None,
                            "annotations": [],
                        },
                        "logprobs": None,
                        "finish_reason": "stop",
                    }
                    for i in range(n)
                ],
                "usage": {
                    "prompt_tokens": 321,
                    "completion_tokens": 87,
                    "total_tokens": 408,
                    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                    "completion_tokens_details": {
                        "reasoning_tokens": 0,
                        "audio_tokens": 0,
                        "accepted_prediction_tokens": 0,
                        "rejected_prediction_tokens": 0,
                    },
                },
                "service_tier": "default",
                "system_fingerprint": "fp_0705bf87c0",
            }
        )


# ----- Mastodon -------------------------------------------------------------------------


class FakeMastodon(FakeServer):
    """Our instance: verify_credentials, search with resolve, context, POST statuses with
    Idempotency-Key. Knows the fixture's remote status (Gargron's) under local id 9001."""

    def __init__(self, *, token: str = "masto-token") -> None:
        super().__init__()
        self.token = token
        self.template = load("mastodon/status_example.json")
        remote = copy.deepcopy(self.template)
        remote["id"] = "9001"  # the same post, as our instance numbers it
        self.statuses: dict[str, dict[str, Any]] = {"9001": remote}
        self.by_key: dict[str, str] = {}
        self.created: list[dict[str, Any]] = []
        self.fail_posts: list[int] = []
        self._ids = itertools.count(110_000_000_000_000_001)
        self.me = copy.deepcopy(self.template["account"])
        self.me.update(
            {"id": "4242", "username": "lumora", "acct": "lumora", "display_name": "Lumora"}
        )
        r = self.app.router
        r.add_get("/api/v1/accounts/verify_credentials", self.verify)
        r.add_get("/api/v2/search", self.search)
        r.add_get("/api/v1/statuses/{id}/context", self.context)
        r.add_post("/api/v1/statuses", self.post_status)

    def _authorized(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bearer {self.token}"

    @staticmethod
    def _denied() -> web.Response:
        return web.json_response({"error": "The access token is invalid"}, status=401)

    async def verify(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._denied()
        return web.json_response(self.me)

    async def search(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._denied()
        q = request.query.get("q", "")
        found = [s for s in self.statuses.values() if q in (s.get("uri"), s.get("url"))]
        if request.query.get("resolve") != "true":
            found = [s for s in found if s["id"] != "9001"]
        return web.json_response({"accounts": [], "statuses": found[:1], "hashtags": []})

    async def context(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._denied()
        sid = request.match_info["id"]
        if sid not in self.statuses:
            return web.json_response({"error": "Record not found"}, status=404)
        descendants = [s for s in self.statuses.values() if s.get("in_reply_to_id") == sid]
        return web.json_response({"ancestors": [], "descendants": descendants})

    async def post_status(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return self._denied()
        body = (
            await request.json()
            if request.content_type == "application/json"
            else dict(await request.post())
        )
        self.requests.append(("POST", "/api/v1/statuses", body))
        if self.fail_posts:
            return web.json_response(
                {"error": "Service Unavailable"}, status=self.fail_posts.pop(0)
            )
        key = request.headers.get("Idempotency-Key")
        if key and key in self.by_key:
            return web.json_response(self.statuses[self.by_key[key]])
        text = str(body.get("status") or "")
        if not text.strip():
            return web.json_response(
                {"error": "Validation failed: Text can't be blank"}, status=422
            )
        if len(regex.findall(r"\X", text)) > 500:
            return web.json_response(
                {"error": "Validation failed: Text character limit of 500 exceeded"}, status=422
            )
        parent = body.get("in_reply_to_id")
        if parent is not None and str(parent) not in self.statuses:
            return web.json_response({"error": "Record not found"}, status=404)
        sid = str(next(self._ids))
        status = copy.deepcopy(self.template)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n") if p)
        status.update(
            {
                "id": sid,
                "uri": f"{self.url}/users/lumora/statuses/{sid}",
                "url": f"{self.url}/@lumora/{sid}",
                "content": paragraphs,
                "in_reply_to_id": str(parent) if parent else None,
                "in_reply_to_account_id": "1" if parent else None,
                "visibility": body.get("visibility", "public"),
                "account": self.me,
                "card": None,
                "replies_count": 0,
                "reblogs_count": 0,
                "favourites_count": 0,
            }
        )
        self.statuses[sid] = status
        if key:
            self.by_key[key] = sid
        self.created.append(status)
        return web.json_response(status)


# ----- Bluesky (a PDS) ------------------------------------------------------------------


class FakeBluesky(FakeServer):
    """A PDS: createSession/refreshSession, getPostThread (proxied AppView, answered with the
    real captured thread), createRecord (one record per rkey) and getRecord."""

    DID = "did:plc:lumorabrand0000000000000"

    def __init__(self, *, handle: str = "lumora.bsky.social", password: str = "app-pass"):
        super().__init__()
        self.handle = handle
        self.password = password
        self.thread = load("bluesky/getPostThread_response_real.json")
        self.records: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.sessions = 0
        self._tokens = itertools.count(1)
        self.valid_access: set[str] = set()
        self.valid_refresh: set[str] = set()
        self.fail_creates: list[int] = []
        self.lose_create_answers = 0
        r = self.app.router
        r.add_post("/xrpc/com.atproto.server.createSession", self.create_session)
        r.add_post("/xrpc/com.atproto.server.refreshSession", self.refresh_session)
        r.add_get("/xrpc/app.bsky.feed.getPostThread", self.get_thread)
        r.add_post("/xrpc/com.atproto.repo.createRecord", self.create_record)
        r.add_get("/xrpc/com.atproto.repo.getRecord", self.get_record)

    @property
    def post_uri(self) -> str:
        return str(self.thread["thread"]["post"]["uri"])

    def expire_tokens(self) -> None:
        self.valid_access.clear()

    def _session(self) -> dict[str, Any]:
        n = next(self._tokens)
        access, refresh = f"access-{n}", f"refresh-{n}"
        self.valid_access.add(access)
        self.valid_refresh.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.DID,
            "active": True,
        }

    @staticmethod
    def _error(status: int, error: str, message: str) -> web.Response:
        return web.json_response({"error": error, "message": message}, status=status)

    def _auth(self, request: web.Request) -> web.Response | None:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token in self.valid_access:
            return None
        if token.startswith("access-"):
            return self._error(400, "ExpiredToken", "Token has expired")
        return self._error(401, "AuthenticationRequired", "Authentication Required")

    async def create_session(self, request: web.Request) -> web.Response:
        body = await request.json()
        if body.get("identifier") != self.handle or body.get("password") != self.password:
            return self._error(401, "AuthenticationRequired", "Invalid identifier or password")
        self.sessions += 1
        return web.json_response(self._session())

    async def refresh_session(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_refresh:
            return self._error(400, "ExpiredToken", "Token has expired")
        self.valid_refresh.discard(token)
        return web.json_response(self._session())

    async def get_thread(self, request: web.Request) -> web.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        uri = request.query.get("uri", "")
        if uri == self.post_uri:
            return web.json_response(self.thread)
        for rkey, rec in self.records.items():
            if uri == f"at://{self.DID}/app.bsky.feed.post/{rkey}":
                return web.json_response(
                    {
                        "thread": {
                            "$type": "app.bsky.feed.defs#threadViewPost",
                            "post": {
                                "uri": uri,
                                "cid": rec["cid"],
                                "author": {"did": self.DID, "handle": self.handle},
                                "record": rec["value"],
                            },
                        }
                    }
                )
        return self._error(400, "NotFound", f"Post not found: {uri}")

    async def create_record(self, request: web.Request) -> web.Response:
        if (denied := self._auth(request)) is not None:
            return denied
        body = await request.json()
        self.requests.append(("POST", "createRecord", body))
        if self.fail_creates:
            return self._error(self.fail_creates.pop(0), "InternalServerError", "fake failure")
        rkey = str(body.get("rkey") or "")
        record = body.get("record") or {}
        if body.get("repo") not in (self.DID, self.handle):
            return self._error(400, "InvalidRequest", "repo does not match the session")
        if body.get("collection") != "app.bsky.feed.post" or not TID.match(rkey):
            return self._error(400, "InvalidRequest", f"Invalid record key: {rkey}")
        if len(regex.findall(r"\X", str(record.get("text", "")))) > 300:
            return self._error(
                400,
                "InvalidRequest",
                "Invalid app.bsky.feed.post record: Record/text must not be longer than 300 graphemes",
            )
        reply = record.get("reply") or {}
        for part in ("root", "parent"):
            ref = reply.get(part) or {}
            if not ref.get("uri") or not ref.get("cid"):
                return self._error(400, "InvalidRequest", f"Record/reply/{part} is missing")
        if rkey in self.records:
            return self._error(400, "InvalidRequest", "Record already exists")
        cid = f"bafyreifake{len(self.records):040d}"
        self.records[rkey] = {"cid": cid, "value": record}
        self.created.append(record)
        uri = f"at://{self.DID}/app.bsky.feed.post/{rkey}"
        if self.lose_create_answers:
            # The record is written, but the answer never arrives (a cut connection).
            self.lose_create_answers -= 1
            return self._error(502, "UpstreamFailure", "Bad Gateway")
        return web.json_response(
            {
                "uri": uri,
                "cid": cid,
                "commit": {"cid": "bafyreicommit", "rev": "3lfake2222222"},
                "validationStatus": "valid",
            }
        )

    async def get_record(self, request: web.Request) -> web.Response:
        rkey = request.query.get("rkey", "")
        if request.query.get("repo") not in (self.DID, self.handle) or rkey not in self.records:
            return self._error(400, "RecordNotFound", f"Could not locate record: {rkey}")
        rec = self.records[rkey]
        return web.json_response(
            {
                "uri": f"at://{self.DID}/app.bsky.feed.post/{rkey}",
                "cid": rec["cid"],
                "value": rec["value"],
            }
        )
