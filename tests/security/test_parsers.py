"""Property tests of every inbound parser, called directly: whatever comes in, the answer
is a result or the parser's own documented refusal — never another exception, never a hang.

The HTTP endpoints in front of these parsers are fuzzed in test_endpoints_fuzz.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.slack import inbound as slack_in
from bot.slack.forms import FormSpec, ModalContext
from bot.teams import inbound as teams_in
from bot.teams.endpoint import parse_activity
from core.ingest_rows import normalize
from core.models import Mention
from core.raw import RawMention
from core.storage.mentions import fts_query_postgres
from core.storage.search_sqlite import parse_query
from handlers.args import _TYPOGRAPHIC, UsageError, parse, read_words, split_text
from integrations.sources.webhook import WebhookError, parse_payload, sign, verify
from tests.bot.slack.fake_slack import fixture as slack_fixture
from tests.bot.teams.activities import fixture as teams_fixture
from tests.security.strategies import any_text, dumps, garbage, json_values, mutated

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
NOW = dt.datetime(2026, 11, 26, 9, 0)
INT32 = 2**31 - 1


# --- the user's own command arguments ----------------------------------------------------


@FAST
@given(text=any_text | st.text(alphabet="\"'“”„‘’\\ -x", max_size=40))
def test_split_text_splits_or_says_usage(text: str) -> None:
    words, _guessed = read_words(text)
    assert words == split_text(text)
    assert all(isinstance(w, str) for w in words)
    # Nothing is lost but quotes, backslashes and white space.
    kept = "".join(c for c in text.translate(_TYPOGRAPHIC) if not c.isspace() and c not in "\"'\\")
    assert "".join(c for c in "".join(words) if not c.isspace() and c not in "\"'\\") == kept


@FAST
@given(
    args=st.lists(any_text | st.sampled_from(["--since", "--page", "--x", "--", "--=", "-"])),
    max_positional=st.none() | st.integers(0, 3),
)
def test_parse_parses_or_says_usage(args: list[str], max_positional: int | None) -> None:
    try:
        parsed = parse(
            args,
            options=("since", "page", "sentiment"),
            choices={"sentiment": ("negative", "positive")},
            max_positional=max_positional,
        )
    except UsageError as exc:
        assert exc.key.startswith("usage.")
        return
    assert set(parsed.options) <= {"since", "page", "sentiment"}
    assert parsed.options.get("sentiment", "negative") in ("negative", "positive")


_FTS5 = re.compile(r'^"[^"]*"\*?( (AND|NOT) "[^"]*"\*?)*$')
_TSQUERY = re.compile(r"^[\w\s&!()<>:*-]*$")


@FAST
@given(query=any_text | st.text(alphabet='"-* abc()NEARORAND:^', max_size=40))
def test_full_text_queries_are_always_quoted(query: str) -> None:
    parsed = parse_query(query)
    if parsed is not None:
        fts = parsed.fts5()
        # Every user word is inside a quoted string: no FTS5 operator of theirs survives.
        assert _FTS5.match(fts), fts
        assert all('"' not in w for p in parsed.positive + parsed.negative for w in p.words)
    pg = fts_query_postgres(query)
    if pg is not None:
        assert _TSQUERY.match(pg), pg
        assert "'" not in pg and "\\" not in pg and "|" not in pg


# --- Slack payloads behind the signature -------------------------------------------------

_SLACK_REFUSALS = (slack_in.PayloadError, UsageError)


def _slack_form() -> dict[str, Any]:
    from urllib.parse import parse_qsl

    from tests.bot.slack.fake_slack import FIXTURES

    raw = (FIXTURES / "slash_command.form").read_text().strip()
    return dict(parse_qsl(raw, keep_blank_values=True))


@FAST
@given(body=mutated(_slack_form()) | json_values)
def test_slack_slash_command_fields(body: Any) -> None:
    if not isinstance(body, dict):
        return  # bolt hands listeners dicts only
    try:
        origin = slack_in.command_origin(body)
        request = slack_in.command_request(body, origin)
    except _SLACK_REFUSALS:
        return
    assert isinstance(request.command, str) and request.actor.platform == "slack"


@FAST
@given(
    body=mutated(slack_fixture("app_mention.json")) | mutated(slack_fixture("message_im.json")),
    bot_user=st.none() | any_text,
)
def test_slack_events(body: Any, bot_user: str | None) -> None:
    if not isinstance(body, dict):
        return
    try:
        origin = slack_in.event_origin(body)
        if origin is not None:
            slack_in.event_request(body, origin, bot_user)
    except _SLACK_REFUSALS:
        pass


@FAST
@given(body=mutated(slack_fixture("block_actions.json"), max_changes=4))
def test_slack_block_actions(body: Any) -> None:
    if not isinstance(body, dict):
        return
    try:
        _origin, request = slack_in.action_request(body)
    except _SLACK_REFUSALS:
        return
    assert isinstance(request.action_value, str)


def _our_view() -> dict[str, Any]:
    body = slack_fixture("view_submission.json")
    body["view"]["callback_id"] = "horch.form"
    body["view"]["private_metadata"] = ModalContext(
        "draft.save", "7", "C1", None, "1.2", "http://127.0.0.1:9/hook"
    ).encode()
    return dict(body)


@FAST
@given(body=mutated(_our_view(), max_changes=4), metadata=st.none() | any_text)
@example(body={**_our_view(), "view": {**_our_view()["view"], "state": []}}, metadata=None)
def test_slack_view_submissions(body: Any, metadata: str | None) -> None:
    if not isinstance(body, dict):
        return
    if metadata is not None and isinstance(body.get("view"), dict):
        body["view"]["private_metadata"] = metadata
    try:
        _origin, request = slack_in.view_request(body)
    except _SLACK_REFUSALS:
        return
    assert all(isinstance(v, str) for v in request.form.values())


@FAST
@given(text=any_text | st.text(alphabet="<>@!#|^&;ltgamp U1", max_size=50))
def test_slack_message_text_unwraps(text: str) -> None:
    assert isinstance(slack_in.plain_text(text, "U1"), str)
    assert isinstance(slack_in.plain_text(text), str)


@FAST
@given(value=any_text | json_values.map(json.dumps))
@example(value='["a", "b", "c", "d", [{}]]')
@example(value='["a", "b", "c", "d", [[1]]]')
@example(value='["a", "b", "c", "d", [["i", "l", "v", true, 1e999]]]')
@example(value='["a", "b", "c", "d", [null]]')
def test_slack_form_button_value(value: str) -> None:
    """The value of the "open form" button comes back from Slack; a forged one is refused."""
    with contextlib.suppress(ValueError):
        FormSpec.from_json(value)


# --- Teams activities --------------------------------------------------------------------


@FAST
@given(
    body=garbage
    | mutated(teams_fixture("personal_message.json"), max_changes=4).map(dumps)
    | mutated(teams_fixture("card_action_invoke.json"), max_changes=4).map(dumps)
)
@example(body=dumps(teams_fixture("channel_message.json") | {"entities": [None]}))
@example(
    body=dumps(teams_fixture("conversation_update_team_install.json") | {"membersAdded": [None]})
)
@example(body=dumps(teams_fixture("personal_message.json") | {"conversation": {"id": ".."}}))
def test_teams_activities(body: bytes) -> None:
    try:
        activity = parse_activity(body)
    except ValueError:
        return
    try:
        request = teams_in.message_request(activity)
        assert isinstance(request.text, str)
    except UsageError:
        pass
    teams_in.conversation_of(activity)
    teams_in.bot_was_added(activity)
    if activity.value is not None:
        with contextlib.suppress(teams_in.BadCardAction):
            teams_in.card_action(activity.value)


@FAST
@given(payload=json_values | mutated(teams_fixture("card_action_invoke.json")["value"]))
def test_teams_card_actions(payload: Any) -> None:
    try:
        action = teams_in.card_action(payload)
    except teams_in.BadCardAction:
        return
    assert action.action_id and all(isinstance(v, str) for v in action.form.values())


# --- the ingest webhook ------------------------------------------------------------------

SECRET = "whsec-test-1234567890"
_ITEM = {
    "id": "li-1",
    "text": "Lumora Brew <!here> ist super",
    "published_at": "2026-11-20T08:00:00Z",
    "url": "https://www.linkedin.com/feed/update/1",
    "author": "Anna",
    "likes": 3,
}


@FAST
@given(
    body=garbage | json_values.map(dumps) | mutated({"items": [_ITEM, _ITEM]}).map(dumps),
    stamp=st.none() | any_text | st.just(str(int(NOW.replace(tzinfo=dt.UTC).timestamp()))),
    signature=st.none() | any_text,
    good=st.booleans(),
)
def test_webhook_requests(
    body: bytes, stamp: str | None, signature: str | None, good: bool
) -> None:
    headers = {}
    if stamp is not None:
        headers["X-Horch-Timestamp"] = stamp
        if good:
            try:
                signature = sign(SECRET, stamp, body)
            except UnicodeEncodeError:
                signature = "sha256=00"
    if signature is not None:
        headers["X-Horch-Signature"] = signature
    try:
        verify(SECRET, headers, body, now=NOW)
        items = parse_payload(body, source="webhook", now=NOW)
    except WebhookError as exc:
        assert 400 <= exc.status < 500 and exc.reason
        return
    for item in items:
        assert_storable(item)


# --- what every source hands the pipeline ------------------------------------------------


def assert_storable(item: RawMention) -> None:
    """A raw item the pipeline either refuses (None) or turns into a row both databases take."""
    normalized = normalize(item, NOW)
    if normalized is None:
        return
    row, _keep = normalized
    for key in ("likes", "reposts", "replies", "reach"):
        assert 0 <= row[key] <= INT32, (key, row[key])
    for key, value in row.items():
        if isinstance(value, str):
            assert "\x00" not in value, key
            value.encode("utf-8")  # no lone surrogates: neither database stores them
            length = getattr(Mention.__table__.columns[key].type, "length", None)  # type: ignore[attr-defined]
            assert length is None or len(value) <= length, (key, len(value))
    assert row["published_at"].tzinfo is None


@FAST
@given(
    text=any_text,
    title=st.none() | any_text,
    counts=st.lists(st.integers() | st.sampled_from([2**31, 10**40]), min_size=4, max_size=4),
    published=st.datetimes(timezones=st.timezones() | st.none())
    | st.sampled_from(
        [
            dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5))),
            dt.datetime(9999, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        ]
    ),
    ident=any_text,
)
def test_pipeline_normalizes_anything(
    text: str, title: str | None, counts: list[int], published: dt.datetime, ident: str
) -> None:
    likes, reposts, replies, followers = counts
    item = RawMention(
        source="src\x00",
        external_id=ident,
        text=text,
        title=title,
        published_at=published,
        author=text,
        author_handle=title,
        url=title,
        likes=likes,
        reposts=reposts,
        replies=replies,
        followers=followers,
    )
    assert_storable(item)


@pytest.mark.parametrize("value", ["²", "1e309", "١٢٣", "inf", "nan", "9" * 5000, "-1"])
def test_loose_payload_values(value: str) -> None:
    from integrations.sources.values import count, parse_time

    assert count(value) >= 0
    assert count(float("inf")) >= 0
    parse_time(value)


# --- markup that makes naive parsers quadratic -------------------------------------------

ADVERSARIAL = {
    "comments": "<!--" * 100_000,
    "end_tags": "</a" * 100_000,
    "processing": "<?" * 100_000,
    "open_tags": "<a" * 200_000,
    "teams_at": "<at>" * 100_000,
    "slack_angles": "<@" * 200_000,
    "quotes": '"a' * 200_000,
}
HANG = 20.0  # seconds: linear work takes a fraction of one; the quadratic took minutes


def _all_readers(text: str) -> None:
    from bot.slack.escape import split
    from bot.teams.markdown import escape

    item = RawMention(source="s", external_id="1", text=text, title=text, published_at=NOW)
    normalize(item, NOW)
    slack_in.plain_text(text, "U1")
    activity = parse_activity(dumps(teams_fixture("personal_message.json") | {"text": text}))
    teams_in.command_text(activity)
    parse_query(text)
    fts_query_postgres(text)
    split(text, 3000)
    escape(text)


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_no_reader_is_quadratic(name: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_all_readers, ADVERSARIAL[name]).result(timeout=HANG)
