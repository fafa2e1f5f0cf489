"""Posts to one channel take turns, in order; other channels do not wait for them."""

from __future__ import annotations

import asyncio

from bot.slack.pacing import ChannelPacer


async def test_posts_to_a_channel_take_turns_in_order() -> None:
    pacer = ChannelPacer(interval=0.02)
    log: list[str] = []
    inside: set[str] = set()

    async def post(channel: str, n: int) -> None:
        async with pacer.turn(channel):
            assert channel not in inside  # one post at a time per channel
            inside.add(channel)
            log.append(f"{channel}{n}")
            await asyncio.sleep(0)
            inside.discard(channel)

    await asyncio.gather(*(post("A", n) for n in range(4)), *(post("B", n) for n in range(2)))
    assert [e for e in log if e.startswith("A")] == ["A0", "A1", "A2", "A3"]
    assert [e for e in log if e.startswith("B")] == ["B0", "B1"]
    # B's posts did not queue behind A's: they interleave.
    assert log.index("B0") < log.index("A3")
