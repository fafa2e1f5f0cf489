"""A fake Mastodon instance and a fake Bluesky PDS on 127.0.0.1, one per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integrations.fake_platforms import FakeBluesky, FakeMastodon


@pytest.fixture
async def mastodon() -> AsyncIterator[FakeMastodon]:
    server = await FakeMastodon().start()
    yield server
    await server.close()


@pytest.fixture
async def bluesky() -> AsyncIterator[FakeBluesky]:
    server = await FakeBluesky().start()
    yield server
    await server.close()
