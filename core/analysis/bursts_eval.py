"""Evaluate the trend detector on labelled count series (NAB format).

`python -m bot eval trends --series DIR --labels FILE` calls `evaluate_trends`: every
`*.csv` in DIR holds `timestamp,value` rows; FILE is a JSON object mapping each CSV's file
name (a folder prefix such as "realTweets/" is ignored) to its anomaly windows
`[[start, end], ...]`. The product's own `detect_series` runs over each series, then:

* alerting buckets less than two hours apart form one alert, dated by its first bucket;
* a window is hit when an alert starts inside it (bounds included); the delay is from the
  window's start to the first such alert;
* an alert that starts outside every window is false; false alerts per day divide by the
  summed length of all series.

An alert early in a wide NAB window counts, as the label means "something is going on here".
The figures are rates, so a false alert costs a team one interruption; that is why the
defaults are tuned for few false alerts at good recall rather than for the highest recall.
"""

from __future__ import annotations

import csv
import itertools
import json
import logging
import statistics
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.analysis.bursts import DetectorConfig, detect_series
from core.clock import parse_iso

logger = logging.getLogger(__name__)

ALERT_GAP = timedelta(hours=2)

Window = tuple[datetime, datetime]


def merge_alerts(times: Sequence[datetime], gap: timedelta = ALERT_GAP) -> list[datetime]:
    """Start times of alerts: a bucket less than `gap` after the previous one continues it."""
    starts: list[datetime] = []
    previous: datetime | None = None
    for at in sorted(times):
        if previous is None or at - previous >= gap:
            starts.append(at)
        previous = at
    return starts


def score_alerts(
    alerts: Sequence[datetime], windows: Sequence[Window]
) -> tuple[list[float | None], int]:
    """Per window the delay in minutes to its first alert (None: missed); and false alerts."""
    delays: list[float | None] = []
    for start, end in windows:
        inside = [a for a in alerts if start <= a <= end]
        delays.append((min(inside) - start).total_seconds() / 60 if inside else None)
    false = sum(1 for a in alerts if not any(s <= a <= e for s, e in windows))
    return delays, false


def load_labels(labels_file: Path) -> dict[str, list[Window]]:
    """Windows per CSV base name; ValueError on a missing file, bad JSON or a bad window."""
    try:
        raw = json.loads(labels_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"labels file not found: {labels_file}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"labels file {labels_file} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"labels file {labels_file} must hold a JSON object of file → windows")
    labels: dict[str, list[Window]] = {}
    for name, windows in raw.items():
        base = Path(str(name)).name
        if base in labels:
            raise ValueError(f"labels file {labels_file} names {base} twice")
        if not isinstance(windows, list):
            raise ValueError(f"labels for {name} must be a list of [start, end]")
        labels[base] = [_window(name, pair) for pair in windows]
    return labels


def _window(name: str, pair: object) -> Window:
    if not (isinstance(pair, list | tuple) and len(pair) == 2):
        raise ValueError(f"labels for {name}: {pair!r} is not a [start, end] pair")
    start, end = (parse_iso(str(value)) for value in pair)
    if start is None or end is None or end < start:
        raise ValueError(f"labels for {name}: {pair!r} is not a valid time window")
    return start, end


def load_series(path: Path) -> tuple[list[datetime], list[float]]:
    """Timestamps and values of one CSV; ValueError unless it has timestamp,value rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip() for f in reader.fieldnames or []]
        if "timestamp" not in fields or "value" not in fields:
            raise ValueError(f"{path.name}: expected the columns timestamp,value, got {fields}")
        reader.fieldnames = fields
        times: list[datetime] = []
        values: list[float] = []
        for row in reader:
            at = parse_iso(row["timestamp"] or "")
            try:
                value = float(row["value"] or "")
            except ValueError:
                value = float("nan")
            if at is None or value != value:  # NaN: unparsable value
                raise ValueError(f"{path.name}, line {reader.line_num}: bad row {row}")
            times.append(at)
            values.append(value)
    if not times:
        raise ValueError(f"{path.name}: no rows")
    return times, values


def _bucket_of(times: Sequence[datetime]) -> timedelta:
    """The series' bucket: the most common step between consecutive timestamps."""
    ordered = sorted(times)
    steps = [b - a for a, b in itertools.pairwise(ordered) if b > a]
    return statistics.mode(steps) if steps else timedelta(hours=1)


def evaluate_trends(
    series_dir: Path, labels_file: Path, config: DetectorConfig | None = None
) -> dict[str, Any]:
    """Run the detector over every CSV in `series_dir` and score it against `labels_file`.

    Returns `windows`, `hit`, `recall`, `false_alerts_per_day`, `median_delay_minutes` (None
    when nothing was hit) and `alerts` (per file, the alert start times as
    "YYYY-MM-DD HH:MM:SS"). Without `config` the default `DetectorConfig` is used with the
    bucket set to each series' own step; with one, series are summed into its bucket.
    """
    series_dir = Path(series_dir)
    if not series_dir.is_dir():
        raise ValueError(f"series directory not found: {series_dir}")
    labels = load_labels(Path(labels_file))
    paths = sorted(series_dir.glob("*.csv"))
    if not paths:
        raise ValueError(f"no *.csv files in {series_dir}")
    missing = [p.name for p in paths if p.name not in labels]
    if missing:
        raise ValueError(f"{labels_file} has no windows for {', '.join(missing)}")

    n_windows = hit = false = 0
    days = 0.0
    delays: list[float] = []
    alerts: dict[str, list[str]] = {}
    for path in paths:
        times, values = load_series(path)
        bucket = _bucket_of(times)
        used = config or DetectorConfig(bucket=bucket)
        if config is not None and config.bucket < bucket:
            # Finer buckets than the data would be half empty; sum into the data's own.
            used = replace(config, bucket=bucket)
        signals = detect_series(times, values, key=path.name, config=used)
        starts = merge_alerts([s.bucket_start for s in signals])
        window_delays, file_false = score_alerts(starts, labels[path.name])
        found = [d for d in window_delays if d is not None]
        n_windows += len(window_delays)
        hit += len(found)
        false += file_false
        delays.extend(found)
        days += (max(times) - min(times) + bucket) / timedelta(days=1)
        alerts[path.name] = [a.isoformat(sep=" ") for a in starts]
        logger.info(
            "%s: %d alerts, %d of %d windows hit, %d false",
            path.name,
            len(starts),
            len(found),
            len(window_delays),
            file_false,
        )
    return {
        "windows": n_windows,
        "hit": hit,
        "recall": round(hit / n_windows, 4) if n_windows else None,
        "false_alerts_per_day": round(false / days, 4) if days else None,
        "median_delay_minutes": round(statistics.median(delays), 1) if delays else None,
        "alerts": alerts,
    }
