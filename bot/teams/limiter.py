"""Staying within Teams' posting limits per conversation, instead of collecting 429s.

Teams allows a bot about 7 messages a second, 8 in two seconds, 60 in thirty seconds and
1,800 an hour in one conversation. Each post first takes a slot here; when a window is
full the post waits until its oldest entry leaves the window. Posts to one conversation
queue in order; other conversations are not held up.
"""

from __future__ import annotations

import asyncio
import bisect
import time
from collections.abc import Awaitable, Callable

TEAMS_WINDOWS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))


class ConversationLimiter:
    """Sliding windows of (seconds, posts) per conversation key."""

    def __init__(
        self,
        windows: tuple[tuple[float, int], ...] = TEAMS_WINDOWS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.windows = windows
        self.horizon = max(seconds for seconds, _ in windows)
        self._clock = clock
        self._sleep = sleep
        self._sent: dict[str, list[float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def delay(self, key: str) -> float:
        """Seconds until the next post to `key` is within every window (0: now)."""
        now = self._clock()
        times = self._sent.get(key)
        if not times:
            return 0.0
        if expired := bisect.bisect_right(times, now - self.horizon):
            del times[:expired]
        wait = 0.0
        for seconds, limit in self.windows:
            inside = len(times) - bisect.bisect_right(times, now - seconds)
            if inside >= limit:
                # The post may go once enough of the oldest entries have left the window.
                wait = max(wait, times[len(times) - limit] + seconds - now)
        return wait

    async def acquire(self, key: str) -> None:
        """Wait for a slot in `key`'s windows and take it."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            while (wait := self.delay(key)) > 0:
                await self._sleep(wait)
            self._sent.setdefault(key, []).append(self._clock())
        self._forget_idle()

    def _forget_idle(self) -> None:
        """Drop conversations with nothing left in the longest window (a bounded dict)."""
        if len(self._sent) < 1024:
            return
        cutoff = self._clock() - self.horizon
        for key in [k for k, v in self._sent.items() if not v or v[-1] <= cutoff]:
            lock = self._locks.get(key)
            if lock is None or not lock.locked():
                self._sent.pop(key, None)
                self._locks.pop(key, None)
