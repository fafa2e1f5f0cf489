"""`mentions <anything>` and other command lines through the real dispatch, against a real
database (SQLite; PostgreSQL with HORCH_TEST_PG=1): a reply or a usage message, never the
"something went wrong" answer, and the reply renders safely on every platform.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.console.chat import parse_line
from bot.console.render import to_text
from bot.slack.render import render as render_slack
from bot.teams.render import render_card
from core.i18n import translate
from core.reply import Actor, Conversation, Reply, Request
from handlers.args import UsageError
from handlers.dispatch import dispatch
from tests.security.render_checks import check_console, check_slack, check_teams
from tests.security.strategies import any_text

pytestmark = pytest.mark.asyncio
EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
QUERY_WORDS = st.sampled_from(
    [
        '"',
        '"Lumora Brew"',
        "-kaputt",
        "-",
        "*",
        "Lumora*",
        "NEAR(a b)",
        "a OR b",
        "a:*",
        "!a",
        "a & b",
        "a <-> b",
        "'",
        "\\",
        "(",
        ")",
        "^a",
        "{a}",
        "--since",
        "7d",
        "--source",
        "--page",
        "0",
        "-1",
        "99999999999999999999",
        "--sentiment",
        "negative",
        "--lang",
        "de",
        "\x00",
        "\ud800",
        "é",
        "ß",
        "_",
        "___",
        "🙂",
    ]
)
ACTOR = Actor(id="U-fuzz", name="fuzz", platform="slack")
WHERE = Conversation(platform="slack", id="C-fuzz")


def internal_error(reply: Reply) -> bool:
    return any(
        section in (translate(loc, "errors.internal") for loc in ("de", "en"))
        for section in reply.sections
    )


async def answer(services: Any, request: Request) -> Reply:
    reply = await dispatch(services.registry, services, request)
    assert isinstance(reply, Reply)
    assert not internal_error(reply), request
    for message in render_slack(reply, locale="en", zone="UTC").messages:
        assert check_slack(message) == []
    assert (
        check_teams(
            render_card(reply, locale="en", zone="UTC"),
            allowed_urls=set(f"https://example.org/{i}" for i in range(100)),
        )
        == []
    )
    assert check_console(to_text(reply, locale="en", zone="UTC")) == []
    return reply


@EXAMPLES
@given(words=st.lists(QUERY_WORDS | any_text, max_size=6))
@example(words=["Lumora", "--source", "\x00"])
@example(words=["--source", "\ud800x"])
@example(words=["\x00Lumora"])
@example(words=["--page", "9" * 30])
@example(words=["--since", "99999999999d"])
async def test_mentions_with_any_arguments(seeded: Any, words: list[str]) -> None:
    await answer(seeded, Request("mentions", words, ACTOR, WHERE, locale="en"))


@EXAMPLES
@given(line=st.lists(QUERY_WORDS | any_text, max_size=5).map(" ".join))
async def test_mentions_command_lines(seeded: Any, line: str) -> None:
    try:
        request = parse_line(f"mentions {line}", "de")
    except UsageError:
        return
    request.actor, request.conversation = ACTOR, WHERE
    await answer(seeded, request)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    command=st.sampled_from(
        [
            "mentions",
            "trends",
            "sources",
            "watch",
            "brief",
            "alerts",
            "help",
            "language",
            "backlog",
            "drafts",
            "draft",
            "standup",
            "assess",
            "sprint",
            "nope",
        ]
    ),
    words=st.lists(QUERY_WORDS | any_text, max_size=4),
)
async def test_any_command_with_hostile_arguments(
    seeded: Any, command: str, words: list[str]
) -> None:
    await answer(seeded, Request(command, words, ACTOR, WHERE, locale="en"))


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    action=st.sampled_from(
        [
            "mentions.page",
            "draft.create",
            "draft.show",
            "draft.approve",
            "draft.edit",
            "draft.save",
            "nope.nope",
        ]
    ),
    value=any_text
    | st.sampled_from(
        [
            '{"q": "\\u0000", "page": "2"}',
            '{"page": "1e9"}',
            '{"source": "\\ud800"}',
            '{"source": "\\u0000"}',
            "[]",
            "null",
            "1" * 40,
        ]
    ),
)
async def test_forged_button_values(seeded: Any, action: str, value: str) -> None:
    request = Request("", [], ACTOR, WHERE, locale="en", action_id=action, action_value=value)
    await answer(seeded, request)


FORGED_JSON = [
    '{"q": "\\u0000", "page": "2"}',
    '{"source": "\\u0000"}',
    '{"source": "\\ud800"}',
    '{"\\u0000": "x"}',
    '{"key": "term:\\u0000", "kind": "burst"}',
    '{"capacity": "\\u0000"}',
    "[]",
    "null",
    "",
]
JSON_ACTIONS = ["mentions.page", "trends.to_backlog", "sprint.plan", "sprint.status"]


@pytest.mark.parametrize("action", JSON_ACTIONS)
@pytest.mark.parametrize("value", FORGED_JSON)
async def test_every_json_button_rejects_unstorable_escapes(
    seeded: Any, action: str, value: str
) -> None:
    """Escaped NUL or lone surrogates in a button's JSON must be a clear message, not a
    database error (PostgreSQL refuses NUL in text; CI once caught this only by chance)."""
    request = Request("", [], ACTOR, WHERE, locale="en", action_id=action, action_value=value)
    await answer(seeded, request)
