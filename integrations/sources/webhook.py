"""The webhook: signed JSON batches of items from exports and automations (docs/webhook.md).

Platforms without an open API (LinkedIn, Xing, Facebook, Instagram, X without a token)
reach Horchposten through third-party tools that POST here. Each request carries
`X-Horch-Timestamp` (Unix seconds) and `X-Horch-Signature: sha256=HEX`, the HMAC-SHA256
of `TIMESTAMP.BODY` under HORCH_WEBHOOK_SECRET; a timestamp more than five minutes off is
refused, so a captured request cannot be replayed later. Every failure is a `WebhookError`
with the HTTP status and a reason the sender can act on; the aiohttp route is in
bot/ingest_http.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.raw import RawMention
from integrations.sources.values import language, parse_time

SIGNATURE_HEADER = "X-Horch-Signature"
TIMESTAMP_HEADER = "X-Horch-Timestamp"
MAX_SKEW = dt.timedelta(minutes=5)
MAX_BODY = 1024 * 1024
MAX_ITEMS = 1000


class WebhookError(Exception):
    """A refused request: HTTP status, a short code, and the reason in words."""

    def __init__(self, status: int, code: str, reason: str, details: list[str] | None = None):
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason
        self.details = details or []

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "reason": self.reason}
        if self.details:
            out["details"] = self.details
        return out


class WebhookItem(BaseModel):
    """One item: `text` is required; `id` (the platform's own id) makes resends idempotent."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    id: str | None = Field(default=None, max_length=255)
    text: str = Field(min_length=1, max_length=20_000)
    published_at: str | None = None
    url: str | None = Field(default=None, max_length=2048)
    title: str | None = Field(default=None, max_length=1024)
    author: str | None = Field(default=None, max_length=255)
    author_handle: str | None = Field(default=None, max_length=255)
    language: str | None = Field(default=None, max_length=16)
    likes: int = Field(default=0, ge=0)
    reposts: int = Field(default=0, ge=0)
    replies: int = Field(default=0, ge=0)
    followers: int = Field(default=0, ge=0)
    reply_to: str | None = Field(default=None, max_length=255)
    thread_id: str | None = Field(default=None, max_length=255)

    @field_validator("published_at")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and parse_time(value) is None:
            raise ValueError("an ISO 8601 time such as 2026-11-20T08:00:00Z")
        return value

    @field_validator("url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("an http:// or https:// URL")
        return value


class WebhookPayload(BaseModel):
    """The body: an optional `platform` name and the `items`."""

    model_config = ConfigDict(extra="forbid")

    platform: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9._-]{0,23}$")
    items: list[WebhookItem] = Field(min_length=1, max_length=MAX_ITEMS)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value for a body sent at `timestamp` (what senders compute)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, headers: Mapping[str, str], body: bytes, *, now: dt.datetime) -> None:
    """Raise WebhookError(401) unless the request is signed with `secret` and recent."""
    signature = headers.get(SIGNATURE_HEADER, "").strip()
    stamp = headers.get(TIMESTAMP_HEADER, "").strip()
    if not signature or not stamp:
        raise WebhookError(
            401,
            "missing_signature",
            f"send {TIMESTAMP_HEADER} (Unix seconds) and {SIGNATURE_HEADER} "
            "(sha256=HMAC-SHA256 of TIMESTAMP.BODY)",
        )
    try:
        if not (stamp.isascii() and signature.isascii()):  # hmac compares ASCII only
            raise ValueError("not ASCII")
        sent = dt.datetime.fromtimestamp(int(stamp), dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError) as exc:
        raise WebhookError(401, "bad_timestamp", f"{TIMESTAMP_HEADER} is not Unix seconds") from exc
    if abs(now - sent) > MAX_SKEW:
        raise WebhookError(
            401, "stale_timestamp", "the timestamp is more than 5 minutes off: replay refused"
        )
    if not hmac.compare_digest(sign(secret, stamp, body), signature):
        raise WebhookError(401, "bad_signature", "the signature does not match the body")


def parse_payload(body: bytes, *, source: str, now: dt.datetime) -> list[RawMention]:
    """The body as raw mentions of `source` (or `source:platform`); 400/422 if unusable."""
    try:
        data = json.loads(body)
    except UnicodeDecodeError as exc:
        raise WebhookError(400, "bad_encoding", "the body is not UTF-8") from exc
    except ValueError as exc:
        raise WebhookError(400, "bad_json", f"the body is not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise WebhookError(400, "bad_json", "the body is nested too deeply") from exc
    try:
        payload = WebhookPayload.model_validate(data)
    except ValidationError as exc:
        details = [
            f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
            for err in exc.errors()[:10]
        ]
        raise WebhookError(
            422, "wrong_schema", "the JSON does not follow the schema in docs/webhook.md", details
        ) from exc
    name = f"{source}:{payload.platform}" if payload.platform else source
    return [_mention(item, name, now) for item in payload.items]


def _mention(item: WebhookItem, source: str, now: dt.datetime) -> RawMention:
    published = parse_time(item.published_at) if item.published_at else None
    ident = item.id or item.url or _fingerprint(item)
    return RawMention(
        source=source[:64],
        external_id=ident,
        text=item.text,
        published_at=published or now,
        source_type="webhook",
        url=item.url,
        author=item.author,
        author_handle=item.author_handle,
        title=item.title,
        likes=item.likes,
        reposts=item.reposts,
        replies=item.replies,
        followers=item.followers,
        reply_to=item.reply_to,
        thread_id=item.thread_id,
        language=language(item.language),
        keep_unmatched=True,
    )


def _fingerprint(item: WebhookItem) -> str:
    """A stable id for an item that has none: the same item sent twice is one mention."""
    basis = "\x1f".join([item.text, item.author or "", item.published_at or "", item.title or ""])
    return "h:" + hashlib.blake2b(basis.encode("utf-8"), digest_size=16).hexdigest()
