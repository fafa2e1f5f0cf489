"""New trends and alerts since the last standup.

When the alert engine's table exists (core.models_alerts.Alert), the standup reports its
alerts; without it (or when it cannot be read) it reports the terms and hashtags rising
against their usual level, from the hourly counts. `new_signals` is the one switch.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass

from sqlalchemy import inspect, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog.rising import WEEKS, rising, window_figures

log = logging.getLogger(__name__)
MAX_SIGNALS = 5


@dataclass(frozen=True)
class Signal:
    kind: str  # alert | trend
    topic: str
    n: int = 0
    ratio: float | None = None
    at: dt.datetime | None = None
    detail: str = ""  # an alert's kind: burst | climb | drop
    key: str = ""  # the count key (a story's `topic:<id>` is named when the standup is told)


async def alerts_since(
    session: AsyncSession, since: dt.datetime, now: dt.datetime
) -> list[Signal] | None:
    """Alerts fired in [since, now), one per key, newest first; None without the alert table."""
    try:
        models = importlib.import_module("core.models_alerts")
    except ImportError:
        return None
    alert = getattr(models, "Alert", None)
    if alert is None:
        return None

    def has_table(sync_session: object) -> bool:
        conn = sync_session.connection()  # type: ignore[attr-defined]
        return bool(inspect(conn).has_table(alert.__tablename__))

    if not await session.run_sync(has_table):
        return None
    fired = alert.fired_at  # type: ignore[attr-defined]
    stmt = select(alert).where(fired >= since, fired < now).order_by(fired.desc()).limit(100)
    out: dict[str, Signal] = {}
    for row in (await session.execute(stmt)).scalars().all():
        if row.key in out or len(out) >= MAX_SIGNALS:
            continue
        ratio = row.observed / row.expected if row.expected else None
        out[row.key] = Signal(
            "alert", row.title, int(row.observed), ratio, row.fired_at, row.kind, row.key
        )
    return list(out.values())


async def rising_since(
    session: AsyncSession, since: dt.datetime, now: dt.datetime, names: dict[str, str]
) -> list[Signal]:
    """Terms and hashtags above their usual level for the same weekday and hours."""
    figures = await window_figures(
        session=session, prefixes=("term:", "tag:"), start=since, end=now, shifts=WEEKS, blocks=1
    )
    out = []
    for fig in rising(figures, min_count=3, min_ratio=2.0)[:MAX_SIGNALS]:
        kind, _, value = fig.key.partition(":")
        topic = names.get(value, value) if kind == "term" else value
        out.append(Signal("trend", topic, fig.n, round(fig.ratio, 1)))
    return out


async def new_signals(
    session: AsyncSession, since: dt.datetime, now: dt.datetime, names: dict[str, str]
) -> tuple[str, list[Signal]]:
    """("alerts", …) from the alert engine when it exists, else ("trends", …) from counts."""
    try:
        alerts = await alerts_since(session, since, now)
    except Exception:
        log.exception("reading alerts failed; the standup reports rising terms instead")
        await session.rollback()  # PostgreSQL refuses further statements after an error
        alerts = None
    if alerts is not None:
        return "alerts", alerts
    return "trends", await rising_since(session, since, now, names)
