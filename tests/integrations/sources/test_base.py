"""The paging window shared by the search sources."""

from __future__ import annotations

import pytest

from integrations.sources.base import ConfigError, Window
from integrations.sources.hackernews import HackerNewsSource
from integrations.sources.http import HttpClient
from tests.integrations.sources.conftest import source_config


def test_a_complete_fetch_moves_since_to_the_newest() -> None:
    after = Window(since=10).advance(top=40, bottom=12, complete=True, key=int)
    assert after == Window(since=40)


def test_a_capped_fetch_leaves_a_backlog_then_finishes_it() -> None:
    capped = Window(since=10).advance(top=40, bottom=30, complete=False, key=int)
    assert capped == Window(since=10, until=30, newest=40)
    still = capped.advance(top=30, bottom=20, complete=False, key=int)
    assert still == Window(since=10, until=20, newest=40)
    done = still.advance(top=20, bottom=11, complete=True, key=int)
    assert done == Window(since=40)


def test_an_empty_fetch_keeps_the_state() -> None:
    assert Window(since=10).advance(top=None, bottom=None, complete=True, key=int) == Window(10)
    assert Window.load({"since": 3, "until": 2, "newest": 9}).dump() == {
        "since": 3,
        "until": 2,
        "newest": 9,
    }
    assert Window.load("garbage") == Window()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({}, "needs `query`"),
        ({"query": "x", "options": {"max_pages": "many"}}, "options.max_pages must be a whole"),
        ({"query": "x", "options": {"tags": 5}}, "options.tags must be text"),
    ],
)
def test_options_are_checked(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        HackerNewsSource(source_config("hn", "hackernews", **values), HttpClient())
