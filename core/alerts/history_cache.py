"""The complete hours of each key the engine judges, cached until the hour turns.

Past hours barely change (a late mention now and then), so each key's history is read once
per hour — or again after a few minutes, to take in late mentions — while the hour still
filling is read fresh on every check by the engine.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.analysis.bursts import DetectorConfig
from core.storage import windows as store
from core.trends.history import HOUR, dense, history_start

TTL = 300.0  # seconds a key's complete hours stay cached within one hour
FIRST_TTL = 600.0  # seconds the start of listening stays cached
MAX_KEYS = 5000


@dataclass
class History:
    start: dt.datetime
    current: dt.datetime
    counts: list[float]  # the complete hours [start, current)
    loaded: float


class HistoryCache:
    """Per key, the hours before the current one, read in one query for all stale keys."""

    def __init__(self, config: DetectorConfig) -> None:
        self.config = config
        self._keys: OrderedDict[str, History] = OrderedDict()
        self._first: tuple[dt.datetime | None, float] | None = None

    async def listening_since(self, session: AsyncSession) -> dt.datetime | None:
        """When listening began (cached; read again while unknown)."""
        stale = self._first is None or time.monotonic() - self._first[1] > FIRST_TTL
        if stale or self._first is None or self._first[0] is None:
            self._first = (await store.listening_since(session=session), time.monotonic())
        return self._first[0]

    async def get(
        self, session: AsyncSession, keys: Iterable[str], current: dt.datetime
    ) -> dict[str, History]:
        """The histories of `keys` up to (not including) the hour `current`."""
        start = history_start(current, self.config, await self.listening_since(session))
        clock = time.monotonic()
        keys = list(keys)
        stale = [
            k
            for k in keys
            if (h := self._keys.get(k)) is None
            or (h.current, h.start) != (current, start)
            or clock - h.loaded > TTL
        ]
        if stale:
            rows = await store.counts_by_key(
                session=session, keys=stale, since=start, until=current
            )
            for key in stale:
                self._keys[key] = History(
                    start, current, dense(rows[key], start, current - HOUR), clock
                )
        for key in keys:
            self._keys.move_to_end(key)
        while len(self._keys) > MAX_KEYS:
            self._keys.popitem(last=False)
        return {k: self._keys[k] for k in keys}
