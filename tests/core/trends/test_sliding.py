""" "Now" slides with the clock: the last six hours at 21:01 began at 15:01, and a climb that
filled them does not vanish because a new hour (or a new block of hours) just began."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core.analysis.bursts import DetectorConfig
from core.trends import emerging
from tests.core.trends.helpers import Clock, make_services, raws, write_history

HOUR = dt.timedelta(hours=1)
TOP = dt.datetime(2026, 11, 20, 21, 0)  # a new hour begins, and a new six-hour block


@pytest.fixture
async def services(db_url: str) -> Any:
    svc = await make_services(db_url, Clock(TOP))
    yield svc
    from bot.services import close_services

    await close_services(svc)


async def _climb(services: Any) -> None:
    """Ten days of a quiet hashtag, then six hours of it climbing, ending at 21:00."""
    await write_history(services, "tag:#kettenriss", [1] * (10 * 24 - 6), end=TOP - 6 * HOUR)
    texts = [
        f"Kette gerissen, wer noch? #kettenriss ({h}-{i})"
        for h in range(6)
        for i in range(2 + 3 * h)
    ]
    per_hour = [2 + 3 * h for h in range(6)]
    items = []
    start = TOP - 6 * HOUR
    for h, n in enumerate(per_hour):
        items += raws(
            texts[sum(per_hour[:h]) : sum(per_hour[:h]) + n],
            start=start + h * HOUR + dt.timedelta(minutes=2),
            step=dt.timedelta(minutes=55 / max(n, 1)),
            prefix=f"h{h}-",
        )
    await services.pipeline.ingest(items)


# (An hour later, with nothing new since 21:00, it has indeed stopped moving.)
@pytest.mark.parametrize("minute", [1, 5, 20])
async def test_a_climb_is_still_moving_right_after_the_hour_turns(
    services: Any, minute: int
) -> None:
    await _climb(services)
    now = TOP + dt.timedelta(minutes=minute)
    async with services.sessions() as session:
        found = await emerging.scan(
            session, now=now, config=DetectorConfig(), keys=["tag:#kettenriss"]
        )
    assert found, f"nothing moving {minute} minutes after the hour"
    moving = found[0]
    assert moving.signal.kind in ("climb", "burst")
    # The window ends now and began exactly its span before: no fixed block.
    assert moving.until == now
    assert moving.since == now - moving.span


async def test_the_window_counts_exactly_what_falls_in_it(services: Any) -> None:
    await _climb(services)
    now = TOP + dt.timedelta(minutes=30)  # 15:30 to 21:30: the first half hour is out
    async with services.sessions() as session:
        counts = await emerging.exact_spans(
            session,
            now=now,
            spans=(HOUR, 6 * HOUR),
            hourly={"tag:#kettenriss": [0.0] * 5 + [2.0, 5.0, 8.0, 11.0, 14.0, 17.0, 0.0]},
        )
    last_hour, six_hours = counts["tag:#kettenriss"]
    # 20:30–21:30: the 17 of 20:00–21:00 minus those posted before 20:30 (the hour's first
    # nine, one every 55/17 minutes from 20:02); 15:30–21:30: all but the first hour's
    # mentions before 15:30 (both of 15:00, at 15:02 and 15:29.5).
    assert last_hour == 17 - 9
    assert six_hours == 2 + 5 + 8 + 11 + 14 + 17 - 2
