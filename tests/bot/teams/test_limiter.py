"""Posts per conversation stay within Teams' windows (7/s, 8/2 s, 60/30 s, 1,800/h)."""

from __future__ import annotations

from bot.teams.limiter import TEAMS_WINDOWS, ConversationLimiter


class FakeTime:
    """A clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def limiter(time: FakeTime) -> ConversationLimiter:
    return ConversationLimiter(TEAMS_WINDOWS, clock=time.clock, sleep=time.sleep)


async def test_seven_posts_go_at_once_then_the_limiter_waits() -> None:
    time = FakeTime()
    lim = limiter(time)
    for _ in range(7):
        await lim.acquire("c1")
    assert time.sleeps == []
    await lim.acquire("c1")  # the 8th in the same second waits for the first to age out
    assert time.sleeps == [1.0]
    await lim.acquire("c1")  # 8 in two seconds: the 9th waits for the 2-second window
    assert round(sum(time.sleeps), 6) == 2.0


async def test_other_conversations_are_not_held_up() -> None:
    time = FakeTime()
    lim = limiter(time)
    for _ in range(7):
        await lim.acquire("c1")
    await lim.acquire("c2")
    assert time.sleeps == []


async def test_an_hour_allows_1800_posts() -> None:
    time = FakeTime()
    lim = ConversationLimiter(((3600.0, 1800),), clock=time.clock, sleep=time.sleep)
    for _ in range(1800):
        await lim.acquire("c")
        time.now += 1.0
    assert time.sleeps == []
    await lim.acquire("c")  # the first post of the hour must age out first
    assert time.sleeps == [1800.0]
    assert lim.delay("other") == 0.0


async def test_sustained_posting_keeps_every_window() -> None:
    time = FakeTime()
    lim = limiter(time)
    stamps = []
    for _ in range(200):
        await lim.acquire("c")
        stamps.append(time.now)
    for seconds, limit in TEAMS_WINDOWS:
        for i, start in enumerate(stamps):
            inside = [s for s in stamps[i:] if s < start + seconds]
            assert len(inside) <= limit, (seconds, limit)
