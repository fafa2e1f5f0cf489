"""Mastodon: post an approved reply with `POST /api/v1/statuses`.

The reply goes to `in_reply_to_id`, the status id *on our instance*: a mention read from our
own instance carries it in its URI or URL; one from elsewhere is resolved through
`GET /api/v2/search?resolve=true` first. The call carries an `Idempotency-Key` derived from
the draft, so a retry within Mastodon's idempotency window returns the same status. A retry
later than that (a long outage) is caught before posting: if the thread already holds our
reply with this text, that status is the result.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from core.drafts.errors import PublishError
from core.ports import Published
from core.text import html_to_text
from integrations.publishers.http import call, fail, session

log = logging.getLogger(__name__)
_STATUS_ID = re.compile(r"/(?:statuses|@[^/]+)/(\d+)/?$")


def _norm(text: str) -> str:
    return " ".join(text.split())


class MastodonPublisher:
    """Replies on one Mastodon instance with the workspace's access token."""

    platform = "mastodon"

    def __init__(self, *, base_url: str, access_token: str, visibility: str = "public") -> None:
        self.base_url = base_url.rstrip("/")
        self.host = urlsplit(self.base_url).netloc.lower()
        self.visibility = visibility
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._account_id: str | None = None

    async def publish(
        self,
        *,
        text: str,
        reply_to_external_id: str,
        reply_to_url: str | None,
        idempotency_key: str,
    ) -> Published:
        """Post `text` as a reply; the same `idempotency_key` never makes a second status."""
        async with session() as http:
            parent = await self._local_id(http, reply_to_external_id, reply_to_url)
            existing = await self._existing_reply(http, parent, text)
            if existing is not None:
                log.info("mastodon: reply to %s exists already (%s)", parent, existing.url)
                return existing
            url = f"{self.base_url}/api/v1/statuses"
            answer = await call(
                http,
                "POST",
                url,
                headers={**self._headers, "Idempotency-Key": mastodon_key(idempotency_key)},
                json_body={
                    "status": text,
                    "in_reply_to_id": parent,
                    "visibility": self.visibility,
                },
            )
            if not answer.ok or not isinstance(answer.data, dict) or not answer.data.get("id"):
                raise fail(answer, url, "Mastodon refused the reply")
            status: dict[str, Any] = answer.data
            return Published(
                url=status.get("url") or status.get("uri"), external_id=str(status["id"])
            )

    def _local(self, ref: str | None) -> str | None:
        """The status id when `ref` (an id, a URI or a URL) is a status of our instance."""
        if not ref:
            return None
        if ref.isdigit():
            return ref
        parts = urlsplit(ref)
        if parts.netloc.lower() != self.host:
            return None
        match = _STATUS_ID.search(parts.path)
        return match.group(1) if match else None

    async def _local_id(
        self, http: aiohttp.ClientSession, external_id: str, url: str | None
    ) -> str:
        for ref in (external_id, url):
            if local := self._local(ref):
                return local
        query = external_id if external_id.startswith("http") else (url or external_id)
        search = f"{self.base_url}/api/v2/search"
        answer = await call(
            http,
            "GET",
            search,
            headers=self._headers,
            params={"q": query, "type": "statuses", "resolve": "true", "limit": "1"},
        )
        if not answer.ok:
            raise fail(answer, search, "Mastodon could not look up the post")
        statuses = answer.data.get("statuses") if isinstance(answer.data, dict) else None
        if not statuses:
            raise PublishError(
                f"the post {query} cannot be found from {self.host} (deleted or private?)",
                permanent=True,
            )
        return str(statuses[0]["id"])

    async def _existing_reply(
        self, http: aiohttp.ClientSession, parent: str, text: str
    ) -> Published | None:
        """Our status answering `parent` with this text, if the thread has one already."""
        me = await self._me(http)
        url = f"{self.base_url}/api/v1/statuses/{parent}/context"
        answer = await call(http, "GET", url, headers=self._headers)
        if answer.status == 404:
            raise PublishError(f"the post {parent} no longer exists on {self.host}", permanent=True)
        if not answer.ok or not isinstance(answer.data, dict):
            raise fail(answer, url, "Mastodon could not show the thread")
        wanted = _norm(text)
        for status in answer.data.get("descendants") or []:
            if not isinstance(status, dict):
                continue
            account = status.get("account") or {}
            if str(status.get("in_reply_to_id")) != parent or str(account.get("id")) != me:
                continue
            if _norm(html_to_text(str(status.get("content") or ""))[0]) == wanted:
                return Published(
                    url=status.get("url") or status.get("uri"), external_id=str(status["id"])
                )
        return None

    async def _me(self, http: aiohttp.ClientSession) -> str:
        if self._account_id is None:
            url = f"{self.base_url}/api/v1/accounts/verify_credentials"
            answer = await call(http, "GET", url, headers=self._headers)
            if not answer.ok or not isinstance(answer.data, dict) or "id" not in answer.data:
                raise fail(answer, url, "Mastodon refused the access token")
            self._account_id = str(answer.data["id"])
        return self._account_id


def mastodon_key(idempotency_key: str) -> str:
    """The Idempotency-Key header: the draft's key, hashed to a fixed, header-safe length."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"horch-{digest}"
