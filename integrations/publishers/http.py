"""The HTTP calls publishers make: JSON in and out, timeouts, and errors in two kinds.

A platform's answer is either usable JSON or a `PublishError`: permanent for what a retry
cannot fix (400/401/403/404/422: a refused text, a deleted post, wrong credentials),
transient for the rest (timeouts, connection errors, 408/425/429, 5xx), which the draft
flow retries later with the same idempotency key.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from core.drafts.errors import PublishError

log = logging.getLogger(__name__)
USER_AGENT = "Horchposten/0.1 (reply publisher)"
TIMEOUT = aiohttp.ClientTimeout(total=20, connect=5)
TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})
MAX_BODY = 2 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any
    headers: dict[str, str]

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def error_code(self) -> str:
        """XRPC's `error` or Mastodon's `error` field, if the body has one."""
        return str(self.data.get("error", "")) if isinstance(self.data, dict) else ""


def session() -> aiohttp.ClientSession:
    """A client session with the publishers' timeouts and User-Agent (one per publication)."""
    return aiohttp.ClientSession(timeout=TIMEOUT, headers={"User-Agent": USER_AGENT})


async def call(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
) -> Answer:
    """One request; connection failures become a transient PublishError."""
    try:
        async with http.request(
            method, url, headers=headers, params=params, json=json_body, data=form
        ) as resp:
            body = await resp.content.read(MAX_BODY)
            try:
                data = json.loads(body) if body else None
            except ValueError:
                data = None
            return Answer(resp.status, data, {k.lower(): v for k, v in resp.headers.items()})
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise PublishError(f"{where(url)} cannot be reached: {type(exc).__name__}") from exc


def fail(answer: Answer, url: str, what: str) -> PublishError:
    """The error for an answer that is not usable: permanent unless a retry may help."""
    detail = ""
    if isinstance(answer.data, dict):
        detail = str(answer.data.get("message") or answer.data.get("error") or "")[:200]
    message = f"{what}: HTTP {answer.status} from {where(url)}" + (f" ({detail})" if detail else "")
    return PublishError(message, permanent=answer.status not in TRANSIENT)


def where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}"
