"""Bluesky: post an approved reply with `com.atproto.repo.createRecord`.

A reply record names its thread's root and its parent as strong refs (uri + cid); our
mentions store the post's at:// URI, so `app.bsky.feed.getPostThread` supplies the cid and
the root. The record key is a TID derived from the draft's idempotency key, so a retry asks
for the same record: the repository refuses a second record under that key, and the
publisher then reads the existing one back (`com.atproto.repo.getRecord`) as the result.
The session comes from `createSession` with the app password and is renewed with
`refreshSession` when it expires.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import re
from typing import Any

import aiohttp

from core.drafts.checks import links
from core.drafts.errors import PublishError
from core.ports import Published
from integrations.publishers.http import Answer, call, fail, session

log = logging.getLogger(__name__)
COLLECTION = "app.bsky.feed.post"
DEFAULT_SERVICE = "https://bsky.social"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_KEY = re.compile(r"^horchposten-(\d+)-(\d+)$")
_WEB_POST = re.compile(r"^https://bsky\.app/profile/([^/]+)/post/([^/?#]+)")
_EXPIRED = frozenset({"ExpiredToken", "InvalidToken"})


def tid(micros: int, clock_id: int) -> str:
    """An atproto TID: 53 bits of microseconds and 10 bits of clock id, base32-sortable."""
    value = ((micros & ((1 << 53) - 1)) << 10) | (clock_id & 0x3FF)
    out = []
    for _ in range(13):
        out.append(_B32[value & 31])
        value >>= 5
    return "".join(reversed(out))


def tid_for(idempotency_key: str) -> str:
    """The record key of the draft's one post: the same for every retry of that draft.

    Keys of the form `horchposten-<draft id>-<created µs>` (core.drafts.service.publish_key)
    keep their instant as the TID's time; any other key is hashed into a time in 2024.
    """
    if match := _KEY.match(idempotency_key):
        return tid(int(match.group(2)), int(match.group(1)) % 1024)
    digest = int.from_bytes(hashlib.sha256(idempotency_key.encode()).digest()[:8], "big")
    base = int(dt.datetime(2024, 1, 1, tzinfo=dt.UTC).timestamp() * 1_000_000)
    return tid(base + digest % (366 * 86_400 * 1_000_000), digest >> 54)


def at_uri(external_id: str, url: str | None) -> str:
    """The post's at:// URI from the stored id, or from its bsky.app address."""
    if external_id.startswith("at://"):
        return external_id
    for ref in (external_id, url or ""):
        if match := _WEB_POST.match(ref):
            return f"at://{match.group(1)}/{COLLECTION}/{match.group(2)}"
    raise PublishError(f"{external_id} is no Bluesky post address", permanent=True)


def link_facets(text: str) -> list[dict[str, Any]]:
    """`app.bsky.richtext.facet#link` for each http(s) URL, with UTF-8 byte offsets."""
    facets = []
    start = 0
    for link, _host in links(text):
        if not link.startswith(("http://", "https://")):
            continue
        index = text.find(link, start)
        if index < 0:
            continue
        begin = len(text[:index].encode("utf-8"))
        facets.append(
            {
                "index": {"byteStart": begin, "byteEnd": begin + len(link.encode("utf-8"))},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": link}],
            }
        )
        start = index + len(link)
    return facets


def mention_facets(text: str, handle: str, did: str) -> list[dict[str, Any]]:
    """A mention facet where the text names the author (`@handle`), so it links to them."""
    needle = "@" + handle
    index = text.find(needle)
    if not handle or not did or index < 0:
        return []
    begin = len(text[:index].encode("utf-8"))
    return [
        {
            "index": {"byteStart": begin, "byteEnd": begin + len(needle.encode("utf-8"))},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
        }
    ]


class BlueskyPublisher:
    """Replies from the workspace's Bluesky account (handle + app password) on its PDS."""

    platform = "bluesky"

    def __init__(self, *, handle: str, app_password: str, service_url: str = DEFAULT_SERVICE):
        self.service = service_url.rstrip("/")
        self.identifier = handle.lstrip("@")
        self._password = app_password
        self._access: str | None = None
        self._refresh: str | None = None
        self.did: str | None = None
        self.handle = self.identifier
        self._lock = asyncio.Lock()

    def _xrpc(self, method: str) -> str:
        return f"{self.service}/xrpc/{method}"

    async def publish(
        self,
        *,
        text: str,
        reply_to_external_id: str,
        reply_to_url: str | None,
        idempotency_key: str,
    ) -> Published:
        """Post `text` in reply; every retry with the same key yields the same record."""
        parent_uri = at_uri(reply_to_external_id, reply_to_url)
        rkey = tid_for(idempotency_key)
        async with session() as http:
            parent, root, author = await self._refs(http, parent_uri)
            assert self.did is not None
            record: dict[str, Any] = {
                "$type": COLLECTION,
                "text": text,
                "createdAt": dt.datetime.now(dt.UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "reply": {"root": root, "parent": parent},
            }
            facets = link_facets(text) + mention_facets(
                text, str(author.get("handle", "")), str(author.get("did", ""))
            )
            if facets:
                record["facets"] = facets
            body = {"repo": self.did, "collection": COLLECTION, "rkey": rkey, "record": record}
            answer = await self._authed(http, "POST", "com.atproto.repo.createRecord", json=body)
            if answer.ok and isinstance(answer.data, dict) and answer.data.get("uri"):
                return self._published(str(answer.data["uri"]), rkey)
            # A retry of a post that went through: the key is taken by our own record.
            existing = await self._existing(http, rkey, parent["uri"])
            if existing is not None:
                log.info("bluesky: record %s exists already; not posting again", rkey)
                return existing
            raise fail(
                answer, self._xrpc("com.atproto.repo.createRecord"), "Bluesky refused the reply"
            )

    def _published(self, uri: str, rkey: str) -> Published:
        return Published(
            url=f"https://bsky.app/profile/{self.handle or self.did}/post/{rkey}", external_id=uri
        )

    async def _refs(
        self, http: aiohttp.ClientSession, uri: str
    ) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
        """(parent, root) strong refs of the post at `uri`, and its author."""
        answer = await self._authed(
            http,
            "GET",
            "app.bsky.feed.getPostThread",
            params={"uri": uri, "depth": "0", "parentHeight": "0"},
        )
        if not answer.ok or not isinstance(answer.data, dict):
            if answer.error_code() == "NotFound":
                raise PublishError(f"the post {uri} no longer exists", permanent=True)
            raise fail(
                answer, self._xrpc("app.bsky.feed.getPostThread"), "Bluesky could not show the post"
            )
        thread = answer.data.get("thread") or {}
        post = thread.get("post") if isinstance(thread, dict) else None
        if not isinstance(post, dict) or not post.get("cid"):
            kind = thread.get("$type", "?") if isinstance(thread, dict) else "?"
            raise PublishError(f"the post {uri} cannot be answered ({kind})", permanent=True)
        parent = {"uri": str(post["uri"]), "cid": str(post["cid"])}
        reply = (post.get("record") or {}).get("reply") or {}
        root_ref = reply.get("root") if isinstance(reply, dict) else None
        root = (
            {"uri": str(root_ref["uri"]), "cid": str(root_ref["cid"])}
            if isinstance(root_ref, dict) and root_ref.get("uri") and root_ref.get("cid")
            else parent
        )
        return parent, root, post.get("author") or {}

    async def _existing(
        self, http: aiohttp.ClientSession, rkey: str, parent_uri: str
    ) -> Published | None:
        assert self.did is not None
        answer = await self._authed(
            http,
            "GET",
            "com.atproto.repo.getRecord",
            params={"repo": self.did, "collection": COLLECTION, "rkey": rkey},
        )
        if not answer.ok or not isinstance(answer.data, dict):
            return None
        value = answer.data.get("value") or {}
        parent = ((value.get("reply") or {}).get("parent") or {}).get("uri")
        if parent != parent_uri:
            raise PublishError(
                f"the record key {rkey} holds a different post; not overwriting it", permanent=True
            )
        return self._published(str(answer.data.get("uri")), rkey)

    async def _authed(
        self,
        http: aiohttp.ClientSession,
        method: str,
        nsid: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
    ) -> Answer:
        """An XRPC call with the session's token; renews the session once when it expired."""
        for attempt in range(2):
            token = await self._token(http, renew=attempt > 0)
            answer = await call(
                http,
                method,
                self._xrpc(nsid),
                headers={"Authorization": f"Bearer {token}"},
                params=params,
                json_body=json,
            )
            if answer.status in (400, 401) and answer.error_code() in _EXPIRED and attempt == 0:
                continue
            return answer
        return answer

    async def _token(self, http: aiohttp.ClientSession, *, renew: bool) -> str:
        async with self._lock:
            if self._access and not renew:
                return self._access
            if renew and self._refresh:
                url = self._xrpc("com.atproto.server.refreshSession")
                answer = await call(
                    http, "POST", url, headers={"Authorization": f"Bearer {self._refresh}"}
                )
                if answer.ok and isinstance(answer.data, dict):
                    self._take(answer.data)
                    assert self._access is not None
                    return self._access
            url = self._xrpc("com.atproto.server.createSession")
            answer = await call(
                http,
                "POST",
                url,
                json_body={"identifier": self.identifier, "password": self._password},
            )
            if not answer.ok or not isinstance(answer.data, dict):
                raise fail(answer, url, "Bluesky refused the login (BLUESKY_HANDLE/APP_PASSWORD)")
            self._take(answer.data)
            assert self._access is not None
            return self._access

    def _take(self, data: dict[str, Any]) -> None:
        self._access = str(data.get("accessJwt") or "") or None
        self._refresh = str(data.get("refreshJwt") or "") or self._refresh
        self.did = str(data.get("did") or self.did or "") or None
        self.handle = str(data.get("handle") or self.handle)
