"""The just-in-time alert engine: detection as mentions arrive, not in a nightly batch.

`on_stored` is a pipeline listener: after a batch is stored it takes the terms, hashtags
and topics the batch added to in the current hour and judges each on its hourly history
plus the hour still filling (`detect_latest` with `now`). Only keys that could alert are
read in full — a burst or climb needs `min_count` mentions over the trend span — and their
complete hours are cached until the hour turns, so a batch costs one small query.

A significant key fires once per sensitivity level and hour across replicas (a claim on
key + level + hour, backed by a unique row), not again within the cooldown, and not while
muted; its threshold carries the feedback factor. Each subscribed channel of that level
gets a delivery row, and the post goes out at once in a background task, so the ingest
does not wait for Slack or Teams. `retry` posts what a failure or a stopped replica left
behind; `sweep` catches what other processes stored (a CLI import) and drops, which no
arriving mention announces.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from functools import partial

from sqlmodel.ext.asyncio.session import AsyncSession

from config.workspace import Workspace
from core.alerts import delivery
from core.alerts.history_cache import HistoryCache
from core.alerts.targets import DEFAULT_LEVEL, LEVELS, Target, alert_targets
from core.analysis.bursts import DetectorConfig, Signal, detect_latest
from core.db import SessionFactory, session_scope
from core.metrics import ALERTS
from core.models import Mention
from core.models_alerts import Alert
from core.pipeline import StoredMention
from core.ports import Notifier
from core.storage import alerts as alert_store
from core.storage import claims
from core.storage import windows as trend_store
from core.trends.emerging import candidates, exact_spans, span_of
from core.trends.history import HOUR
from core.trends.names import load_names
from core.trends.period import floor_hour

log = logging.getLogger(__name__)
PREFIXES = ("term:", "tag:", "topic:")
DEFAULT_COOLDOWN = dt.timedelta(hours=6)
CLAIM_TTL = dt.timedelta(minutes=10)
TARGETS_TTL = 15.0
DROP_SCAN_SECONDS = 300.0
EXAMPLES = 3


@dataclass(frozen=True)
class Fired:
    """An alert this replica fired: its id, key, kind, level and how many channels get it."""

    alert_id: int
    key: str
    kind: str
    level: str
    channels: int


def claim_job(key: str, level: str) -> str:
    """The claim's job name for a key (hashed: keys may be longer than a job name)."""
    digest = hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
    return f"alert:{level}:{digest}"


class AlertEngine:
    """Detection, firing and delivery of alerts for one replica."""

    def __init__(
        self,
        *,
        sessions: SessionFactory,
        workspace: Workspace,
        notifiers: Mapping[str, Notifier],
        clock: Callable[[], dt.datetime],
        owner: str = "local",
        config: DetectorConfig | None = None,
        cooldown: dt.timedelta = DEFAULT_COOLDOWN,
    ) -> None:
        base = config or DetectorConfig()
        self.configs: dict[str, DetectorConfig] = {
            level: replace(base, sensitivity=level) for level in LEVELS
        }
        self.sessions = sessions
        self.workspace = workspace
        self.clock = clock
        self.owner = owner
        self.cooldown = cooldown
        self.poster = delivery.Poster(
            sessions=sessions, workspace=workspace, notifiers=notifiers, clock=clock
        )
        self.histories = HistoryCache(base)
        self._targets: tuple[list[Target], float] | None = None
        self._seen_hour: dt.datetime | None = None
        self._seen: dict[str, int] = {}
        self._last_drop_scan = float("-inf")
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def base(self) -> DetectorConfig:
        return self.configs[DEFAULT_LEVEL]

    # ----- entry points -----------------------------------------------------------------

    async def on_stored(self, stored: list[StoredMention]) -> None:
        """The pipeline listener: judge the keys this batch added to in the current hour."""
        now = self.clock()
        current = floor_hour(now)
        deciding: dict[str, int] = {}
        for mention in stored:
            if floor_hour(mention.published_at) != current:
                continue  # an older hour cannot become significant now
            for key in mention.keys:
                if key.startswith(PREFIXES):
                    deciding[key] = mention.id  # the latest mention of the key decides
        if deciding:
            await self.check(deciding, now=now)

    async def sweep(self) -> list[Fired]:
        """Keys whose count in the current hour changed since the last sweep (mentions that
        another process stored), and every few minutes the keys that could be dropping."""
        now = self.clock()
        current = floor_hour(now)
        async with self.sessions() as session:
            counts = await trend_store.hour_counts(
                session=session, bucket=current, prefixes=PREFIXES
            )
        if self._seen_hour != current:
            self._seen_hour, self._seen = current, {}
        changed = [k for k, n in counts.items() if self._seen.get(k) != n]
        self._seen.update(counts)
        fired = await self.check(dict.fromkeys(changed), now=now) if changed else []
        if time.monotonic() - self._last_drop_scan >= DROP_SCAN_SECONDS:
            self._last_drop_scan = time.monotonic()
            async with self.sessions() as session:
                keys = await candidates(session, now=now, config=self.base)
            fired += await self.check(dict.fromkeys(keys), now=now, drops=True)
        return fired

    async def retry(self) -> int:
        """Post deliveries that failed or that a stopped replica left; returns how many."""
        return await self.poster.retry()

    async def drain(self) -> None:
        """Wait for the posts in flight (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    # ----- detection --------------------------------------------------------------------

    async def check(
        self,
        keys: Mapping[str, int | None],
        *,
        now: dt.datetime | None = None,
        drops: bool = False,
    ) -> list[Fired]:
        """Judge keys now (each with the mention that decided it, if known); fire what is
        significant. `drops` judges keys however quiet they are now (the drop scan)."""
        now = now or self.clock()
        current = floor_hour(now)
        wanted = [k for k in keys if k.startswith(PREFIXES)]
        if not wanted:
            return []
        # The whole hours that hold the sliding window: one more than it spans.
        span = max(self.base.trend_span, self.base.burst_span) + HOUR
        async with self.sessions() as session:
            recent = await trend_store.counts_by_key(
                session=session, keys=wanted, since=current + HOUR - span, until=current + HOUR
            )
            judged = [
                k for k in wanted if drops or sum(n for _, n in recent[k]) >= self.base.min_count
            ]
            if not judged:
                return []
            targets = await self._alert_targets(session)
            limits = await alert_store.thresholds(session=session, keys=judged)
            histories = await self.histories.get(session, judged, current)
        levels = sorted({t.level for t in targets} | {DEFAULT_LEVEL}, key=LEVELS.index)
        fired: list[Fired] = []
        for key in judged:
            limit = limits.get(key)
            if limit is not None and limit.muted_until is not None and limit.muted_until > now:
                continue
            history = histories[key]
            counts = [*history.counts, float(sum(n for b, n in recent[key] if b == current))]
            factor = limit.factor if limit is not None else 1.0
            for level in levels:
                config = self.configs[level]
                detect = partial(
                    detect_latest,
                    counts,
                    history.start,
                    key=key,
                    config=config,
                    threshold_multiplier=factor,
                    now=now,
                )
                signal = detect()
                if signal is None:
                    continue
                # Judged on windows estimated from the hours; confirmed (and reported) on
                # the windows counted exactly, which is worth a query only now.
                spans = (config.burst_span, config.trend_span)
                async with self.sessions() as session:
                    exact = await exact_spans(session, now=now, spans=spans, hourly={key: counts})
                signal = detect(observed=(exact[key][0], exact[key][1]))
                if signal is None:
                    continue
                seen = (exact[key][0], exact[key][1])
                hours = max(1, round(span_of(signal, seen, config, factor) / HOUR))
                result = await self._fire(signal, level, hours, targets, now, keys.get(key))
                if result is not None:
                    fired.append(result)
        return fired

    async def _alert_targets(self, session: AsyncSession) -> list[Target]:
        if self._targets is None or time.monotonic() - self._targets[1] > TARGETS_TTL:
            found = await alert_targets(session, self.workspace)
            self._targets = (found, time.monotonic())
        return self._targets[0]

    def forget_targets(self) -> None:
        """Read the subscriptions afresh at the next check (after `alerts on|off`)."""
        self._targets = None

    # ----- firing -----------------------------------------------------------------------

    async def _fire(
        self,
        signal: Signal,
        level: str,
        span_hours: int,
        targets: list[Target],
        now: dt.datetime,
        deciding: int | None,
    ) -> Fired | None:
        async with self.sessions() as session:
            recent = await alert_store.last_fired(
                session=session, key=signal.key, level=level, since=now - self.cooldown
            )
        if recent is not None:
            return None  # the cooldown: one alert per key and level in that time
        # One alert per key, level and clock hour: the windows slide, the claim does not.
        job, slot = claim_job(signal.key, level), floor_hour(now).strftime("%Y-%m-%dT%H")
        async with session_scope(self.sessions) as session:
            won = await claims.try_claim(
                session=session, job=job, slot=slot, owner=self.owner, ttl=CLAIM_TTL, now=now
            )
        if not won:
            return None  # another replica fires it
        examples = await self._examples(signal, span_hours, now, deciding)
        channels = [(t.platform, t.channel_id) for t in targets if t.level == level]
        async with session_scope(self.sessions) as session:
            names = await load_names(session, topic_keys=[signal.key])
            alert = await alert_store.insert_alert(
                session=session,
                alert=Alert(
                    key=signal.key,
                    title=names.of(signal.key)[:300],
                    kind=signal.kind,
                    level=level,
                    bucket=signal.bucket_start,
                    fired_at=now,
                    observed=signal.observed,
                    expected=signal.expected,
                    z=signal.z,
                    growth=signal.growth if signal.expected > 0 else 0.0,
                    score=signal.score,
                    span_hours=span_hours,
                    mention_id=deciding,
                    evidence=json.dumps({"mention_ids": examples}),
                ),
            )
            if alert is not None and alert.id is not None:
                await alert_store.add_deliveries(
                    session=session, alert_id=alert.id, channels=channels, now=now
                )
            await claims.finish_claim(
                session=session, job=job, slot=slot, owner=self.owner, now=now
            )
        if alert is None or alert.id is None:
            return None
        ALERTS.labels(signal.kind, level).inc()  # committed, and fired by this replica alone
        log.info(
            "alert %s: %s %s (level %s, observed %.0f, expected %.1f, z %.1f) to %d channel(s)",
            alert.id,
            signal.key,
            signal.kind,
            level,
            signal.observed,
            signal.expected,
            signal.z,
            len(channels),
        )
        if channels:
            self._spawn(self.poster.deliver(alert.id))
        return Fired(alert.id, signal.key, signal.kind, level, len(channels))

    async def _examples(
        self, signal: Signal, span_hours: int, now: dt.datetime, deciding: int | None
    ) -> list[int]:
        """Ids of the mentions shown with the alert: the deciding one, then the widest reach."""
        since = signal.bucket_start - (span_hours - 1) * HOUR
        async with self.sessions() as session:
            top = await trend_store.mentions_for_key(
                session=session,
                key=signal.key,
                since=since,
                until=floor_hour(now) + HOUR,
                limit=EXAMPLES,
            )
            first = await session.get(Mention, deciding) if deciding is not None else None
        ids = [m.id for m in ([first] if first is not None else []) + top if m.id is not None]
        return list(dict.fromkeys(ids))[:EXAMPLES]

    def _spawn(self, job: Awaitable[None]) -> None:
        async def logged() -> None:
            try:
                await job
            except Exception:  # a failed post stays pending: `retry` takes it up
                log.exception("posting an alert failed")

        task = asyncio.ensure_future(logged())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
