"""Bluesky publisher against a local fake PDS answering with the real captured thread."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from core.drafts.errors import PublishError
from integrations.publishers.bluesky import (
    BlueskyPublisher,
    at_uri,
    link_facets,
    tid,
    tid_for,
)
from tests.integrations.fake_platforms import TID, FakeBluesky


def publisher(server: FakeBluesky, password: str = "app-pass") -> BlueskyPublisher:
    return BlueskyPublisher(
        handle="lumora.bsky.social", app_password=password, service_url=server.url
    )


async def test_reply_names_root_and_parent_by_uri_and_cid(bluesky: FakeBluesky) -> None:
    post = bluesky.thread["thread"]["post"]
    result = await publisher(bluesky).publish(
        text="Danke @test.marshal.dev! Mehr unter https://lumora.example/help",
        reply_to_external_id=post["uri"],
        reply_to_url=None,
        idempotency_key="horchposten-5-1764000000000000",
    )
    record = bluesky.created[0]
    ref = {"uri": post["uri"], "cid": post["cid"]}
    assert record["reply"] == {"root": ref, "parent": ref}
    assert record["$type"] == "app.bsky.feed.post" and record["createdAt"].endswith("Z")
    features = [f["features"][0]["$type"] for f in record["facets"]]
    assert features == ["app.bsky.richtext.facet#link", "app.bsky.richtext.facet#mention"]
    rkey = tid_for("horchposten-5-1764000000000000")
    assert result.external_id == f"at://{FakeBluesky.DID}/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/lumora.bsky.social/post/{rkey}"


async def test_reply_in_a_thread_keeps_the_threads_root(bluesky: FakeBluesky) -> None:
    root = {"uri": "at://did:plc:root/app.bsky.feed.post/3kroot22222222", "cid": "bafyroot"}
    thread = copy.deepcopy(bluesky.thread)
    thread["thread"]["post"]["record"]["reply"] = {"root": root, "parent": root}
    bluesky.thread = thread
    await publisher(bluesky).publish(
        text="Hallo",
        reply_to_external_id=bluesky.post_uri,
        reply_to_url=None,
        idempotency_key="k",
    )
    reply = bluesky.created[0]["reply"]
    assert reply["root"] == root and reply["parent"]["uri"] == bluesky.post_uri


async def test_a_retry_is_the_same_record(bluesky: FakeBluesky) -> None:
    pub = publisher(bluesky)
    kwargs = dict(
        text="Hallo",
        reply_to_external_id=bluesky.post_uri,
        reply_to_url=None,
        idempotency_key="horchposten-9-1764000000000000",
    )
    first = await pub.publish(**kwargs)
    # A second process (a restart) with a fresh session publishes the same draft again.
    second = await publisher(bluesky).publish(**kwargs)
    assert first == second and len(bluesky.created) == 1


async def test_a_lost_answer_is_recovered_by_the_retry(bluesky: FakeBluesky) -> None:
    bluesky.lose_create_answers = 1
    pub = publisher(bluesky)
    kwargs = dict(
        text="Hallo",
        reply_to_external_id=bluesky.post_uri,
        reply_to_url=None,
        idempotency_key="horchposten-3-1764000000000000",
    )
    # The record was written, the answer lost: the publisher reads it back, no second post.
    result = await pub.publish(**kwargs)
    assert len(bluesky.created) == 1 and result.external_id.endswith(
        tid_for(kwargs["idempotency_key"])
    )


async def test_expired_session_is_renewed(bluesky: FakeBluesky) -> None:
    pub = publisher(bluesky)
    await pub.publish(
        text="a", reply_to_external_id=bluesky.post_uri, reply_to_url=None, idempotency_key="one"
    )
    bluesky.expire_tokens()
    await pub.publish(
        text="b", reply_to_external_id=bluesky.post_uri, reply_to_url=None, idempotency_key="two"
    )
    assert len(bluesky.created) == 2 and bluesky.sessions == 1  # refreshed, no new login


async def test_bad_password_and_missing_post_are_permanent(bluesky: FakeBluesky) -> None:
    with pytest.raises(PublishError) as login:
        await publisher(bluesky, password="wrong").publish(
            text="a",
            reply_to_external_id=bluesky.post_uri,
            reply_to_url=None,
            idempotency_key="x",
        )
    assert login.value.permanent
    with pytest.raises(PublishError) as missing:
        await publisher(bluesky).publish(
            text="a",
            reply_to_external_id="at://did:plc:x/app.bsky.feed.post/3kgone22222222",
            reply_to_url=None,
            idempotency_key="y",
        )
    assert missing.value.permanent and not bluesky.created


async def test_server_error_is_transient(bluesky: FakeBluesky) -> None:
    bluesky.fail_creates = [500]
    with pytest.raises(PublishError) as info:
        await publisher(bluesky).publish(
            text="a", reply_to_external_id=bluesky.post_uri, reply_to_url=None, idempotency_key="z"
        )
    assert not info.value.permanent


def test_tid_is_valid_deterministic_and_distinct() -> None:
    micros = int(dt.datetime(2026, 11, 26, tzinfo=dt.UTC).timestamp() * 1_000_000)
    value = tid(micros, 5)
    assert TID.match(value) and len(value) == 13
    assert tid_for(f"horchposten-5-{micros}") == value
    assert tid_for(f"horchposten-6-{micros}") != value
    assert TID.match(tid_for("anything else"))
    assert tid(micros, 5) < tid(micros + 1, 5)  # sortable by time


def test_web_addresses_become_at_uris() -> None:
    assert (
        at_uri("x", "https://bsky.app/profile/alice.bsky.social/post/3kabc")
        == "at://alice.bsky.social/app.bsky.feed.post/3kabc"
    )
    with pytest.raises(PublishError):
        at_uri("12345", "https://example.org/post/1")


def test_link_facets_use_utf8_byte_offsets() -> None:
    text = "Schön: https://lumora.example/ä"
    (facet,) = link_facets(text)
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == "https://lumora.example/ä"
