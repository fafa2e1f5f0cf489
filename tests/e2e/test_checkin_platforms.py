"""Check-ins end to end through the real Slack and Teams adapters and their fakes: three
members asked in private, two answer (one edits), one does not; the process restarts in the
middle and asks nobody twice; the standup posts once, the blocker first, then the other
answer, and "no answer from" the third."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from core.i18n import translate
from core.models_checkin import CheckinAnswer
from core.storage import checkins
from tests.bot.slack.fake_slack import Call, FakeSlack, fixture
from tests.bot.slack.harness import BOT_USER, SlackHarness, block_action
from tests.bot.slack.harness import running_bot as slack_bot
from tests.bot.teams import activities as act
from tests.bot.teams.harness import TeamsHarness, start_bot, stop_bot
from tests.core.backlog.helpers import Clock, migrated_db_url
from tests.e2e.test_sprint_teams import texts
from tests.e2e.test_teams_cards import all_actions

pytestmark = [pytest.mark.e2e, pytest.mark.storage]
MONDAY_0700 = dt.datetime(2026, 11, 23, 6, 0)  # 07:00 in Berlin
ASK = dt.datetime(2026, 11, 23, 7, 45)  # 08:45 Berlin: the check-in time
STANDUP = dt.datetime(2026, 11, 23, 8, 30)  # 09:30 Berlin
ANNA = ("Launch post is out", "Battery FAQ", "Waiting for legal on the battery claims")
BEN_FIRST = ("Newsletter draft", "Review", "no")
BEN_EDIT = ("Newsletter draft and the #1 review", "Newsletter send-out", "nothing")


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


def _time(services: Any, clock: Clock) -> None:
    """The test's clock, and no background ticks: the test runs each tick itself."""
    services.background.scheduler.shutdown()
    services.clock = clock
    services.background.standups.clock = clock


async def _rows(services: Any) -> list[CheckinAnswer]:
    async with services.sessions() as session:
        return list((await session.execute(select(CheckinAnswer))).scalars().all())


def _standup_lines(locale: str) -> dict[str, str]:
    return {
        "blocked": translate(locale, "checkin.blocked_title", name="Anna"),
        "silent": translate(locale, "checkin.no_answer_from", list="Cem"),
    }


# --- Slack ----------------------------------------------------------------------------


def _slack_user(uid: str, name: str, *, locale: str = "en-US", bot: bool = False) -> dict[str, Any]:
    """A users.info user as Slack documents it (with include_locale)."""
    return {
        "id": uid,
        "team_id": "T111",
        "name": name.lower(),
        "deleted": False,
        "real_name": name,
        "tz": "Europe/Berlin",
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "locale": locale,
        "is_bot": bot,
        "profile": {"real_name": name, "display_name": name},
    }


def _people(fake: FakeSlack) -> None:
    fake.channel_members["C111"] = ["U1", "U2", "U3", BOT_USER]
    fake.users.update(
        {
            "U1": _slack_user("U1", "Anna"),
            "U2": _slack_user("U2", "Ben"),
            "U3": _slack_user("U3", "Cem", locale="de-DE"),
            BOT_USER: _slack_user(BOT_USER, "Horchposten", bot=True),
        }
    )


def _dms(fake: FakeSlack) -> list[Call]:
    return [c for c in fake.of("chat.postMessage") if str(c.params["channel"]).startswith("D")]


def _form_button(call: Call) -> dict[str, Any]:
    return next(
        element
        for block in call.params.get("blocks") or []
        for element in block.get("elements") or []
        if element.get("action_id") == "_slack.form"
    )


async def _answer_in_slack(bot: SlackHarness, dm: Call, user: str, values: tuple[str, ...]) -> None:
    """Click the DM's Answer button (the modal opens), fill the fields, submit."""
    opened_before = len(bot.fake.of("views.open"))
    payload = block_action("_slack.form", _form_button(dm)["value"], response_url=bot.fake.hook())
    channel = str(dm.params["channel"])
    payload["container"].update(message_ts=dm.response["ts"], channel_id=channel)
    payload["channel"] = {"id": channel, "name": "directmessage"}
    payload["user"] = {**payload["user"], "id": user, "username": user, "name": user}
    assert (await bot.interact(payload)).status == 200
    opened = await bot.fake.wait_for(lambda: bot.fake.of("views.open")[opened_before:])
    await _submit_view(bot, opened[0].params["view"], user, values)


async def _submit_view(
    bot: SlackHarness, view: dict[str, Any], user: str, values: tuple[str, ...]
) -> None:
    fields = [b for b in view["blocks"] if b["type"] == "input"]
    assert fields[0]["label"]["text"] == "What did you finish yesterday?"
    submission = copy.deepcopy(fixture("view_submission.json"))
    submission["user"] = {**submission["user"], "id": user, "username": user, "name": user}
    submission["view"].update(
        callback_id=view["callback_id"],
        private_metadata=view["private_metadata"],
        blocks=view["blocks"],
        state={
            "values": {
                f["block_id"]: {
                    f["element"]["action_id"]: {"type": "plain_text_input", "value": value}
                }
                for f, value in zip(fields, values, strict=True)
            }
        },
    )
    assert (await bot.interact(submission)).status == 200
    await bot.settle()


async def test_slack_check_ins_through_dms_and_modals_survive_a_restart(db_url: str) -> None:
    clock = Clock(MONDAY_0700)
    async with slack_bot(db_url, samples=False) as bot:
        _time(bot.services, clock)
        _people(bot.fake)
        await bot.command("standup checkin on --at 08:45 --remind 10")
        await bot.fake.wait_for(lambda: bot.fake.of("hook:cmd") or bot.fake.of("chat.postMessage"))
        jobs = bot.services.background.checkins
        clock.set(ASK - dt.timedelta(minutes=1))
        assert await jobs.tick() == []
        clock.set(ASK)
        asked = await jobs.tick()
        assert sorted(a.member for a in asked) == ["U1", "U2", "U3"]
        dms = {str(c.params["channel"]): c for c in _dms(bot.fake)}
        assert sorted(dms) == ["DU1", "DU2", "DU3"]
        # Each in the member's language; the channel sees none of it.
        assert "What will you do today?" in json.dumps(dms["DU1"].params["blocks"])
        assert "Was machst du heute?" in json.dumps(dms["DU3"].params["blocks"])
        await _answer_in_slack(bot, dms["DU1"], "U1", ANNA)
        await _answer_in_slack(bot, dms["DU2"], "U2", BEN_FIRST)
        rows = {r.member_id: r for r in await _rows(bot.services)}
        assert checkins.answers_of(rows["U1"]) == list(ANNA)
        in_channel = [c for c in bot.fake.calls if c.params.get("channel") == "C111"]
        assert not any(ANNA[2] in json.dumps(c.params) for c in in_channel)

    # A restart in the middle: the new process asks nobody again, and Ben edits his answer.
    async with slack_bot(db_url, samples=False) as bot:
        _time(bot.services, clock)
        _people(bot.fake)
        jobs = bot.services.background.checkins
        clock.set(ASK + dt.timedelta(minutes=5))
        assert await jobs.tick() == []
        assert _dms(bot.fake) == []
        # Ben opens his check-in again by command in the channel: the modal opens at once,
        # with his answers, and he edits them.
        await bot.command("standup checkin", user_id="U2")
        (opened,) = await bot.fake.wait_for(lambda: bot.fake.of("views.open"))
        view = opened.params["view"]
        assert "Review" in json.dumps(view)
        await _submit_view(bot, view, "U2", BEN_EDIT)
        # The reminder goes to Cem alone, once.
        clock.set(STANDUP - dt.timedelta(minutes=10))
        reminded = await jobs.tick() + await jobs.tick()
        assert [(a.member, a.result) for a in reminded] == [("U3", "reminded")]
        # The standup posts once.
        standup = bot.services.background.standups
        clock.set(STANDUP)
        await standup.tick()
        clock.set(STANDUP + dt.timedelta(minutes=1))
        await standup.tick()
        posts = [c for c in bot.fake.of("chat.postMessage") if c.params["channel"] == "C111"]
        assert len(posts) == 1
        shown = json.dumps(posts[0].params["blocks"], ensure_ascii=False)
        lines = _standup_lines("de")
        assert lines["silent"] in shown
        assert shown.index(lines["blocked"]) < shown.index("Ben")
        assert "Newsletter send-out" in shown and "Review" not in shown.split("Ben", 1)[1][:400]
        assert "Waiting for legal on the battery claims" in shown
        # Answers can no longer change.
        rows = {r.member_id: r for r in await _rows(bot.services)}
        assert all(r.posted_at is not None for r in rows.values())
        assert checkins.answers_of(rows["U2"]) == list(BEN_EDIT)
        assert rows["U3"].state == "asked"


# --- Teams ----------------------------------------------------------------------------

TEAM = [
    {"id": "29:u1", "aadObjectId": "aad-1", "name": "Anna"},
    {"id": "29:u2", "aadObjectId": "aad-2", "name": "Ben"},
    {"id": "29:u3", "aadObjectId": "aad-3", "name": "Cem"},
    {"id": "28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8", "name": "ridotest"},
]


def _teams_channel() -> str:
    return str(act.fixture(act.CHANNEL_MESSAGE)["channelData"]["channel"]["id"])


async def _answer_in_teams(
    bot: TeamsHarness, card: dict[str, Any], who: dict[str, str], values: tuple[str, ...]
) -> None:
    data = next(
        a["data"]
        for a in all_actions(card)
        if (a.get("data") or {}).get("action_id") == "checkin.answer"
    )
    submit = {**data, **{f"input.a{n}": v for n, v in enumerate(values)}}
    activity = act.card_action(bot.fake.url, data=submit)
    activity["from"] = {"id": who["id"], "name": who["name"], "aadObjectId": who["aadObjectId"]}
    activity["conversation"] = {
        **activity["conversation"],
        "id": f"a:personal-{who['id']}",
    }
    response = await bot.post(activity)
    assert response.status == 200
    await bot.settle()


async def test_teams_check_ins_through_personal_chats_survive_a_restart(db_url: str) -> None:
    clock = Clock(MONDAY_0700)
    bot = await start_bot(db_url)
    fake = bot.fake
    try:
        _time(bot.services, clock)
        fake.members[_teams_channel()] = copy.deepcopy(TEAM)
        await bot.post(act.channel_message("standup checkin on --at 08:45 --remind 10", fake.url))
        await bot.settle()
        jobs = bot.services.background.checkins
        clock.set(ASK)
        asked = await jobs.tick()
        await bot.settle()
        assert sorted(a.member for a in asked) == ["aad-1", "aad-2", "aad-3"]
        chats = [c for c in fake.ok("create") if c.body.get("isGroup") is False]
        assert sorted(c.body["members"][0]["id"] for c in chats) == ["29:u1", "29:u2", "29:u3"]
        cards = {
            str(c.conversation_id): c.card
            for c in fake.ok("send")
            if str(c.conversation_id).startswith("a:")
        }
        assert sorted(cards) == ["a:personal-29:u1", "a:personal-29:u2", "a:personal-29:u3"]
        # Teams tells no member's language: the channel's (the workspace's German).
        assert "Blockiert dich etwas?" in texts(cards["a:personal-29:u1"])
        await _answer_in_teams(bot, cards["a:personal-29:u1"], TEAM[0], ANNA)
        await _answer_in_teams(bot, cards["a:personal-29:u2"], TEAM[1], BEN_FIRST)
    finally:
        await stop_bot(bot, keep_fake=True)

    # Restart: the same connector, a new process.
    bot = await start_bot(db_url, fake=fake)
    try:
        _time(bot.services, clock)
        jobs = bot.services.background.checkins
        before = len(fake.calls)
        clock.set(ASK + dt.timedelta(minutes=5))
        assert await jobs.tick() == []
        await bot.settle()
        assert [c.kind for c in fake.calls[before:]] == ["members"]  # nobody asked again
        # Ben asks for his check-in in the channel: Teams would show it to everyone there,
        # so the channel gets a note and his answers go to his personal chat.
        mark = len(fake.calls)
        typed = act.channel_message("standup checkin", fake.url)
        typed["from"] = {"id": "29:u2", "name": "Ben", "aadObjectId": "aad-2"}
        await bot.post(typed)
        await bot.settle()
        answers = [c for c in fake.calls[mark:] if c.card is not None]
        in_channel = [c for c in answers if not str(c.conversation_id).startswith("a:")]
        private = [c for c in answers if str(c.conversation_id) == "a:personal-29:u2"]
        assert len(private) == 1 and "Newsletter draft" in texts(private[0].card)
        assert in_channel and all("Newsletter" not in texts(c.card) for c in in_channel)
        # Ben edits by submitting the card again.
        await _answer_in_teams(bot, cards["a:personal-29:u2"], TEAM[1], BEN_EDIT)
        standup = bot.services.background.standups
        clock.set(STANDUP)
        await standup.tick()
        await standup.tick()
        await bot.settle()
        posts = [c for c in fake.calls[before:] if "Standup — 23.11.2026" in texts(c.card)]
        assert len(posts) == 1
        shown = texts(posts[0].card)
        lines = _standup_lines("de")
        assert lines["silent"] in shown
        assert shown.index(lines["blocked"]) < shown.index("Ben")
        assert "Newsletter send-out" in shown and "Waiting for legal on the battery claims" in shown
        rows = {r.member_id: r for r in await _rows(bot.services)}
        assert len(rows) == 3 and rows["aad-3"].state == "asked"
        assert checkins.answers_of(rows["aad-2"]) == list(BEN_EDIT)
    finally:
        await stop_bot(bot)
