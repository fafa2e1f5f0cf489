"""The responder: work after the ack is bounded, and slow jobs do not hold up quick ones."""

from __future__ import annotations

import asyncio
import gc
import warnings
from types import SimpleNamespace
from typing import Any

from bot.responder import CONCURRENCY, Responder


def bare_responder() -> Responder:
    """Only the scheduling of work is tested here: no database, no platform."""
    services: Any = SimpleNamespace(instance="test")
    return Responder(services, "test")


async def test_at_most_a_few_requests_are_worked_on_at_once() -> None:
    responder = bare_responder()
    running, peak = 0, 0

    async def job() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.01)
        running -= 1

    for _ in range(CONCURRENCY * 5):
        responder.spawn(job())
    await responder.drain()
    assert peak == CONCURRENCY


async def test_a_slow_job_gives_its_slot_up() -> None:
    responder = bare_responder()
    responder.hold = 0.05
    release = asyncio.Event()
    done: list[str] = []

    async def slow(n: int) -> None:
        await release.wait()  # a model that takes its time
        done.append(f"slow{n}")

    async def quick() -> None:
        done.append("quick")

    for n in range(CONCURRENCY + 2):
        responder.spawn(slow(n))
    responder.spawn(quick())
    for _ in range(200):
        if done:
            break
        await asyncio.sleep(0.01)
    assert done == ["quick"]
    release.set()
    await responder.drain()
    assert len(done) == CONCURRENCY + 3


async def test_drain_cancels_what_is_left_without_leaking_coroutines() -> None:
    responder = bare_responder()
    forever = asyncio.Event()

    async def stuck() -> None:
        await forever.wait()

    for _ in range(CONCURRENCY * 2):
        responder.spawn(stuck())
    await asyncio.sleep(0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await responder.drain(timeout=0.05)
        await asyncio.sleep(0)
        gc.collect()
    assert not responder.tasks
    assert not [w for w in caught if "never awaited" in str(w.message)]
