"""The trend detector on synthetic hourly (and 5-minute) counts with a fixed seed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import numpy as np
import pytest

from core.analysis.bursts import DetectorConfig, Signal, detect_latest, detect_series, rank

HOUR = timedelta(hours=1)
T0 = datetime(2024, 1, 1)  # a Monday
CONFIG = DetectorConfig()


def daily_rates(days: int, rate: float = 20.0, per_hour: int = 1) -> np.ndarray:
    """Expected counts per bucket with a daily cycle between 0.5× and 1.5× of `rate`."""
    step = np.arange(days * 24 * per_hour) / per_hour
    return rate / per_hour * (1 + 0.5 * np.sin(2 * np.pi * step / 24))


def poisson(lam: np.ndarray, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(lam).astype(float)


def series(counts: np.ndarray, config: DetectorConfig = CONFIG, key: str = "k") -> list[Signal]:
    stamps = [T0 + i * config.bucket for i in range(len(counts))]
    return detect_series(stamps, counts.tolist(), key=key, config=config)


def latest(counts: np.ndarray, **kwargs: object) -> Signal | None:
    options: dict = {"key": "k", "config": CONFIG} | kwargs
    return detect_latest(counts.tolist(), T0, **options)


@pytest.mark.parametrize("seed", range(4))
def test_steady_series_does_not_alert(seed: int) -> None:
    assert series(poisson(daily_rates(28), seed=seed)) == []


def test_cold_start_never_seen_term_with_few_mentions_does_not_alert() -> None:
    # Just added: a few buckets of history, then a handful of mentions.
    assert latest(np.array([0.0, 1.0, 4.0])) is None
    # Tracked for days but never seen: a few mentions stay below min_count.
    quiet = np.zeros(5 * 24)
    quiet[-1] = 4
    assert latest(quiet) is None
    # The batch detector agrees, on a series that starts with its first mentions.
    first = np.zeros(3 * 24)
    first[:3] = [3, 5, 2]
    first[30] = 6
    assert series(first) == []


def test_never_seen_term_with_a_real_burst_alerts_once_history_exists() -> None:
    quiet = np.zeros(5 * 24)
    quiet[-1] = 40
    signal = latest(quiet)
    assert signal is not None and signal.kind == "burst"
    assert signal.expected == pytest.approx(CONFIG.prior_rate)  # the prior, not zero


def test_sudden_burst() -> None:
    lam = daily_rates(21)
    counts = poisson(lam)
    counts[-1] = round(lam[-1] * 8)
    signal = latest(counts)
    assert signal is not None
    assert signal.kind == "burst"
    assert signal.bucket_start == T0 + (len(counts) - 1) * HOUR
    assert signal.observed == counts[-1]
    assert signal.growth > 4 and signal.z > CONFIG.z_burst
    # The batch detector sees the same single alerting bucket.
    assert [(s.kind, s.bucket_start) for s in series(counts)] == [("burst", signal.bucket_start)]


def test_slow_climb() -> None:
    lam = daily_rates(23)
    lam[-48:] *= np.linspace(1.0, 3.0, 48)  # two days of steady growth to three times
    signals = series(poisson(lam, seed=9))
    assert signals, "the climb was not detected"
    first = signals[0]
    assert first.kind == "climb"
    assert first.bucket_start >= T0 + (len(lam) - 48) * HOUR
    assert {s.kind for s in signals} == {"climb"}
    assert all(s.growth > 0 and s.z > 0 for s in signals)


def test_drop() -> None:
    lam = daily_rates(21)
    counts = poisson(lam, seed=3)
    counts[-8:] = poisson(lam[-8:] * 0.1, seed=4)  # volume falls away for eight hours
    signals = series(counts)
    assert signals and {s.kind for s in signals} == {"drop"}
    assert all(s.z < 0 and s.growth < -0.5 for s in signals)
    assert signals[0].bucket_start >= T0 + (len(counts) - 8) * HOUR
    assert latest(counts) is not None and latest(counts).kind == "drop"  # type: ignore[union-attr]


def test_same_hour_of_week_baseline_learns_a_weekly_pattern() -> None:
    hours = np.arange(35 * 24)
    mondays_busy = np.where((hours // 24) % 7 == 0, 60.0, 10.0)
    counts = poisson(mondays_busy, seed=4)
    last_monday = T0 + timedelta(days=28)
    weekly = [s for s in series(counts) if s.bucket_start >= last_monday]
    daily_only = [
        s
        for s in series(counts, replace(CONFIG, baseline_weeks=0))
        if s.bucket_start >= last_monday
    ]
    assert weekly == []
    assert daily_only, "without the weekly baseline the usual Monday should look like a climb"


def test_threshold_multiplier_suppresses_a_borderline_signal() -> None:
    lam = daily_rates(21)
    counts = poisson(lam)
    counts[-1] = round(lam[-1] * 3)
    assert latest(counts) is not None
    assert latest(counts, threshold_multiplier=1.5) is None
    assert latest(counts, config=replace(CONFIG, sensitivity="low")) is None
    assert latest(counts, config=replace(CONFIG, feedback={"k": 1.5})) is None
    assert latest(counts, config=replace(CONFIG, feedback={"other": 1.5})) is not None
    # Lower thresholds than normal alert on more.
    counts[-1] = round(lam[-1] * 2.6)
    assert latest(counts) is None
    assert latest(counts, config=replace(CONFIG, sensitivity="high")) is not None


def test_spans_slide_with_the_clock_a_quarter_hour_into_a_bucket() -> None:
    lam = daily_rates(21)
    counts = poisson(lam)
    now = T0 + (len(counts) - 1) * HOUR + timedelta(minutes=15)
    counts[-1] = round(lam[-1] / 4)  # a usual quarter of an hour
    assert latest(counts, now=now) is None
    counts[-1] = round(lam[-1] * 6)  # six hours' worth in fifteen minutes
    signal = latest(counts, now=now)
    assert signal is not None and signal.kind == "burst"
    # The burst span is the last hour before now (three quarters of the previous bucket and
    # the quarter of this one), compared with a whole usual hour at that time of day.
    assert signal.bucket_start == now - HOUR
    assert signal.observed == pytest.approx(0.75 * counts[-2] + counts[-1])
    assert lam[-2] / 2 < signal.expected < 2 * lam[-1]


def test_a_climb_does_not_vanish_when_a_new_bucket_begins() -> None:
    """The hour turns; the new bucket is empty so far. The six hours before now still climb."""
    lam = daily_rates(21)
    counts = poisson(lam, seed=2)
    counts[-7:-1] = np.round(lam[-7:-1] * np.linspace(2.0, 4.0, 6))  # six hours rising
    counts[-1] = 0  # one minute into the new bucket, nothing yet
    before = latest(counts[:-1], now=T0 + (len(counts) - 2) * HOUR + timedelta(minutes=59))
    assert before is not None and before.kind in ("climb", "burst")
    for minute in (1, 5, 20):
        now = T0 + (len(counts) - 1) * HOUR + timedelta(minutes=minute)
        signal = latest(counts, now=now)
        assert signal is not None, minute
        assert signal.kind in ("climb", "burst")


def test_exact_span_counts_replace_the_estimate() -> None:
    lam = daily_rates(21)
    counts = poisson(lam, seed=3)
    counts[-1] = round(lam[-1] * 6)
    now = T0 + (len(counts) - 1) * HOUR + timedelta(minutes=30)
    estimated = latest(counts, now=now)
    exact = latest(counts, now=now, observed=(counts[-1] + 3.0, counts[-6:].sum() + 3.0))
    assert estimated is not None and exact is not None
    assert exact.observed == counts[-1] + 3.0
    assert exact.z > estimated.z or exact.observed != estimated.observed


def test_series_and_latest_agree_bucket_by_bucket() -> None:
    lam = daily_rates(10)
    counts = poisson(lam, seed=5)
    counts[200:203] *= 6
    counts[220:230] = 0
    by_start = {s.bucket_start: s for s in series(counts)}
    assert by_start, "the fixture should alert somewhere"
    for i in range(len(counts)):
        online = latest(counts[: i + 1])
        batch = by_start.get(T0 + i * HOUR)
        assert (online is None) == (batch is None), i
        if online is not None and batch is not None:
            assert online.kind == batch.kind
            assert online.z == pytest.approx(batch.z)
            assert online.expected == pytest.approx(batch.expected)


def test_five_minute_buckets() -> None:
    config = DetectorConfig(bucket=timedelta(minutes=5))
    lam = daily_rates(9, rate=60.0, per_hour=12)
    counts = poisson(lam, seed=6)
    counts[-12:] = poisson(lam[-12:] * 6, seed=7)  # an hour at six times the usual
    signals = series(counts, config)
    assert signals and signals[0].kind == "burst"
    assert signals[0].bucket_start >= T0 + (len(counts) - 12) * config.bucket


def test_series_bins_irregular_timestamps_into_buckets() -> None:
    stamps = [T0 + timedelta(minutes=20 * i) for i in range(3 * 24 * 3)]
    assert detect_series(stamps, [1.0] * len(stamps), key="k") == []
    assert detect_series([], [], key="k") == []
    with pytest.raises(ValueError):
        detect_series(stamps, [1.0], key="k")


def test_rank_by_score_then_significance() -> None:
    at = datetime(2024, 5, 1, 12)

    def make(key: str, observed: float, expected: float, z: float) -> Signal:
        growth = (observed - expected) / expected
        score = abs(z) * abs(np.log2((observed + 1) / (expected + 1)))
        return Signal(key, "burst", at, observed, expected, z, growth, float(score))

    huge_but_flat = make("huge", 11_000, 10_000, 9.0)  # +10 % on a huge key
    doubled = make("doubled", 200, 100, 7.0)
    tripled = make("tripled", 90, 30, 8.0)
    ranked = rank([huge_but_flat, doubled, tripled])
    assert [s.key for s in ranked] == ["tripled", "doubled", "huge"]
    assert rank([]) == []


def test_config_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        DetectorConfig(sensitivity="extreme")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DetectorConfig(trend_span=timedelta(days=2))
    with pytest.raises(ValueError):
        DetectorConfig(bucket=timedelta(hours=2), burst_span=timedelta(hours=1))
    assert hash(DetectorConfig(feedback={"k": 2.0})) == hash(DetectorConfig())
