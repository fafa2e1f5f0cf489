"""The contract every polled source keeps, checked for each type alike (contract.CASES):

- a fetch of the real captured response gives items the database takes, under the source's
  name and type, with ids unique in the batch, and a cursor that can be stored as JSON;
- polled twice through the poller against the same upstream, every item is stored once;
- a server error and an unreadable body end in the source's own error (SourceError, which
  `sources` shows), never in another exception.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from aiohttp import web

from config.workspace import SourceConfig
from integrations.sources import poller
from integrations.sources.http import HttpClient, SourceError
from tests.integrations.sources.conftest import FakeAPI
from tests.integrations.sources.contract import CASES, Case
from tests.security.test_parsers import assert_storable

IDS = [c.kind for c in CASES]


@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_a_fetch_gives_storable_items_and_a_storable_cursor(
    case: Case, api: FakeAPI, http: HttpClient
) -> None:
    case.mount(api)
    base = await api.start()
    source = case.source(base, http)
    result = await source.fetch({})
    assert result.items, f"{case.kind}: the captured response gave no item"
    for item in result.items:
        assert item.source == source.name and item.source_type == source.type
        assert item.external_id and item.published_at.tzinfo is not None
        assert_storable(item)
    ids = [i.external_id for i in result.items]
    assert len(ids) == len(set(ids))
    json.dumps(result.cursor)


@pytest.mark.storage
@pytest.mark.parametrize("case", CASES, ids=IDS)
async def test_polled_twice_every_item_is_stored_once(
    case: Case, api: FakeAPI, http: HttpClient, source_services: Any
) -> None:
    from config.settings import Settings

    case.mount(api)
    base = await api.start()
    source_services.settings = Settings.for_tests(
        database_url=source_services.settings.database_url, **case.settings
    )
    cfg = SourceConfig(**case.entry(base))
    source_services.workspace = source_services.workspace.model_copy(update={"sources": [cfg]})
    (first,), failed = await poller.ingest_once(source_services, client=http)
    assert not failed, first
    new = int(first.split(": ")[1].split(" new")[0])
    assert new > 0, first
    (second,), failed = await poller.ingest_once(source_services, client=http)
    assert not failed and second.startswith(f"{cfg.name}: 0 new"), second


@pytest.mark.parametrize("case", CASES, ids=IDS)
@pytest.mark.parametrize("answer", ["error", "truncated"])
async def test_errors_end_in_the_sources_own_error(
    case: Case, answer: str, api: FakeAPI, http: HttpClient
) -> None:
    async def broken(_request: web.Request) -> web.Response:
        if answer == "error":
            return web.Response(status=500, text="Internal Server Error")
        return web.Response(body=b'{"posts": [{"id": 1, "te', content_type="application/json")

    api.app.router.add_route("*", "/{tail:.*}", broken)
    base = await api.start()
    with pytest.raises(SourceError) as caught:
        await case.source(base, http).fetch({})
    assert str(caught.value)
