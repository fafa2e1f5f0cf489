"""Trend and anomaly detection over mention counts in time buckets.

One detector serves every kind of key (term, hashtag, watch term, topic) and any bucket size
(the bot's hourly counts, NAB's 5-minute counts). For a bucket it compares the count summed
over a *span* ending at that bucket with what the key's own past predicts for that span:

* **Expectation** (seasonal, trailing): the same span at the same time of day on each of the
  last `baseline_days` days (a trimmed mean, so one earlier burst does not lift it), blended
  with the same hour of the week over the last `baseline_weeks` weeks once a week of history
  exists (weight n/(n + `week_prior`) for n weeks seen). Past windows are centred on the same
  time of day and at least `baseline_smoothing` wide, so single sparse buckets do not make a
  noisy baseline. Never-seen and very quiet keys are floored at `prior_rate`.
* **Spread**: Poisson plus over-dispersion, Var = E + φ·E² (negative binomial). φ comes from
  the key's own recent residuals (robust MAD of log(observed/expected) over the last
  `dispersion_window`, minus the Poisson part), so a noisy key needs a larger jump than a
  steady one, and φ = 0 falls back to the plain √E floor.
* **Signals**: a *burst* is z ≥ `z_burst` over the short `burst_span`; a *climb* is z ≥
  `z_climb` over the longer `trend_span`, reported as a burst instead when at least half of
  its excess sits in the latest `burst_span` (sudden, not gradual); a *drop* is a fall over
  `trend_span` whose variance-stabilised z is ≤ −`z_drop`. The linear z = (O − E)/σ cannot go
  below −1/√φ however far volume falls, so drops are scored on the negative-binomial
  variance-stabilising transform, which treats rises and falls alike in ratio. The trend span
  alerts only while the latest `burst_span` still carries at least half its share of the
  excess or shortfall, so the hours after a burst are not reported again as a climb.
* **Guards**: nothing alerts before `min_history`; rises need `min_count` observed mentions
  and drops `min_count` expected ones in the span; all thresholds scale with the sensitivity,
  the per-key feedback factor and the caller's multiplier.

`detect_series` runs over a whole series (vectorised); `detect_latest` answers for the spans
ending *now* (sliding: the last hour, the last six hours, whatever the minute) and gives the
same answer as `detect_series` for a complete bucket.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import numpy as np
from numpy.typing import NDArray

logger = logging.getLogger(__name__)

Kind = Literal["burst", "climb", "drop"]
Sensitivity = Literal["low", "normal", "high"]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Threshold factor per sensitivity: "high" alerts on smaller deviations.
SENSITIVITY_FACTORS: Mapping[str, float] = {"low": 1.3, "normal": 1.0, "high": 0.8}

# 1.4826 · MAD estimates a standard deviation for normal data.
_MAD_TO_SD = 1.4826
# Fewest recent residuals from which the dispersion φ is trusted.
_MIN_RESIDUALS = 12
# Residuals are sampled about four times per span: overlapping span sums are strongly
# correlated, so denser sampling only costs time.
_RESIDUALS_PER_SPAN = 4
_MAX_RESIDUALS = 96


@dataclass(frozen=True)
class DetectorConfig:
    """Parameters of the detector; defaults are those evaluated on NAB (see trend_eval).

    Durations are `timedelta`s and are rounded to whole buckets, so the same configuration
    works for hourly and 5-minute buckets. Thresholds are z-scores, multiplied by the
    sensitivity factor, the per-key `feedback` factor and the caller's multiplier.
    """

    bucket: timedelta = timedelta(hours=1)
    burst_span: timedelta = timedelta(hours=1)
    trend_span: timedelta = timedelta(hours=6)
    baseline_smoothing: timedelta = timedelta(hours=1)
    baseline_days: int = 7
    baseline_weeks: int = 4
    week_prior: float = 1.0
    dispersion_window: timedelta = timedelta(days=7)
    min_history: timedelta = timedelta(days=1)
    # A handful of mentions is never a trend, however quiet the key was.
    min_count: float = 10.0
    # Mentions per hour assumed for a key never seen: keeps E (and σ ≥ √E) above zero.
    prior_rate: float = 0.1
    z_burst: float = 20.0
    z_climb: float = 5.0
    z_drop: float = 6.0
    sensitivity: Sensitivity = "normal"
    # Per-key factors learnt from feedback ("too noisy" raises one above 1); kept out of the
    # hash because a dict is unhashable.
    feedback: Mapping[str, float] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.bucket <= timedelta(0):
            raise ValueError("bucket must be positive")
        if self.sensitivity not in SENSITIVITY_FACTORS:
            raise ValueError(f"sensitivity must be one of {sorted(SENSITIVITY_FACTORS)}")
        if max(self.burst_span, self.trend_span, self.baseline_smoothing) >= timedelta(days=1):
            # Past windows are centred on the same time of day, which must lie in the past.
            raise ValueError("burst_span, trend_span and baseline_smoothing must be < 1 day")
        if self.bucket > min(self.burst_span, self.trend_span):
            raise ValueError("bucket must not be longer than burst_span or trend_span")
        if self.baseline_days < 1 or self.baseline_weeks < 0:
            raise ValueError("baseline_days must be >= 1 and baseline_weeks >= 0")

    def threshold_factor(self, key: str) -> float:
        """The factor applied to every threshold for this key (sensitivity × feedback)."""
        return SENSITIVITY_FACTORS[self.sensitivity] * self.feedback.get(key, 1.0)


@dataclass(frozen=True)
class Signal:
    """One significant bucket of one key.

    `observed` and `expected` are counts over the span whose test alerted, ending with the
    bucket that starts at `bucket_start`: `burst_span` when the burst test fired, otherwise
    `trend_span` (also for a sudden rise over the trend span, reported as a burst).
    `z` is negative for drops. `growth` is the relative change (observed − expected) /
    expected: 3.0 is four times the usual volume, −0.5 half of it. `score` ranks signals:
    |z| × |log2((observed + 1) / (expected + 1))|, significance weighted by size of change,
    so a tiny relative change on a huge key does not outrank a key that doubled.
    """

    key: str
    kind: Kind
    bucket_start: datetime
    observed: float
    expected: float
    z: float
    growth: float
    score: float


@dataclass(frozen=True)
class _Plan:
    """A configuration resolved to whole buckets."""

    per_day: int
    per_week: int
    short: int
    long: int
    smoothing: int
    days: int
    weeks: int
    week_prior: float
    disp_window: int
    min_history: int
    prior_per_bucket: float

    @classmethod
    def of(cls, config: DetectorConfig) -> _Plan:
        def n(span: timedelta) -> int:
            return max(1, round(span / config.bucket))

        return cls(
            per_day=n(timedelta(days=1)),
            per_week=n(timedelta(days=7)),
            short=n(config.burst_span),
            long=n(config.trend_span),
            smoothing=n(config.baseline_smoothing),
            days=config.baseline_days,
            weeks=config.baseline_weeks,
            week_prior=config.week_prior,
            disp_window=n(config.dispersion_window),
            min_history=n(config.min_history) if config.min_history > timedelta(0) else 0,
            prior_per_bucket=config.prior_rate * (config.bucket / timedelta(hours=1)),
        )

    def lags(self) -> tuple[list[int], list[int]]:
        daily = [d * self.per_day for d in range(1, self.days + 1)]
        weekly = [w * self.per_week for w in range(1, self.weeks + 1)]
        return daily, weekly

    def step(self, span: int) -> int:
        return max(1, span // _RESIDUALS_PER_SPAN, self.disp_window // _MAX_RESIDUALS)

    def reach(self) -> int:
        """How many buckets before the current one any statistic of it looks at."""
        daily, weekly = self.lags()
        widest = max(self.short, self.long, self.smoothing)
        return self.disp_window + max(daily + weekly) + 2 * widest + 2


@functools.lru_cache(maxsize=64)
def _plan(config: DetectorConfig) -> _Plan:
    # detect_latest runs per mention with a handful of configurations: resolve each once.
    return _Plan.of(config)


@dataclass(frozen=True)
class _Scale:
    """Statistics of one span at target buckets (arrays of the targets' shape)."""

    observed: FloatArray
    expected: FloatArray
    phi: FloatArray  # NaN where too little history to estimate the spread


def _window_sums(cs: FloatArray, ends: IntArray, length: int) -> FloatArray:
    """Sums of `length` buckets ending at each index of `ends`; NaN where not all exist."""
    starts = ends - length + 1
    ok = (starts >= 0) & (ends < cs.size - 1)
    out = np.full(ends.shape, np.nan)
    out[ok] = cs[ends[ok] + 1] - cs[starts[ok]]
    return out


def _expected(cs: FloatArray, targets: IntArray, span: int, plan: _Plan) -> FloatArray:
    """Seasonal expectation of the `span`-bucket sum ending at each target; NaN if no past day."""
    width = max(span, plan.smoothing)
    # Shift so the past window is centred where the current span is centred.
    shift = (width - span) // 2
    scale = span / width
    daily_lags, weekly_lags = plan.lags()
    lags = np.asarray(daily_lags + weekly_lags, dtype=np.int64)
    past = _window_sums(cs, targets[..., None] - lags + shift, width)
    daily = past[..., : len(daily_lags)]
    valid = ~np.isnan(daily)
    n_days = valid.sum(axis=-1)
    total = np.where(valid, daily, 0.0).sum(axis=-1)
    high = np.where(valid, daily, -np.inf).max(axis=-1)
    low = np.where(valid, daily, np.inf).min(axis=-1)
    # Trimmed mean (without the highest and lowest day) once four days exist: robust to one
    # earlier burst or outage, yet less noisy than a median on low counts.
    with np.errstate(invalid="ignore", divide="ignore"):
        trimmed = np.where(
            n_days >= 4,
            (total - high - low) / np.maximum(n_days - 2, 1),
            total / np.maximum(n_days, 1),
        )
    result = np.where(n_days > 0, trimmed, np.nan)
    if weekly_lags:
        weekly = past[..., len(daily_lags) :]
        n_weeks = (~np.isnan(weekly)).sum(axis=-1)
        median = _row_median(weekly, n_weeks)
        weight = n_weeks / (n_weeks + plan.week_prior)
        result = np.where(n_weeks > 0, (1 - weight) * result + weight * median, result)
    return np.maximum(result * scale, plan.prior_per_bucket * span)


def _row_median(values: FloatArray, n: IntArray) -> FloatArray:
    """Median along the last axis, ignoring NaN; `n` counts each row's non-NaN values.

    A sort beats np.nanmedian (masked arrays on rows this short) and np.partition alike.
    """
    ordered = np.sort(values, axis=-1)  # NaN sorts last
    lo = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], -1)[..., 0]
    return np.where(n > 0, (lo + hi) / 2, np.nan)


@dataclass(frozen=True)
class _Residuals:
    """Per bucket: log(observed/expected) of the span ending there, and 1/expected.

    Front-padded so that rows reaching before the first bucket gather no residual.
    """

    log_ratio: FloatArray
    inverse: FloatArray
    pad: int

    @classmethod
    def of(cls, observed: FloatArray, expected: FloatArray, pad: int) -> _Residuals:
        nan = np.full(pad, np.nan)
        with np.errstate(invalid="ignore", divide="ignore"):
            log_ratio = np.log((observed + 0.5) / (expected + 0.5))
            # 0 where there is no residual, so that a plain sum skips it.
            inverse = np.where(np.isnan(log_ratio), 0.0, 1.0 / (expected + 0.5))
        return cls(np.concatenate([nan, log_ratio]), np.concatenate([np.zeros(pad), inverse]), pad)


def _dispersion(residuals: _Residuals, rows: IntArray) -> FloatArray:
    """φ per row of residual indices (rows[t] = target − 1 − k·step); NaN when too few."""
    q = residuals.log_ratio[rows + residuals.pad]
    n = (~np.isnan(q)).sum(axis=-1)
    centre = _row_median(q, n)
    mad = _row_median(np.abs(q - centre[..., None]), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        poisson = residuals.inverse[rows + residuals.pad].sum(axis=-1) / n
    # Var(log X) ≈ 1/E + φ for a negative binomial: remove the (mean) Poisson share.
    phi = np.maximum((_MAD_TO_SD * mad) ** 2 - poisson, 0.0)
    return np.where(n >= _MIN_RESIDUALS, phi, np.nan)


def _residual_rows(targets: IntArray, span: int, plan: _Plan) -> IntArray:
    step = plan.step(span)
    n = max(1, plan.disp_window // step)
    return targets[:, None] - 1 - step * np.arange(n)[None, :]


def _z_linear(observed: FloatArray, expected: FloatArray, phi: FloatArray) -> FloatArray:
    return (observed - expected) / np.sqrt(expected + phi * expected**2)


def _vst(x: FloatArray, phi: FloatArray) -> FloatArray:
    """Negative-binomial variance-stabilising transform; 2√(x + 3/8) (Anscombe) at φ = 0."""
    x = np.maximum(x, 0.0) + 0.375
    tiny = phi < 1e-9
    safe = np.where(tiny, 1.0, phi)
    nb = 2.0 / np.sqrt(safe) * np.arcsinh(np.sqrt(safe * x))
    return np.where(tiny, 2.0 * np.sqrt(x), nb)


def _bin(
    timestamps: Sequence[datetime], counts: Sequence[float], bucket: timedelta
) -> tuple[datetime, FloatArray]:
    """Counts summed into buckets anchored at the earliest timestamp; missing buckets are 0."""
    start = min(timestamps)
    offsets = np.fromiter(
        ((t - start) // bucket for t in timestamps), dtype=np.int64, count=len(timestamps)
    )
    binned = np.zeros(int(offsets.max()) + 1)
    np.add.at(binned, offsets, np.asarray(counts, dtype=np.float64))
    return start, binned


@dataclass(frozen=True)
class _Verdict:
    """Per target: kind code (index into _KINDS, 0 = nothing) and the alerting span's figures."""

    kind: IntArray
    z: FloatArray
    observed: FloatArray
    expected: FloatArray


_KINDS: tuple[Kind | None, ...] = (None, "burst", "climb", "drop")


def _signal(key: str, verdict: _Verdict, i: int, at: datetime) -> Signal:
    kind = _KINDS[int(verdict.kind[i])]
    assert kind is not None
    observed, expected, z = (
        float(verdict.observed[i]),
        float(verdict.expected[i]),
        float(verdict.z[i]),
    )
    growth = (observed - expected) / expected if expected > 0 else math.inf
    score = abs(z) * abs(math.log2((observed + 1.0) / (expected + 1.0)))
    return Signal(key, kind, at, observed, expected, z, growth, score)


def _judge(short: _Scale, long: _Scale, factor: float, config: DetectorConfig) -> _Verdict:
    """Apply the three tests; a short-span burst takes precedence over the trend span."""
    with np.errstate(invalid="ignore", divide="ignore"):
        z_short = _z_linear(short.observed, short.expected, short.phi)
        z_long = _z_linear(long.observed, long.expected, long.phi)
        z_drop = _vst(long.observed, long.phi) - _vst(long.expected, long.phi)
        burst = (z_short >= config.z_burst * factor) & (short.observed >= config.min_count)
        # The trend span alerts only while the latest burst span still carries at least half
        # its share of the excess (or shortfall): the tail of a burst that is over, still
        # inside the trend span, is no new climb.
        share = short.expected / long.expected
        excess_now = short.observed - short.expected
        excess_span = long.observed - long.expected
        rise = (
            (z_long >= config.z_climb * factor)
            & (long.observed >= config.min_count)
            & (excess_now >= 0.5 * share * excess_span)
        )
        drop = (
            (z_drop <= -config.z_drop * factor)
            & (long.expected >= config.min_count)
            & (excess_now <= 0.5 * share * excess_span)
        )
        # A rise whose excess sits mostly in the latest burst span is sudden: a burst.
        sudden = excess_now >= 0.5 * excess_span
    kind = np.where(burst, 1, np.where(rise, np.where(sudden, 1, 2), np.where(drop, 3, 0)))
    use_short = burst
    return _Verdict(
        kind=kind.astype(np.int64),
        z=np.where(use_short, z_short, np.where(drop & ~rise, z_drop, z_long)),
        observed=np.where(use_short, short.observed, long.observed),
        expected=np.where(use_short, short.expected, long.expected),
    )


def _scales_for_series(cs: FloatArray, plan: _Plan) -> tuple[_Scale, _Scale]:
    n = cs.size - 1
    every = np.arange(n, dtype=np.int64)
    out = []
    for span in (plan.short, plan.long):
        observed = _window_sums(cs, every, span)
        expected = _expected(cs, every, span, plan)
        residuals = _Residuals.of(observed, expected, pad=plan.disp_window + 1)
        phi = np.full(n, np.nan)
        # Chunks bound the residual matrix (targets × residuals) to a few MB.
        for lo in range(0, n, 2048):
            phi[lo : lo + 2048] = _dispersion(
                residuals, _residual_rows(every[lo : lo + 2048], span, plan)
            )
        out.append(_Scale(observed, expected, phi))
    return out[0], out[1]


def detect_series(
    timestamps: Sequence[datetime],
    counts: Sequence[float],
    *,
    key: str = "",
    config: DetectorConfig | None = None,
) -> list[Signal]:
    """Every alerting bucket of a whole series, in time order.

    Counts are summed into `config.bucket` buckets anchored at the earliest timestamp
    (absent buckets count 0). Each bucket is judged only on the buckets before it, exactly as
    `detect_latest` would judge it once complete. Nothing alerts within `min_history`.
    """
    config = config or DetectorConfig()
    if len(timestamps) != len(counts):
        raise ValueError("timestamps and counts differ in length")
    if not timestamps:
        return []
    plan = _plan(config)
    start, binned = _bin(timestamps, counts, config.bucket)
    cs = np.concatenate([[0.0], np.cumsum(binned)])
    short, long = _scales_for_series(cs, plan)
    verdict = _judge(short, long, config.threshold_factor(key), config)
    verdict.kind[: plan.min_history] = 0
    logger.debug("%s: %d buckets, %d alerting", key, binned.size, np.count_nonzero(verdict.kind))
    return [
        _signal(key, verdict, int(i), start + int(i) * config.bucket)
        for i in np.flatnonzero(verdict.kind)
    ]


def slide(counts: Sequence[float] | FloatArray, elapsed: float) -> FloatArray:
    """Counts re-bucketed so that the last bucket ends now: bucket k of the result spans the
    last (1 − elapsed) of bucket k and the first `elapsed` of bucket k + 1 (mentions taken to
    arrive evenly within a bucket); the last input bucket is the one still filling, counted
    whole. One bucket shorter than the input.
    """
    values = np.asarray(counts, dtype=np.float64)
    if values.size < 2:
        return values.copy()
    head = elapsed * values[1:]
    head[-1] = values[-1]  # the bucket still filling holds exactly its first `elapsed`
    return np.asarray((1.0 - elapsed) * values[:-1] + head)


def detect_latest(
    history_counts: Sequence[float],
    history_start: datetime,
    *,
    key: str,
    config: DetectorConfig,
    threshold_multiplier: float = 1.0,
    now: datetime | None = None,
    observed: tuple[float, float] | None = None,
) -> Signal | None:
    """Whether the last bucket of `history_counts` is significant given the buckets before it.

    `history_counts[i]` counts the bucket starting at `history_start + i·config.bucket`; the
    last one is the current bucket. Pass `now` while it is still filling: the spans then
    *slide* — the burst span is the last `burst_span` before `now`, the trend span the last
    `trend_span` — and every earlier bucket and every baseline shifts with them to the same
    minute of the hour (`slide`), so what is moving does not depend on where the clock stands
    in a bucket. Without `now` the last bucket is taken as complete, and the answer is the
    one `detect_series` gives for it. `observed`: the exact counts of the burst and trend
    spans ending at `now`, when the caller counted them (else they are estimated from the
    buckets). Only the last few weeks of history are read, so a call costs well under a
    millisecond. `threshold_multiplier` (e.g. from feedback) scales all thresholds on top
    of the configuration's factor for `key`.
    """
    total = len(history_counts)
    if total == 0:
        return None
    plan = _plan(config)
    target = total - 1
    first = max(0, target - plan.reach() - 1)
    counts = np.asarray(history_counts[first:], dtype=np.float64)
    last_start = history_start + target * config.bucket
    if now is not None:
        elapsed = min(1.0, max((now - last_start) / config.bucket, 0.0))
        if elapsed < 1.0:
            if target < 1:
                return None
            counts = slide(counts, elapsed)
            target -= 1
            last_start = now - config.bucket
    if target < plan.min_history:
        return None
    counts = counts[-(plan.reach() + 1) :]
    cs = np.concatenate([[0.0], np.cumsum(counts)])
    last = np.array([counts.size - 1], dtype=np.int64)
    scales = []
    for index, span in enumerate((plan.short, plan.long)):
        rows = _residual_rows(last, span, plan)
        needed = rows[rows >= 0][::-1]  # distinct already: target − 1 − k·step
        at = np.concatenate([needed, last])
        seen = np.full(counts.size, np.nan)
        expected = np.full(counts.size, np.nan)
        seen[at] = _window_sums(cs, at, span)
        expected[at] = _expected(cs, at, span, plan)
        # The current bucket is no residual of its own spread.
        residuals = _Residuals.of(seen[:-1], expected[:-1], pad=plan.disp_window + 1)
        phi = _dispersion(residuals, rows)
        now_seen = seen[-1:] if observed is None else np.array([float(observed[index])])
        scales.append(_Scale(now_seen, expected[-1:], phi))
    short, long = scales
    factor = config.threshold_factor(key) * threshold_multiplier
    verdict = _judge(short, long, factor, config)
    if not verdict.kind[0]:
        return None
    return _signal(key, verdict, 0, last_start)


def rank(signals: Iterable[Signal]) -> list[Signal]:
    """Signals by score, highest first; ties by |z|, then most recent, then key."""
    return sorted(
        signals,
        key=lambda s: (-s.score, -abs(s.z), -s.bucket_start.timestamp(), s.key),
    )
