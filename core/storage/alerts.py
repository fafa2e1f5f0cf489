"""Alerts, their deliveries to channels, and the feedback that tunes each key's threshold.

Delivery state changes are conditional UPDATEs on the state the caller read, so two
replicas retrying the same delivery post it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import or_, select, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models_alerts import Alert, AlertDelivery, AlertFeedback, AlertThreshold
from core.storage.dialect import insert_for, rowcount

RETRYABLE = ("pending", "failed")


async def last_fired(
    *, session: AsyncSession, key: str, level: str, since: dt.datetime
) -> Alert | None:
    """The newest alert of a key at a level fired since a time (the cooldown check)."""
    stmt = (
        select(Alert)
        .where(col(Alert.key) == key, col(Alert.level) == level, col(Alert.fired_at) >= since)
        .order_by(col(Alert.fired_at).desc())
        .limit(1)
    )
    return (await session.execute(stmt)).scalars().first()


async def insert_alert(*, session: AsyncSession, alert: Alert) -> Alert | None:
    """Store an alert; None when the key already alerted at that level in that hour."""
    values = {k: v for k, v in alert.model_dump().items() if k != "id"}
    stmt = (
        insert_for(session, Alert)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["key", "level", "bucket"])
        .returning(col(Alert.id))
    )
    new_id = (await session.execute(stmt)).scalar_one_or_none()
    return await session.get(Alert, new_id) if new_id is not None else None


async def get_alert(*, session: AsyncSession, alert_id: int) -> Alert | None:
    return await session.get(Alert, alert_id)


async def recent_alerts(
    *, session: AsyncSession, since: dt.datetime, limit: int = 20
) -> list[Alert]:
    stmt = (
        select(Alert)
        .where(col(Alert.fired_at) >= since)
        .order_by(col(Alert.fired_at).desc(), col(Alert.id).desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def add_deliveries(
    *,
    session: AsyncSession,
    alert_id: int,
    channels: Sequence[tuple[str, str]],
    now: dt.datetime,
) -> None:
    """A pending delivery per (platform, channel id); a repeat adds nothing."""
    if not channels:
        return
    rows = [
        {
            "alert_id": alert_id,
            "platform": platform,
            "channel_id": channel,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        for platform, channel in dict.fromkeys(channels)
    ]
    stmt = insert_for(session, AlertDelivery).on_conflict_do_nothing(
        index_elements=["alert_id", "platform", "channel_id"]
    )
    await session.execute(stmt, rows)


async def deliveries(*, session: AsyncSession, alert_id: int) -> list[AlertDelivery]:
    stmt = select(AlertDelivery).where(col(AlertDelivery.alert_id) == alert_id)
    return list((await session.execute(stmt.order_by(col(AlertDelivery.id)))).scalars().all())


async def due_deliveries(
    *,
    session: AsyncSession,
    failed_before: dt.datetime,
    stale_before: dt.datetime,
    fired_since: dt.datetime,
    max_attempts: int,
    limit: int = 50,
) -> list[AlertDelivery]:
    """Deliveries to try again: failed ones after their pause, and pending or sending ones
    that nobody finished (a replica stopped midway), of alerts that are still recent."""
    stmt = (
        select(AlertDelivery)
        .join(Alert, col(Alert.id) == col(AlertDelivery.alert_id))
        .where(
            col(Alert.fired_at) >= fired_since,
            col(AlertDelivery.attempts) < max_attempts,
            or_(
                (col(AlertDelivery.state) == "failed")
                & (col(AlertDelivery.updated_at) < failed_before),
                col(AlertDelivery.state).in_(("pending", "sending"))
                & (col(AlertDelivery.updated_at) < stale_before),
            ),
        )
        .order_by(col(AlertDelivery.id))
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def take_delivery(
    *, session: AsyncSession, delivery: AlertDelivery, now: dt.datetime
) -> bool:
    """Move a delivery to `sending` if it is still in the state (and version) the caller read."""
    stmt = (
        update(AlertDelivery)
        .where(
            col(AlertDelivery.id) == delivery.id,
            col(AlertDelivery.state) == delivery.state,
            col(AlertDelivery.updated_at) == delivery.updated_at,
        )
        .values(state="sending", attempts=delivery.attempts + 1, updated_at=now)
    )
    return bool(rowcount(await session.execute(stmt)))


async def finish_delivery(
    *,
    session: AsyncSession,
    delivery_id: int,
    state: str,
    now: dt.datetime,
    message_ref: str | None = None,
    error: str | None = None,
) -> None:
    """Record how a `sending` delivery ended: posted (with the message ref) or failed."""
    stmt = (
        update(AlertDelivery)
        .where(col(AlertDelivery.id) == delivery_id, col(AlertDelivery.state) == "sending")
        .values(
            state=state,
            message_ref=message_ref[:255] if message_ref else None,
            error=error[:512] if error else None,
            updated_at=now,
        )
    )
    await session.execute(stmt)


async def thresholds(*, session: AsyncSession, keys: Sequence[str]) -> dict[str, AlertThreshold]:
    if not keys:
        return {}
    stmt = select(AlertThreshold).where(col(AlertThreshold.key).in_(list(keys)))
    return {r.key: r for r in (await session.execute(stmt)).scalars().all()}


async def adjusted_thresholds(*, session: AsyncSession, limit: int = 20) -> list[AlertThreshold]:
    """Keys whose threshold feedback moved, or that are muted, most recently changed first."""
    stmt = (
        select(AlertThreshold)
        .where(or_(col(AlertThreshold.factor) != 1.0, col(AlertThreshold.muted_until).is_not(None)))
        .order_by(col(AlertThreshold.updated_at).desc())
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars().all())


async def get_threshold(*, session: AsyncSession, key: str) -> AlertThreshold:
    """The key's row, created with the neutral factor 1 if there is none (and locked on
    PostgreSQL, so two people's feedback at once are applied one after the other)."""
    stmt = insert_for(session, AlertThreshold).values(key=key, factor=1.0, useful=0, noise=0)
    await session.execute(stmt.on_conflict_do_nothing(index_elements=["key"]))
    row = (
        await session.execute(
            select(AlertThreshold).where(col(AlertThreshold.key) == key).with_for_update()
        )
    ).scalar_one()
    return row


async def get_feedback(
    *, session: AsyncSession, alert_id: int, actor_platform: str, actor_id: str
) -> AlertFeedback | None:
    stmt = select(AlertFeedback).where(
        col(AlertFeedback.alert_id) == alert_id,
        col(AlertFeedback.actor_platform) == actor_platform,
        col(AlertFeedback.actor_id) == actor_id,
    )
    return (await session.execute(stmt)).scalars().first()
