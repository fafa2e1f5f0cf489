"""Scoring of the trend evaluation on small synthetic CSV/JSON files in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from core.analysis import bursts_eval as trend_eval
from core.analysis.bursts import DetectorConfig, Signal
from core.analysis.bursts_eval import evaluate_trends, merge_alerts, score_alerts

T0 = datetime(2024, 3, 1)
HOUR = timedelta(hours=1)
RESULT_KEYS = {
    "windows",
    "hit",
    "recall",
    "false_alerts_per_day",
    "median_delay_minutes",
    "alerts",
}


def write_csv(path: Path, values: Sequence[float], step: timedelta = HOUR) -> None:
    rows = [f"{(T0 + i * step).isoformat(sep=' ')},{v:g}" for i, v in enumerate(values)]
    path.write_text("timestamp,value\n" + "\n".join(rows) + "\n", encoding="utf-8")


def write_labels(path: Path, labels: dict[str, list[list[str]]]) -> Path:
    path.write_text(json.dumps(labels), encoding="utf-8")
    return path


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return T0 + timedelta(days=day, hours=hour, minutes=minute)


def stamp(moment: datetime) -> str:
    return moment.isoformat(sep=" ")


def test_merge_alerts_joins_buckets_less_than_two_hours_apart() -> None:
    # 12:59 → 15:00 is more than two hours; 15:00 → 17:00 is exactly two, not less.
    times = [at(1, 10), at(1, 11), at(1, 12, 59), at(1, 15), at(1, 17), at(1, 18)]
    expected = [at(1, 10), at(1, 15), at(1, 17)]
    assert merge_alerts(times) == expected
    assert merge_alerts(list(reversed(times))) == expected
    assert merge_alerts([]) == []


def test_score_alerts_hits_delays_and_false_alerts() -> None:
    windows = [(at(1, 0), at(1, 23)), (at(3, 0), at(3, 12)), (at(5, 0), at(5, 6))]
    alerts = [at(0, 12), at(1, 10), at(1, 20), at(3, 12), at(4, 1)]
    delays, false = score_alerts(alerts, windows)
    # Bounds are inclusive; the first alert in a window gives its delay.
    assert delays == [600.0, 720.0, None]
    assert false == 2


def test_evaluation_arithmetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows, hits, false alerts, merging and delays, with the detector's answers fixed."""
    series = tmp_path / "series"
    series.mkdir()
    write_csv(series / "a.csv", [1.0] * 4 * 24)  # four days, hourly
    write_csv(series / "b.csv", [1.0] * 4 * 24)
    labels = write_labels(
        tmp_path / "windows.json",
        {
            "realTweets/a.csv": [[stamp(at(1, 6)), stamp(at(1, 18))]],
            "realTweets/b.csv": [
                [stamp(at(2, 0)), stamp(at(2, 12))],
                [stamp(at(3, 0)), stamp(at(3, 6))],
            ],
        },
    )
    alerting = {
        # 08:00, 09:00, 10:30 chain into one alert from 08:00; 13:00 is another, still inside.
        "a.csv": [at(1, 8), at(1, 9), at(1, 10, 30), at(1, 13), at(2, 22)],
        # 23:00 on day 1 starts an alert that runs into the window of day 2: false.
        "b.csv": [at(1, 23), at(2, 0), at(2, 1), at(3, 2)],
    }

    def fake_detect(
        timestamps: Sequence[datetime], counts: Sequence[float], *, key: str, config: object
    ) -> list[Signal]:
        return [Signal(key, "burst", t, 5.0, 1.0, 9.0, 4.0, 20.0) for t in alerting[key]]

    monkeypatch.setattr(trend_eval, "detect_series", fake_detect)
    result = evaluate_trends(series, labels)

    assert set(result) == RESULT_KEYS
    assert result["windows"] == 3
    assert result["hit"] == 2  # a's window (at 08:00) and b's second one (at 02:00)
    assert result["recall"] == pytest.approx(2 / 3, abs=1e-4)
    # False: a at day 2 22:00, b at day 1 23:00; over 2 × 4 days.
    assert result["false_alerts_per_day"] == pytest.approx(2 / 8)
    assert result["median_delay_minutes"] == pytest.approx((120 + 120) / 2)
    assert result["alerts"] == {
        "a.csv": [stamp(at(1, 8)), stamp(at(1, 13)), stamp(at(2, 22))],
        "b.csv": [stamp(at(1, 23)), stamp(at(3, 2))],
    }


def test_evaluation_with_the_real_detector(tmp_path: Path) -> None:
    rng = np.random.default_rng(11)
    hours = np.arange(12 * 24)
    lam = 30 * (1 + 0.5 * np.sin(2 * np.pi * hours / 24))
    burst = rng.poisson(lam).astype(float)
    burst[9 * 24 + 10 : 9 * 24 + 13] *= 8  # day 9, 10:00 to 12:59
    quiet = rng.poisson(lam).astype(float)
    series = tmp_path / "series"
    series.mkdir()
    write_csv(series / "burst.csv", burst.tolist())
    write_csv(series / "quiet.csv", quiet.tolist())
    labels = write_labels(
        tmp_path / "labels.json",
        {
            "burst.csv": [[stamp(at(9, 0)), stamp(at(9, 23))]],
            "quiet.csv": [[stamp(at(10, 0)), stamp(at(10, 12))]],
        },
    )
    result = evaluate_trends(series, labels)
    assert result["alerts"] == {"burst.csv": [stamp(at(9, 10))], "quiet.csv": []}
    assert (result["windows"], result["hit"], result["recall"]) == (2, 1, 0.5)
    assert result["false_alerts_per_day"] == 0.0
    assert result["median_delay_minutes"] == 600.0
    # The same through an explicit configuration with the data's bucket.
    assert evaluate_trends(series, labels, DetectorConfig(bucket=HOUR)) == result


def test_missing_directory(tmp_path: Path) -> None:
    labels = write_labels(tmp_path / "l.json", {})
    with pytest.raises(ValueError, match="series directory not found"):
        evaluate_trends(tmp_path / "nope", labels)


def test_bad_json_and_missing_labels(tmp_path: Path) -> None:
    write_csv(tmp_path / "a.csv", [1.0] * 10)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="not valid JSON"):
        evaluate_trends(tmp_path, bad)
    with pytest.raises(ValueError, match="labels file not found"):
        evaluate_trends(tmp_path, tmp_path / "absent.json")
    with pytest.raises(ValueError, match="JSON object"):
        evaluate_trends(tmp_path, write_labels(tmp_path / "list.json", []))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"no windows for a\.csv"):
        evaluate_trends(tmp_path, write_labels(tmp_path / "other.json", {"b.csv": []}))
    with pytest.raises(ValueError, match="not a valid time window"):
        evaluate_trends(
            tmp_path, write_labels(tmp_path / "w.json", {"a.csv": [["yesterday", "today"]]})
        )


def test_csv_without_timestamp_and_value(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("time,count\n2024-03-01 00:00:00,3\n", encoding="utf-8")
    labels = write_labels(tmp_path / "l.json", {"a.csv": []})
    with pytest.raises(ValueError, match="timestamp,value"):
        evaluate_trends(tmp_path, labels)
    (tmp_path / "a.csv").write_text("timestamp,value\n2024-03-01 00:00:00,many\n", "utf-8")
    with pytest.raises(ValueError, match="line 2"):
        evaluate_trends(tmp_path, labels)


def test_no_csv_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no \*\.csv"):
        evaluate_trends(tmp_path, write_labels(tmp_path / "l.json", {}))
