"""Days on chart axes as people write them, in the chat's language (the English burndown once
labelled every tick "2026-", a cut ISO string)."""

from __future__ import annotations

import datetime as dt

from core.format import format_day


def test_days_are_written_as_each_language_writes_them() -> None:
    day = dt.datetime(2026, 12, 1, 10, 0)
    assert format_day(day, "en", "Europe/Berlin") == "Dec 1"
    assert format_day(day, "de", "Europe/Berlin") == "01.12."
    assert format_day(day, "en", "Europe/Berlin", weekday=True) == "Tue, Dec 1"
    assert format_day(day, "de", "Europe/Berlin", weekday=True).endswith(", 01.12.")
    # A stored UTC time late in the evening is the next day in Berlin.
    assert format_day(dt.datetime(2026, 12, 1, 23, 30), "en", "Europe/Berlin") == "Dec 2"
    labels = {format_day(day + dt.timedelta(days=i), "en") for i in range(10)}
    assert len(labels) == 10 and not any(label.startswith("2026") for label in labels)
