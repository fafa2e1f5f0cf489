"""The webhook's checks without HTTP: signatures, replay window, schema, ids; and the budget."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from integrations.sources.budget import TokenBucket
from integrations.sources.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookError,
    parse_payload,
    sign,
    verify,
)

NOW = dt.datetime(2026, 11, 20, 8, 0, 0)
STAMP = str(int(NOW.replace(tzinfo=dt.UTC).timestamp()))


def headers(body: bytes, secret: str = "k", stamp: str = STAMP) -> dict[str, str]:
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(secret, stamp, body)}


def test_signature_round_trip_and_failures() -> None:
    body = b'{"items": []}'
    verify("k", headers(body), body, now=NOW)
    cases = [
        ({}, "missing_signature"),
        (headers(body, secret="other"), "bad_signature"),
        (headers(body) | {TIMESTAMP_HEADER: "noon"}, "bad_timestamp"),
        (headers(body, stamp=str(int(STAMP) - 301)), "stale_timestamp"),
        (headers(body, stamp=str(int(STAMP) + 301)), "stale_timestamp"),
    ]
    for given, code in cases:
        with pytest.raises(WebhookError) as caught:
            verify("k", given, body, now=NOW)
        assert (caught.value.status, caught.value.code) == (401, code)
    # The signature covers the timestamp: moving it invalidates the signature.
    moved = headers(body) | {TIMESTAMP_HEADER: str(int(STAMP) + 10)}
    with pytest.raises(WebhookError, match="does not match"):
        verify("k", moved, body, now=NOW)


def test_items_become_mentions_with_stable_ids() -> None:
    body = json.dumps(
        {
            "platform": "xing",
            "items": [
                {"id": "x-1", "text": "Lumora", "language": "de-DE", "extra": "ignored"},
                {"text": "Ohne Id", "author": "Ina", "published_at": "2026-11-19T10:00:00+02:00"},
                {"url": "https://ex.example/3", "text": "Nur URL"},
            ],
        }
    ).encode()
    first = parse_payload(body, source="webhook", now=NOW)
    again = parse_payload(body, source="webhook", now=NOW + dt.timedelta(hours=1))
    assert [m.external_id for m in first] == [m.external_id for m in again]
    assert first[0].external_id == "x-1" and first[0].language == "de"
    assert first[1].external_id.startswith("h:")
    assert first[1].published_at == dt.datetime(2026, 11, 19, 8, 0, tzinfo=dt.UTC)
    assert first[2].external_id == "https://ex.example/3"
    assert {m.source for m in first} == {"webhook:xing"} and first[0].keep_unmatched


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"not json", 400, "bad_json"),
        ('{"items": [{"text": "Grüße"}]}'.encode("latin-1"), 400, "bad_encoding"),
        (b'{"items": []}', 422, "wrong_schema"),
        (b'{"items": [{"text": "x", "url": "javascript:alert(1)"}]}', 422, "wrong_schema"),
        (b'{"platform": "Linked In", "items": [{"text": "x"}]}', 422, "wrong_schema"),
        (b'[{"text": "x"}]', 422, "wrong_schema"),
    ],
)
def test_unusable_bodies(body: bytes, status: int, code: str) -> None:
    with pytest.raises(WebhookError) as caught:
        parse_payload(body, source="webhook", now=NOW)
    assert (caught.value.status, caught.value.code) == (status, code)


def test_token_bucket_per_key() -> None:
    clock = [0.0]
    bucket = TokenBucket(2, 60.0, clock=lambda: clock[0])
    assert bucket.try_take("a") == 0 and bucket.try_take("a") == 0
    assert bucket.try_take("a") == pytest.approx(30.0)
    assert bucket.try_take("b") == 0  # another client has its own budget
    clock[0] = 30.0
    assert bucket.try_take("a") == 0
    bucket.drain("a", 0, 120.0)
    assert bucket.try_take("a") == pytest.approx(120.0)
