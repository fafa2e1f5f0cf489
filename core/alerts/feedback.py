"""Feedback on an alert tunes its key: "noise" raises the key's threshold, "useful" lowers it.

The factor multiplies every threshold of the key (on top of the channel's sensitivity) and
is kept in `alert_threshold`, so it survives restarts and holds on every replica. Each
person counts once per alert; changing one's mind undoes the earlier vote first. "Mute"
silences the key for a while without touching its threshold.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.db import SessionFactory, session_scope
from core.models_alerts import AlertFeedback
from core.reply import Actor
from core.storage import alerts as store
from core.storage import audit

NOISE_STEP = 1.25
USEFUL_STEP = 0.85
MIN_FACTOR = 0.5
MAX_FACTOR = 4.0
MUTE = dt.timedelta(hours=24)
VERDICTS = ("useful", "noise")


def adjust(factor: float, verdict: str) -> float:
    """The factor after one vote, kept within [MIN_FACTOR, MAX_FACTOR]."""
    step = NOISE_STEP if verdict == "noise" else USEFUL_STEP
    return round(min(MAX_FACTOR, max(MIN_FACTOR, factor * step)), 4)


def undo(factor: float, verdict: str) -> float:
    """The factor without an earlier vote (the inverse step, within the same bounds)."""
    step = NOISE_STEP if verdict == "noise" else USEFUL_STEP
    return round(min(MAX_FACTOR, max(MIN_FACTOR, factor / step)), 4)


@dataclass(frozen=True)
class Outcome:
    """What a click did: `applied`, `changed` (the other vote replaced), `same` (no change),
    `muted`, or `not_found`; with the key and its factor before and after."""

    status: str
    key: str = ""
    before: float = 1.0
    after: float = 1.0
    muted_until: dt.datetime | None = None


async def give_feedback(
    sessions: SessionFactory, *, alert_id: int, verdict: str, actor: Actor, now: dt.datetime
) -> Outcome:
    """Record one person's verdict on an alert and move the key's threshold."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}")
    async with session_scope(sessions) as session:
        alert = await store.get_alert(session=session, alert_id=alert_id)
        if alert is None:
            return Outcome("not_found")
        row = await store.get_threshold(session=session, key=alert.key)
        before = row.factor
        earlier = await store.get_feedback(
            session=session, alert_id=alert_id, actor_platform=actor.platform, actor_id=actor.id
        )
        if earlier is not None and earlier.verdict == verdict:
            return Outcome("same", alert.key, before, before)
        factor = before
        status = "applied"
        if earlier is not None:
            factor = undo(factor, earlier.verdict)
            setattr(row, earlier.verdict, max(0, getattr(row, earlier.verdict) - 1))
            earlier.verdict, earlier.at = verdict, now
            session.add(earlier)
            status = "changed"
        else:
            session.add(
                AlertFeedback(
                    alert_id=alert_id,
                    actor_id=actor.id,
                    actor_platform=actor.platform,
                    verdict=verdict,
                    at=now,
                )
            )
        row.factor = adjust(factor, verdict)
        setattr(row, verdict, getattr(row, verdict) + 1)
        row.updated_at = now
        session.add(row)
        await audit.record(
            session=session,
            actor=actor,
            kind=f"alerts.{verdict}",
            subject=f"alert-threshold:{alert.key}"[:255],
            before=str(before),
            after=str(row.factor),
        )
        return Outcome(status, alert.key, before, row.factor)


async def mute(
    sessions: SessionFactory,
    *,
    alert_id: int,
    actor: Actor,
    now: dt.datetime,
    span: dt.timedelta = MUTE,
) -> Outcome:
    """Silence an alert's key for `span` (its threshold stays as it is)."""
    async with session_scope(sessions) as session:
        alert = await store.get_alert(session=session, alert_id=alert_id)
        if alert is None:
            return Outcome("not_found")
        row = await store.get_threshold(session=session, key=alert.key)
        before = row.muted_until
        row.muted_until = now + span
        row.updated_at = now
        session.add(row)
        await audit.record(
            session=session,
            actor=actor,
            kind="alerts.mute",
            subject=f"alert-threshold:{alert.key}"[:255],
            before=before.isoformat() if before else None,
            after=row.muted_until.isoformat(),
        )
        return Outcome("muted", alert.key, row.factor, row.factor, row.muted_until)
