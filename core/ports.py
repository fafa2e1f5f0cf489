"""The ports: small Protocols that integrations and platform adapters implement.

Core and handlers depend only on these; `integrations/` and `bot/` provide the real
implementations, and tests may pass their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from core.raw import RawMention
from core.reply import Reply


@dataclass
class FetchResult:
    """What one poll of a source returned."""

    items: list[RawMention]
    cursor: dict[str, Any]
    # Requests left in the source's budget, when the source says (rate-limit headers).
    quota_remaining: int | None = None
    # More pages are waiting (the poller may fetch again at once).
    more: bool = False
    notes: list[str] = field(default_factory=list)


class Source(Protocol):
    """A place mentions come from.

    `fetch` returns the items after `cursor` and the cursor to store *after* they are
    stored: a crash between the two refetches, and the idempotent insert drops the repeats,
    so a restart neither loses nor doubles a mention. It raises on failure; the poller
    records the error for this source only and retries with backoff.
    """

    name: str
    type: str

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class Published:
    """Where a published reply can be seen."""

    url: str | None
    external_id: str


class Publisher(Protocol):
    """Posts an approved reply on the platform of the mention it answers.

    Must be idempotent per `idempotency_key`: publishing the same approval twice (a retry,
    a restart) yields the same post, never a second one.
    """

    platform: str

    async def publish(
        self,
        *,
        text: str,
        reply_to_external_id: str,
        reply_to_url: str | None,
        idempotency_key: str,
    ) -> Published: ...


class LLM(Protocol):
    """An OpenAI-compatible chat model. Messages are role/content pairs; returns n texts."""

    async def complete(
        self,
        *,
        messages: list[dict[str, str]],
        n: int = 1,
        max_tokens: int = 600,
        temperature: float = 0.4,
    ) -> list[str]: ...


class Notifier(Protocol):
    """Posts a reply to a channel of one chat platform without a request (standups, alerts).

    Returns a reference of the posted message (Slack `ts`, Teams activity id) so a later
    change can update it, or None if the platform gives none.
    """

    platform: str

    async def post(
        self,
        *,
        channel_id: str,
        reply: Reply,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None: ...
