"""Events in a stored history: planted bursts, climbs and drops (other brands than the demo,
German and English) are found with their day and size; nothing is found in quiet talk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from config.settings import Settings
from core.analysis.events import EventConfig, find_episodes
from core.clock import localize
from core.raw import RawMention
from core.trends.events import Event, find_events
from handlers.dispatch import dispatch
from tests.conftest import console_request
from tests.core.trends.helpers import Clock, migrated_db_url
from tests.fakes import RuleAnalyzer
from tests.fixtures.scenarios.generate import SCENARIOS, Planted, rows

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "scenarios"
# Monday 7 December 2026, 03:15 UTC: the scenarios end here.
NOW = dt.datetime(2026, 12, 7, 3, 15)
HOUR = dt.timedelta(hours=1)


# -- the detector alone, on synthetic hourly counts --------------------------------------


def _rhythm(days: int, per_hour: float, seed: int) -> np.ndarray:
    hours = np.arange(days * 24)
    shape = 1 + 0.6 * np.sin(2 * np.pi * ((hours % 24) - 9) / 24)
    return np.random.default_rng(seed).poisson(per_hour * shape).astype(float)


@pytest.mark.parametrize("seed", range(6))
def test_quiet_talk_has_no_events(seed: int) -> None:
    for per_hour in (0.3, 2.0, 15.0):
        counts = _rhythm(28, per_hour, seed)
        assert find_episodes(counts, period_from=21 * 24) == [], per_hour


def test_a_burst_is_found_with_its_hours_and_size() -> None:
    counts = _rhythm(28, 2.0, 1)
    start = 24 * 24 + 10  # day 24, 10:00
    counts[start : start + 8] += np.random.default_rng(2).poisson(10.0, 8)
    (event,) = find_episodes(counts, period_from=21 * 24)
    assert event.kind == "burst"
    assert abs(event.start - start) <= 1 and abs(event.end - (start + 7)) <= 2
    # About 80 extra on about 20 usual for those hours: roughly five times the usual.
    assert 3.5 <= event.ratio <= 7.0
    assert event.z > 5 and not event.ongoing


def test_a_climb_that_still_goes_on() -> None:
    counts = _rhythm(28, 1.0, 3)
    ramp = np.linspace(0, 12, 30)
    counts[-30:] += np.random.default_rng(4).poisson(ramp)
    (event,) = find_episodes(counts, period_from=21 * 24)
    assert event.kind == "climb" and event.ongoing
    assert len(counts) - 30 <= event.start <= len(counts) - 20


def test_a_drop_for_days_is_one_event_until_now() -> None:
    counts = _rhythm(28, 6.0, 5)
    counts[-4 * 24 :] = np.random.default_rng(6).poisson(counts[-4 * 24 :] * 0.3)
    (event,) = find_episodes(counts, period_from=21 * 24)
    assert event.kind == "drop" and event.ongoing
    assert abs(event.start - (len(counts) - 4 * 24)) <= 12
    assert 0.2 <= event.ratio <= 0.45


def test_weekends_are_measured_against_weekends() -> None:
    hours = np.arange(35 * 24)
    weekend = (hours // 24) % 7 >= 5
    rate = np.where(weekend, 1.5, 6.0) * (1 + 0.5 * np.sin(2 * np.pi * (hours % 24) / 24))
    counts = np.random.default_rng(8).poisson(rate).astype(float)
    assert find_episodes(counts, period_from=28 * 24) == []


def test_history_before_it_is_known_is_not_zero() -> None:
    counts = _rhythm(14, 3.0, 9)
    # A topic first counted three days ago has no usual level before that: nothing to say.
    assert find_episodes(counts, known_from=11 * 24, period_from=11 * 24) == []


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError):
        EventConfig(min_ratio=1.0)
    with pytest.raises(ValueError):
        EventConfig(scales=())


# -- the scenarios through the pipeline and the database --------------------------------


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)


async def _scenario(db_url: str, name: str) -> Any:
    from bot.services import build_services

    settings = Settings.for_tests(
        database_url=db_url, workspace_path=SCENARIO_DIR / name / "workspace.yaml"
    )
    services = await build_services(settings, analyzer=RuleAnalyzer())
    services.clock = Clock(NOW)
    raws = [
        RawMention(
            source=f"{name}-feed",
            external_id=row["id"],
            text=row["text"],
            published_at=dt.datetime.fromisoformat(row["published_at"]).replace(tzinfo=None),
            author=row["author"],
            url=row["url"],
        )
        for row in rows(name, NOW)
    ]
    for start in range(0, len(raws), 1000):
        await services.pipeline.ingest(raws[start : start + 1000])
    return services


def _keys(event: Event) -> set[str]:
    return {event.key, *event.related, *(c.key for c in event.companions)}


def _find(found: list[Event], planted: Planted) -> Event:
    """The event (or companion) told by the planted key, overlapping the planted hours."""
    start = NOW - planted.start
    end = start + dt.timedelta(hours=planted.hours)
    candidates = [e for e in found for e in (e, *e.companions)]
    matches = [e for e in candidates if e.key == planted.key and e.start < end and start < e.until]
    assert matches, f"{planted.name} ({planted.key}) not found in {[e.key for e in found]}"
    return matches[0]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
async def test_every_planted_event_is_found_with_its_day_and_size(db_url: str, name: str) -> None:
    services = await _scenario(db_url, name)
    try:
        async with services.sessions() as session:
            found = await find_events(
                session, since=NOW - dt.timedelta(days=7), until=NOW + HOUR, now=NOW
            )
        zone = SCENARIOS[name].zone
        for planted in SCENARIOS[name].planted:
            event = _find(found, planted)
            start = NOW - planted.start
            # The day it began (in the team's zone), within a few hours of the truth (a fall
            # that begins at night shows only when the day's talk would have begun).
            slack = dt.timedelta(hours=12 if planted.kind == "drop" else 4)
            assert abs(event.start - start) <= slack, planted.name
            assert localize(event.start, zone).date() in {
                localize(start - slack, zone).date(),
                localize(start + slack, zone).date(),
            }
            if planted.kind == "drop":
                assert event.kind == "drop" and event.ongoing
                assert event.ratio <= (planted.keep + 1) / 2, planted.name
            else:
                assert event.kind in ("burst", "climb")
                extra = planted.per_hour * planted.hours
                # At least most of what was planted, and several times the usual.
                assert event.observed >= 0.7 * extra, planted.name
                assert event.ratio >= 3, planted.name
        # Nothing but the planted stories (and what they carried along) leads the list.
        planted_keys = {p.key for p in SCENARIOS[name].planted}
        assert {e.key for e in found[: len(planted_keys)]} <= planted_keys | {
            k for e in found for k in _keys(e)
        }
    finally:
        from bot.services import close_services

        await close_services(services)


async def test_the_brief_opens_with_the_events_and_their_days(db_url: str) -> None:
    services = await _scenario(db_url, "velora")
    try:
        reply = await dispatch(
            services.registry, services, console_request("brief 7d", locale="de")
        )
        opening = [s for s in reply.sections if s.startswith("• ")]
        text = "\n".join(opening)
        assert reply.sections[0].startswith("Was passiert ist")
        # The battery complaints (Friday), the competitor's recall (Tuesday), the new
        # hashtag (since Sunday), the quiet competitor (since Thursday), each with its day.
        assert "Fr 04.12." in text and "Akku" in text
        assert "Di 01.12." in text and "Radwerk" in text
        assert "#veloraausfahrt" in text and "seit So 06.12." in text
        assert "Pedalis" in text and "seit Do 03.12." in text
        akku = next(line for line in opening if "Akku" in line)
        assert "üblich" in akku and "negativ" in akku and "Beschwerden" in akku
    finally:
        from bot.services import close_services

        await close_services(services)


async def test_trends_for_a_period_lists_the_events_most_significant_first(db_url: str) -> None:
    services = await _scenario(db_url, "brightwave")
    try:
        reply = await dispatch(
            services.registry, services, console_request("trends 7d", locale="en")
        )
        assert reply.title == "Trends: the last 7 days"
        events = [
            item
            for item in reply.items
            if item.facts and "Against the usual" in {f.label for f in item.facts}
        ]
        assert len(events) >= 3
        labels = [next(f.value for f in i.facts if f.label == "Significance (z)") for i in events]
        shown = [float(z.replace("−", "-")) for z in labels]
        assert [abs(z) for z in shown] == sorted((abs(z) for z in shown), reverse=True)
        titles = " ".join(i.title for i in events)
        assert "firmware" in titles and "shipping" in titles
    finally:
        from bot.services import close_services

        await close_services(services)
