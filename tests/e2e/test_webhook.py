"""POST /ingest/webhook on the real app with the real analyzer: signatures, replays, bad
bodies, oversized bodies, the per-client rate, and idempotent resends."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from config.settings import Settings
from config.workspace import SourceConfig
from core.models import Mention
from integrations.sources.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

pytestmark = pytest.mark.e2e
SECRET = "webhook-test-secret"
ITEMS = {
    "platform": "linkedin",
    "items": [
        {
            "id": "urn:li:activity:7001",
            "text": "Unsere neue Lumora Brew ist da – und sie ist großartig!",
            "url": "https://www.linkedin.com/feed/update/urn:li:activity:7001/",
            "author": "Lumora GmbH",
            "published_at": "2026-11-20T08:00:00Z",
            "likes": 42,
        },
        {
            "text": "Die Lieferung meiner Kaffeemaschine ist seit zwei Wochen überfällig.",
            "author": "Jana",
            "published_at": "2026-11-20T09:30:00+01:00",
        },
    ],
}


async def _client(db_url: str, *, secret: str = SECRET, rate: int | None = None) -> Any:
    from bot.app import build_app
    from bot.services import build_services

    services = await build_services(Settings.for_tests(database_url=db_url, webhook_secret=secret))
    if rate is not None:
        hook = SourceConfig(name="webhook", type="webhook", options={"rate_per_minute": rate})
        others = [s for s in services.workspace.sources if s.type != "webhook"]
        services.workspace = services.workspace.model_copy(update={"sources": [hook, *others]})
    client = TestClient(TestServer(await build_app(services)))
    await client.start_server()
    return client, services


@pytest.fixture
async def hook(db_url: str) -> AsyncIterator[tuple[TestClient, Any]]:
    from bot.services import close_services

    client, services = await _client(db_url)
    yield client, services
    await client.close()
    await close_services(services)


def signed(body: bytes, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    stamp = str(at if at is not None else int(time.time()))
    return {
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: sign(secret, stamp, body),
        "Content-Type": "application/json",
    }


async def post(client: TestClient, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    resp = await client.post("/ingest/webhook", data=body, headers=headers)
    return resp.status, await resp.json()


async def test_signed_items_are_stored_once(hook: tuple[TestClient, Any]) -> None:
    client, services = hook
    body = json.dumps(ITEMS).encode()
    status, answer = await post(client, body, signed(body))
    assert status == 200, answer
    assert (answer["received"], answer["new"], answer["duplicates"]) == (2, 2, 0)
    status, again = await post(client, body, signed(body))
    assert status == 200 and (again["new"], again["duplicates"]) == (0, 2)
    async with services.sessions() as s:
        rows = {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}
    first = rows["urn:li:activity:7001"]
    assert first.source == "webhook:linkedin" and first.source_type == "webhook"
    assert first.language == "de" and first.sentiment in ("negative", "neutral", "positive")
    assert "lumora brew" in first.matched_terms
    assert first.likes == 42 and first.author == "Lumora GmbH"
    [second] = [m for k, m in rows.items() if k.startswith("h:")]
    assert second.published_at.isoformat() == "2026-11-20T08:30:00"


async def test_bad_missing_and_replayed_signatures_are_refused(
    hook: tuple[TestClient, Any],
) -> None:
    client, services = hook
    body = json.dumps(ITEMS).encode()
    status, answer = await post(client, body, signed(body, secret="wrong"))
    assert (status, answer["error"]) == (401, "bad_signature")
    status, answer = await post(client, body, {"Content-Type": "application/json"})
    assert (status, answer["error"]) == (401, "missing_signature")
    assert TIMESTAMP_HEADER in answer["reason"]
    old = int(time.time()) - 600
    status, answer = await post(client, body, signed(body, at=old))
    assert (status, answer["error"]) == (401, "stale_timestamp")
    tampered = body.replace(b"42", b"43")
    status, answer = await post(client, tampered, signed(body))
    assert (status, answer["error"]) == (401, "bad_signature")
    async with services.sessions() as s:
        assert (await s.execute(select(Mention))).first() is None


async def test_bad_json_and_wrong_schema_say_why(hook: tuple[TestClient, Any]) -> None:
    client, _ = hook
    broken = b'{"items": [{"text": "Lumora'
    status, answer = await post(client, broken, signed(broken))
    assert (status, answer["error"]) == (400, "bad_json")
    wrong = json.dumps(
        {"items": [{"text": "", "likes": "many", "published_at": "yesterday"}], "extra": 1}
    ).encode()
    status, answer = await post(client, wrong, signed(wrong))
    assert (status, answer["error"]) == (422, "wrong_schema")
    details = " ".join(answer["details"])
    assert "items.0.text" in details and "items.0.likes" in details
    assert "items.0.published_at" in details and "extra" in details
    latin = '{"items": [{"text": "Grüße"}]}'.encode("latin-1")
    status, answer = await post(client, latin, signed(latin))
    assert (status, answer["error"]) == (400, "bad_encoding")


async def test_an_oversized_body_is_413(hook: tuple[TestClient, Any]) -> None:
    client, _ = hook
    big = json.dumps({"items": [{"text": "Lumora " * 200_000}]}).encode()
    assert len(big) > 1024 * 1024
    status, answer = await post(client, big, signed(big))
    assert (status, answer["error"]) == (413, "too_large")


async def test_each_client_has_a_request_budget(db_url: str) -> None:
    from bot.services import close_services

    client, services = await _client(db_url, rate=2)
    try:
        body = json.dumps(ITEMS).encode()
        statuses = [
            (await client.post("/ingest/webhook", data=body, headers=signed(body)))
            for _ in range(3)
        ]
        assert [r.status for r in statuses] == [200, 200, 429]
        assert int(statuses[2].headers["Retry-After"]) >= 1
        assert (await statuses[2].json())["error"] == "rate_limited"
    finally:
        await client.close()
        await close_services(services)


async def test_without_a_secret_the_webhook_is_off(db_url: str) -> None:
    from bot.services import close_services

    client, services = await _client(db_url, secret="")
    try:
        body = json.dumps(ITEMS).encode()
        status, answer = await post(client, body, signed(body, secret="anything"))
        assert (status, answer["error"]) == (403, "not_configured")
    finally:
        await client.close()
        await close_services(services)
