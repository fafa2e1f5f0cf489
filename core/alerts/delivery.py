"""Posting alerts: one delivery row per alert and channel, taken by a conditional UPDATE
(pending → sending), posted through the platform's Notifier, then marked posted or failed.

A failure in one channel never stops another. Failed deliveries, and those a stopped
replica left pending or sending, are tried again by `retry` for an hour at most.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from config.workspace import Workspace
from core.alerts.message import alert_reply
from core.alerts.targets import channel_locale
from core.db import SessionFactory, session_scope
from core.i18n import Translator
from core.metrics import ALERT_DELIVERIES
from core.models_alerts import Alert, AlertDelivery
from core.notify import notify
from core.ports import Notifier
from core.reply import Reply
from core.storage import alerts as store
from core.storage.mentions import get_mention
from core.trends.names import load_names

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
RETRY_AFTER = dt.timedelta(seconds=30)
STALE_AFTER = dt.timedelta(minutes=2)
GIVE_UP_AFTER = dt.timedelta(hours=1)


@dataclass(kw_only=True)
class Poster:
    """Hands alerts to the notifiers and records the outcome of every delivery."""

    sessions: SessionFactory
    workspace: Workspace
    notifiers: Mapping[str, Notifier]  # the live mapping: adapters add theirs at start
    clock: Callable[[], dt.datetime]

    async def deliver(self, alert_id: int) -> None:
        """Post every pending delivery of one alert."""
        async with self.sessions() as session:
            alert = await store.get_alert(session=session, alert_id=alert_id)
            rows = await store.deliveries(session=session, alert_id=alert_id)
        if alert is None:
            return
        for row in rows:
            if row.state == "pending":
                await self.post(alert, row)

    async def retry(self) -> int:
        """Try again what failed or was left unfinished; returns how many were posted."""
        now = self.clock()
        async with self.sessions() as session:
            due = await store.due_deliveries(
                session=session,
                failed_before=now - RETRY_AFTER,
                stale_before=now - STALE_AFTER,
                fired_since=now - GIVE_UP_AFTER,
                max_attempts=MAX_ATTEMPTS,
            )
        posted = 0
        for row in due:
            async with self.sessions() as session:
                alert = await store.get_alert(session=session, alert_id=row.alert_id)
            if alert is not None and await self.post(alert, row):
                posted += 1
        return posted

    async def post(self, alert: Alert, row: AlertDelivery) -> bool:
        """Take one delivery and post it; True when the notifier took it."""
        async with session_scope(self.sessions) as session:
            if not await store.take_delivery(session=session, delivery=row, now=self.clock()):
                return False  # another task or replica has it
        ref: str | None = None
        error: str | None = None
        try:
            notifier = self.notifiers.get(row.platform)
            if notifier is None:
                raise LookupError(f"no notifier for platform {row.platform!r}")
            async with self.sessions() as session:
                locale = await channel_locale(
                    session,
                    platform=row.platform,
                    channel_id=row.channel_id,
                    default=self.workspace.default_locale,
                )
                reply = await self.reply_for(session, alert, locale)
            ref = await notify(
                notifier, kind="alert", channel_id=row.channel_id, reply=reply, locale=locale
            )
        except Exception as exc:  # one channel's failure never stops the others
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "alert %s to %s:%s failed (attempt %d): %s",
                alert.id,
                row.platform,
                row.channel_id,
                row.attempts + 1,
                error,
            )
        async with session_scope(self.sessions) as session:
            await store.finish_delivery(
                session=session,
                delivery_id=row.id or 0,
                state="failed" if error else "posted",
                now=self.clock(),
                message_ref=ref,
                error=error,
            )
        ALERT_DELIVERIES.labels(row.platform, "failed" if error else "posted").inc()
        return error is None

    async def reply_for(self, session: AsyncSession, alert: Alert, locale: str) -> Reply:
        """The alert's post in one language, with its example mentions and current factor."""
        names = await load_names(session, topic_keys=[alert.key])
        try:
            ids = json.loads(alert.evidence or "{}").get("mention_ids", [])
        except (ValueError, AttributeError):
            ids = []
        mentions = []
        for mention_id in ids if isinstance(ids, list) else []:
            found = await get_mention(session=session, ref=str(mention_id))
            if found is not None:
                mentions.append(found)
        limits = await store.thresholds(session=session, keys=[alert.key])
        factor = limits[alert.key].factor if alert.key in limits else 1.0
        return alert_reply(
            Translator(locale),
            alert,
            name=names.of(alert.key),
            mentions=mentions,
            zone=self.workspace.schedules.timezone,
            factor=factor,
        )
