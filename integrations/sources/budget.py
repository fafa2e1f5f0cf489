"""Request budgets: a token bucket per key (Reddit's 100 requests a minute, webhook clients)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBucket:
    """`rate` requests per `per` seconds, with bursts up to `rate`, tracked per key."""

    def __init__(
        self,
        rate: int,
        per: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        max_keys: int = 10_000,
    ) -> None:
        self.rate, self.per = float(rate), float(per)
        self._clock, self._sleep = clock, sleep
        self._buckets: dict[str, _Bucket] = {}
        self._max_keys = max_keys

    def _refill(self, key: str) -> _Bucket:
        now = self._clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self._max_keys:  # forget full buckets first
                self._buckets = {
                    k: b for k, b in self._buckets.items() if b.tokens < self.rate - 1e-9
                }
            bucket = self._buckets[key] = _Bucket(self.rate, now)
        bucket.tokens = min(self.rate, bucket.tokens + (now - bucket.stamp) * self.rate / self.per)
        bucket.stamp = now
        return bucket

    def try_take(self, key: str = "") -> float:
        """Take one token: 0 if granted, else the seconds until one is free."""
        bucket = self._refill(key)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) * self.per / self.rate

    async def take(self, key: str = "") -> None:
        """Take one token, waiting for it if the budget is spent."""
        while (wait := self.try_take(key)) > 0:
            await self._sleep(wait)

    def remaining(self, key: str = "") -> int:
        return int(self._refill(key).tokens)

    def drain(self, key: str, remaining: float, reset_in: float) -> None:
        """Align with what the server says is left (rate-limit headers): never more tokens
        than it grants, and none at all until its window resets when it grants none."""
        bucket = self._refill(key)
        target = max(remaining, 0.0)
        if remaining < 1 and reset_in > 0:
            target = 1 - reset_in * self.rate / self.per  # the next token comes at the reset
        bucket.tokens = min(bucket.tokens, target)
