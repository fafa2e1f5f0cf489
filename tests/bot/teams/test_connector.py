"""The Bot Connector client: the v3 calls, retries with backoff and Retry-After, limits."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.teams.connector import ConnectorApi, ConnectorError, RetryPolicy
from tests.bot.teams.fake_connector import FakeConnector

CONV = "19:abc@thread.tacv2;messageid=17"
POLICY = RetryPolicy(attempts=5, initial=0.5, maximum=8.0, jitter=0.5, max_retry_after=30.0)


class Recorder:
    def __init__(self) -> None:
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeConnector]:
    server = FakeConnector()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def waits() -> Recorder:
    return Recorder()


@pytest.fixture
async def api(waits: Recorder) -> AsyncIterator[ConnectorApi]:
    client = ConnectorApi(policy=POLICY, sleep=waits.sleep)
    yield client
    await client.close()


async def test_send_reply_update_and_create_speak_v3(
    fake: FakeConnector, api: ConnectorApi
) -> None:
    sent = await api.send(
        fake.url, CONV, {"type": "message", "text": "a"}, authorization="Bearer t"
    )
    replied = await api.send(fake.url, CONV, {"type": "message"}, reply_to="1700")
    await api.update(fake.url, CONV, sent["id"], {"type": "message", "text": "b"})
    created = await api.create_conversation(
        fake.url,
        {"isGroup": True, "channelData": {"channel": {"id": "19:abc@thread.tacv2"}}},
        limit_key="19:abc@thread.tacv2",
    )
    kinds = [(c.kind, c.method, c.conversation_id, c.activity_id) for c in fake.calls]
    assert kinds == [
        ("send", "POST", CONV, None),
        ("reply", "POST", CONV, "1700"),
        ("update", "PUT", CONV, sent["id"]),
        ("create", "POST", None, None),
    ]
    assert fake.calls[0].headers["Authorization"] == "Bearer t"
    assert "Authorization" not in fake.calls[1].headers
    assert (
        replied["id"] and created["id"] == f"19:abc@thread.tacv2;messageid={created['activityId']}"
    )


async def test_retry_statuses_back_off_exponentially_with_jitter(
    fake: FakeConnector, api: ConnectorApi, waits: Recorder
) -> None:
    fake.fail(502, 504, 412, 429)
    await api.send(fake.url, CONV, {"type": "message"})
    assert [c.status for c in fake.calls] == [502, 504, 412, 429, 200]
    assert len(waits.sleeps) == 4
    for attempt, wait in enumerate(waits.sleeps):
        base = min(POLICY.maximum, POLICY.initial * 2**attempt)
        assert base <= wait <= base + POLICY.jitter


async def test_retry_after_is_honoured_up_to_a_cap(
    fake: FakeConnector, api: ConnectorApi, waits: Recorder
) -> None:
    fake.fail(429, retry_after="3")
    fake.fail(429, retry_after="3600")
    await api.send(fake.url, CONV, {"type": "message"})
    assert waits.sleeps == [3.0, POLICY.max_retry_after]


async def test_it_gives_up_after_the_attempts(fake: FakeConnector, api: ConnectorApi) -> None:
    fake.fail(*[502] * 6)
    with pytest.raises(ConnectorError) as failed:
        await api.send(fake.url, CONV, {"type": "message"})
    assert failed.value.status == 502 and len(fake.calls) == POLICY.attempts


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 500])
async def test_other_errors_are_not_retried(
    fake: FakeConnector, api: ConnectorApi, status: int
) -> None:
    fake.fail(status)
    with pytest.raises(ConnectorError) as failed:
        await api.update(fake.url, CONV, "1", {"type": "message"})
    assert failed.value.status == status and len(fake.calls) == 1


async def test_a_refused_connection_is_retried(api: ConnectorApi, waits: Recorder) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(aiohttp.ClientConnectorError):
        await api.send(f"http://127.0.0.1:{port}/", CONV, {"type": "message"})
    assert len(waits.sleeps) == POLICY.attempts - 1


async def test_posts_take_a_slot_per_channel_not_per_thread(
    fake: FakeConnector, api: ConnectorApi
) -> None:
    await api.send(fake.url, CONV, {"type": "message"})
    await api.send(fake.url, "19:abc@thread.tacv2", {"type": "message"})
    assert len(api.limiter._sent["19:abc@thread.tacv2"]) == 2
