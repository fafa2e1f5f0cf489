"""The shared HTTP client against a local server: retries, Retry-After, timeouts, bad bodies."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from aiohttp import web

from integrations.sources.http import (
    USER_AGENT,
    BadPayload,
    HttpClient,
    HttpError,
    RateLimited,
    RetryPolicy,
    SourceError,
    parse_retry_after,
)
from tests.integrations.sources.conftest import FakeAPI


def flaky(*answers: web.Response) -> object:
    """A handler answering with each response in turn, then 200 {"ok": true}."""
    queue = list(answers)

    async def handler(_request: web.Request) -> web.Response:
        return queue.pop(0) if queue else web.json_response({"ok": True})

    return handler


async def test_sends_a_descriptive_user_agent(api: FakeAPI, http: HttpClient) -> None:
    api.get("/x", flaky())
    base = await api.start()
    resp = await http.request("GET", f"{base}/x", params={"a": 1, "skip": None, "b": True})
    assert resp.json() == {"ok": True}
    request = api.requests[0]
    assert request.headers["User-Agent"] == USER_AGENT
    assert dict(request.query) == {"a": "1", "b": "true"}


async def test_a_429_with_a_short_retry_after_is_waited_out(api: FakeAPI) -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    api.get("/x", flaky(web.Response(status=429, headers={"Retry-After": "1"})))
    base = await api.start()
    client = HttpClient(retry=RetryPolicy(attempts=3, initial=0.01, max_retry_after=5), sleep=sleep)
    try:
        assert (await client.request("GET", f"{base}/x")).json() == {"ok": True}
    finally:
        await client.close()
    assert waits == [1.0] and len(api.requests) == 2


async def test_a_429_asking_for_longer_fails_the_poll_with_the_wait(
    api: FakeAPI, http: HttpClient
) -> None:
    api.get("/x", flaky(web.Response(status=429, headers={"Retry-After": "120"})))
    base = await api.start()
    with pytest.raises(RateLimited) as caught:
        await http.request("GET", f"{base}/x")
    assert caught.value.retry_after == 120 and len(api.requests) == 1


async def test_server_errors_are_retried_with_backoff_then_reported(
    api: FakeAPI, http: HttpClient
) -> None:
    api.get("/x", flaky(*[web.Response(status=500) for _ in range(5)]))
    base = await api.start()
    with pytest.raises(HttpError) as caught:
        await http.request("GET", f"{base}/x")
    assert caught.value.status == 500 and "HTTP 500" in str(caught.value)
    assert len(api.requests) == 3  # the policy's attempts


async def test_a_500_then_success_is_not_an_error(api: FakeAPI, http: HttpClient) -> None:
    api.get("/x", flaky(web.Response(status=503), web.Response(status=502)))
    base = await api.start()
    assert (await http.request("GET", f"{base}/x")).json() == {"ok": True}


async def test_a_client_error_is_not_retried(api: FakeAPI, http: HttpClient) -> None:
    api.get("/x", flaky(web.Response(status=404)))
    base = await api.start()
    with pytest.raises(HttpError):
        await http.request("GET", f"{base}/x")
    assert len(api.requests) == 1


async def test_a_timeout_is_retried_and_named(api: FakeAPI) -> None:
    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(2)
        return web.json_response({})

    api.get("/slow", slow)
    base = await api.start()
    client = HttpClient(timeout=0.2, retry=RetryPolicy(attempts=2, initial=0.01, max_wait=0.01))
    try:
        with pytest.raises(SourceError, match=r"timeout after 0\.2 s"):
            await client.request("GET", f"{base}/slow")
    finally:
        await client.close()
    assert len(api.requests) == 2


async def test_truncated_json_and_wrong_encoding_are_bad_payloads(
    api: FakeAPI, http: HttpClient
) -> None:
    async def truncated(_request: web.Request) -> web.Response:
        return web.Response(
            body=b'{"statuses": [{"id": "1", "content": "Lum', content_type="application/json"
        )

    async def latin1(_request: web.Request) -> web.Response:
        return web.Response(
            body='{"text": "Grüße"}'.encode("latin-1"), content_type="application/json"
        )

    api.get("/truncated", truncated)
    api.get("/latin1", latin1)
    base = await api.start()
    with pytest.raises(BadPayload, match="invalid or truncated JSON"):
        (await http.request("GET", f"{base}/truncated")).json()
    with pytest.raises(BadPayload, match=r"wrong encoding|invalid or truncated"):
        (await http.request("GET", f"{base}/latin1")).json()


async def test_a_body_cut_off_by_the_server_is_reported(api: FakeAPI, http: HttpClient) -> None:
    async def cut(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "1000"})
        await resp.prepare(request)
        await resp.write(b'{"hits": [')
        assert request.transport is not None
        request.transport.close()
        return resp

    api.get("/cut", cut)
    base = await api.start()
    with pytest.raises(SourceError, match=r"broke off|cannot reach"):
        await http.request("GET", f"{base}/cut")


async def test_an_oversized_body_is_refused(api: FakeAPI) -> None:
    api.get("/big", flaky(web.Response(body=b"x" * 5000)))
    base = await api.start()
    client = HttpClient(max_body=1000)
    try:
        with pytest.raises(BadPayload, match="more than the 1000"):
            await client.request("GET", f"{base}/big")
    finally:
        await client.close()


def test_retry_after_takes_seconds_or_an_http_date() -> None:
    now = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Fri, 20 Nov 2026 08:01:00 GMT", now=now) == 60.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
