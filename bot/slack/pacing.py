"""Posting to one channel about once a second, as Slack asks of chat.postMessage.

Posts to the same channel wait their turn (FIFO: asyncio.Lock wakes waiters in order);
posts to different channels do not wait for each other.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

_PRUNE_AT = 1000


class ChannelPacer:
    """`async with pacer.turn(channel): post(...)` — at most one post per `interval` a channel."""

    def __init__(self, interval: float = 1.0) -> None:
        self.interval = interval
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}

    @asynccontextmanager
    async def turn(self, channel: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(channel, asyncio.Lock())
        async with lock:
            delay = self._next.get(channel, 0.0) - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                yield
            finally:
                self._next[channel] = time.monotonic() + self.interval
        self._prune()

    def _prune(self) -> None:
        if len(self._next) < _PRUNE_AT:
            return
        now = time.monotonic()
        for channel in [c for c, at in self._next.items() if at < now]:
            lock = self._locks.get(channel)
            if lock is None or not lock.locked():
                self._next.pop(channel, None)
                self._locks.pop(channel, None)
