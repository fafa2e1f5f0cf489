"""Standup check-ins: keyword-only queries that take the session (core.models_checkin).

Every change is a conditional statement, so replicas and double clicks cannot race:
inserting the row claims "ask this member today" (the unique constraint), answers change
only while the standup has not posted them, and a reminder is marked sent once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

from sqlalchemy import ColumnElement, delete, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models_checkin import CheckinAnswer
from core.storage.dialect import insert_for, rowcount


def _channel_day(platform: str, channel_id: str, day: str) -> tuple[ColumnElement[bool], ...]:
    """The check-ins of one channel's standup of `day`."""
    return (
        col(CheckinAnswer.platform) == platform,
        col(CheckinAnswer.channel_id) == channel_id,
        col(CheckinAnswer.day) == day,
    )


def _member(platform: str, member_id: str) -> tuple[ColumnElement[bool], ...]:
    """One member's check-ins."""
    return col(CheckinAnswer.platform) == platform, col(CheckinAnswer.member_id) == member_id


async def claim_member(
    *,
    session: AsyncSession,
    platform: str,
    channel_id: str,
    member_id: str,
    member_name: str,
    day: str,
    locale: str,
    questions: Sequence[str],
    now: dt.datetime,
) -> CheckinAnswer | None:
    """Insert the member's row for the day; None when it exists (asked already, elsewhere)."""
    stmt = (
        insert_for(session, CheckinAnswer)
        .values(
            platform=platform,
            channel_id=channel_id,
            member_id=member_id,
            member_name=member_name,
            day=day,
            locale=locale,
            state="asked",
            questions=json.dumps(list(questions), ensure_ascii=False),
            answers="[]",
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform", "channel_id", "member_id", "day"])
        .returning(col(CheckinAnswer.id))
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    if new_id is None:
        return None
    return await session.get(CheckinAnswer, new_id)


async def get(
    *, session: AsyncSession, platform: str, channel_id: str, member_id: str, day: str
) -> CheckinAnswer | None:
    stmt = select(CheckinAnswer).where(
        col(CheckinAnswer.platform) == platform,
        col(CheckinAnswer.channel_id) == channel_id,
        col(CheckinAnswer.member_id) == member_id,
        col(CheckinAnswer.day) == day,
    )
    return (await session.execute(stmt)).scalars().first()


async def mark_asked(
    *, session: AsyncSession, row_id: int, direct_id: str | None, now: dt.datetime
) -> None:
    """The question reached the member (in `direct_id`)."""
    await session.execute(
        update(CheckinAnswer)
        .where(col(CheckinAnswer.id) == row_id)
        .values(asked_at=now, direct_id=direct_id, updated_at=now)
    )


async def unsent(
    *, session: AsyncSession, platform: str, channel_id: str, day: str
) -> list[CheckinAnswer]:
    """Rows claimed but whose question never went out (the sender died before sending)."""
    stmt = select(CheckinAnswer).where(
        *_channel_day(platform, channel_id, day),
        col(CheckinAnswer.asked_at).is_(None),
        col(CheckinAnswer.posted_at).is_(None),
    )
    return list((await session.execute(stmt)).scalars().all())


async def record_answer(
    *,
    session: AsyncSession,
    row: CheckinAnswer,
    answers: Sequence[str] | None,
    now: dt.datetime,
) -> CheckinAnswer | None:
    """Store the member's answers (None: skipped, "not today"); None if the standup has
    posted the day already (answers are editable only until then)."""
    values: dict[str, object] = {"answered_at": now, "updated_at": now}
    if answers is None:
        values.update(state="skipped", answers="[]")
    else:
        values.update(state="answered", answers=json.dumps(list(answers), ensure_ascii=False))
    stmt = (
        update(CheckinAnswer)
        .where(col(CheckinAnswer.id) == row.id, col(CheckinAnswer.posted_at).is_(None))
        .values(**values)
    )
    if not rowcount(await session.execute(stmt)):
        return None
    return await session.get(CheckinAnswer, row.id, populate_existing=True)


async def for_day(
    *, session: AsyncSession, platform: str, channel_id: str, day: str
) -> list[CheckinAnswer]:
    """Everyone asked for the channel's standup of `day`, in the order they were asked."""
    stmt = (
        select(CheckinAnswer)
        .where(
            *_channel_day(platform, channel_id, day),
        )
        .order_by(col(CheckinAnswer.id))
    )
    return list((await session.execute(stmt)).scalars().all())


async def mark_reminded(*, session: AsyncSession, row_id: int, now: dt.datetime) -> bool:
    """Claim the reminder of one member's check-in; True for exactly one caller."""
    stmt = (
        update(CheckinAnswer)
        .where(
            col(CheckinAnswer.id) == row_id,
            col(CheckinAnswer.reminded_at).is_(None),
            col(CheckinAnswer.state) == "asked",
            col(CheckinAnswer.posted_at).is_(None),
        )
        .values(reminded_at=now, updated_at=now)
    )
    return bool(rowcount(await session.execute(stmt)))


async def mark_posted(
    *, session: AsyncSession, platform: str, channel_id: str, day: str, now: dt.datetime
) -> int:
    """The standup of `day` went out: its answers are public and no longer editable."""
    stmt = (
        update(CheckinAnswer)
        .where(
            *_channel_day(platform, channel_id, day),
            col(CheckinAnswer.posted_at).is_(None),
        )
        .values(posted_at=now, updated_at=now)
    )
    return rowcount(await session.execute(stmt))


async def open_for_member(
    *, session: AsyncSession, platform: str, member_id: str
) -> list[CheckinAnswer]:
    """The member's check-ins that can still be answered, newest day first."""
    stmt = (
        select(CheckinAnswer)
        .where(
            *_member(platform, member_id),
            col(CheckinAnswer.posted_at).is_(None),
        )
        .order_by(col(CheckinAnswer.day).desc(), col(CheckinAnswer.id).desc())
    )
    return list((await session.execute(stmt)).scalars().all())


async def history(
    *, session: AsyncSession, platform: str, member_id: str, since_day: str
) -> list[CheckinAnswer]:
    """The member's own check-ins since a day, oldest first."""
    stmt = (
        select(CheckinAnswer)
        .where(
            *_member(platform, member_id),
            col(CheckinAnswer.day) >= since_day,
        )
        .order_by(col(CheckinAnswer.day), col(CheckinAnswer.id))
    )
    return list((await session.execute(stmt)).scalars().all())


async def delete_before(
    *, session: AsyncSession, platform: str, channel_id: str, before: dt.datetime
) -> int:
    """Retention: delete the channel's check-ins created before `before`."""
    stmt = delete(CheckinAnswer).where(
        col(CheckinAnswer.platform) == platform,
        col(CheckinAnswer.channel_id) == channel_id,
        col(CheckinAnswer.created_at) < before,
    )
    return rowcount(await session.execute(stmt))


def answers_of(row: CheckinAnswer) -> list[str]:
    """The answers as a list of strings ([] when skipped or not answered)."""
    return _strings(row.answers)


def questions_of(row: CheckinAnswer) -> list[str]:
    return _strings(row.questions)


def _strings(text: str) -> list[str]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
