"""Mastodon publisher against a local fake instance answering with the real Status shape."""

from __future__ import annotations

import asyncio

import pytest

from core.drafts.errors import PublishError
from integrations.publishers.mastodon import MastodonPublisher, mastodon_key
from tests.integrations.fake_platforms import FakeMastodon

REMOTE_URI = "https://mastodon.social/users/Gargron/statuses/103270115826048975"
REMOTE_URL = "https://mastodon.social/@Gargron/103270115826048975"


def publisher(server: FakeMastodon, token: str = "masto-token") -> MastodonPublisher:
    return MastodonPublisher(base_url=server.url, access_token=token)


async def test_reply_to_a_remote_post_resolves_it_and_posts_once(mastodon: FakeMastodon) -> None:
    pub = publisher(mastodon)
    result = await pub.publish(
        text="Danke! – Team Lumora",
        reply_to_external_id=REMOTE_URI,
        reply_to_url=REMOTE_URL,
        idempotency_key="horchposten-7-1700000000000000",
    )
    assert len(mastodon.created) == 1
    status = mastodon.created[0]
    assert status["in_reply_to_id"] == "9001"  # the post as our instance numbers it
    assert result.external_id == status["id"] and result.url == status["url"]
    body = mastodon.requests[-1][2]
    assert body["status"] == "Danke! – Team Lumora" and body["in_reply_to_id"] == "9001"


async def test_same_key_twice_is_one_status(mastodon: FakeMastodon) -> None:
    pub = publisher(mastodon)
    kwargs = dict(
        text="Hallo", reply_to_external_id=REMOTE_URI, reply_to_url=None, idempotency_key="k-1"
    )
    first, second = await asyncio.gather(pub.publish(**kwargs), pub.publish(**kwargs))
    assert first.external_id == second.external_id
    assert len(mastodon.created) == 1


async def test_retry_after_the_idempotency_window_finds_the_reply(mastodon: FakeMastodon) -> None:
    pub = publisher(mastodon)
    kwargs = dict(
        text="Danke\nfür alles", reply_to_external_id="9001", reply_to_url=None, idempotency_key="a"
    )
    first = await pub.publish(**kwargs)
    mastodon.by_key.clear()  # Mastodon forgets keys after an hour
    again = await pub.publish(**kwargs)
    assert again.external_id == first.external_id
    assert len(mastodon.created) == 1


async def test_local_status_ids_need_no_search(mastodon: FakeMastodon) -> None:
    pub = publisher(mastodon)
    await pub.publish(
        text="x",
        reply_to_external_id=f"{mastodon.url}/users/a/statuses/9001",
        reply_to_url=None,
        idempotency_key="b",
    )
    assert mastodon.created[0]["in_reply_to_id"] == "9001"


async def test_unknown_post_is_a_permanent_error(mastodon: FakeMastodon) -> None:
    with pytest.raises(PublishError) as info:
        await publisher(mastodon).publish(
            text="x",
            reply_to_external_id="https://elsewhere.example/statuses/1",
            reply_to_url=None,
            idempotency_key="c",
        )
    assert info.value.permanent and not mastodon.created


async def test_refused_text_is_permanent_and_unavailable_is_transient(
    mastodon: FakeMastodon,
) -> None:
    pub = publisher(mastodon)
    with pytest.raises(PublishError) as too_long:
        await pub.publish(
            text="x" * 501, reply_to_external_id="9001", reply_to_url=None, idempotency_key="d"
        )
    assert too_long.value.permanent and "500" in str(too_long.value)
    mastodon.fail_posts = [503]
    with pytest.raises(PublishError) as busy:
        await pub.publish(
            text="ok", reply_to_external_id="9001", reply_to_url=None, idempotency_key="e"
        )
    assert not busy.value.permanent


async def test_wrong_token_is_permanent(mastodon: FakeMastodon) -> None:
    with pytest.raises(PublishError) as info:
        await publisher(mastodon, token="nope").publish(
            text="x", reply_to_external_id="9001", reply_to_url=None, idempotency_key="f"
        )
    assert info.value.permanent


async def test_unreachable_instance_is_transient() -> None:
    pub = MastodonPublisher(base_url="http://127.0.0.1:9", access_token="t")
    with pytest.raises(PublishError) as info:
        await pub.publish(
            text="x", reply_to_external_id="1", reply_to_url=None, idempotency_key="g"
        )
    assert not info.value.permanent


def test_idempotency_header_is_stable_and_short() -> None:
    assert mastodon_key("horchposten-1-2") == mastodon_key("horchposten-1-2")
    assert mastodon_key("horchposten-1-2") != mastodon_key("horchposten-2-2")
    assert len(mastodon_key("x" * 500)) < 64
