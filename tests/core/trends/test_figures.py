"""Pure pieces of the brief: periods, movers, share of voice, chart, coverage."""

from __future__ import annotations

import datetime as dt

import pytest

from config.settings import Settings
from config.workspace import load_workspace
from core.format import sparkline
from core.i18n import Translator
from core.models import SourceState
from core.storage.windows import Totals
from core.trends import fmt
from core.trends.chart import ChartText, png_chart, text_chart
from core.trends.coverage import coverage
from core.trends.movers import movers, z_change
from core.trends.period import parse_period
from core.trends.voice import shares

NOW = dt.datetime(2026, 11, 20, 12, 40)


@pytest.mark.parametrize(
    "text,hours", [(None, 24), ("24h", 24), ("7d", 168), ("30d", 720), ("48h", 48), ("2w", 336)]
)
def test_periods_end_with_the_current_hour(text: str | None, hours: int) -> None:
    period = parse_period(text, NOW)
    assert period is not None
    assert period.end == dt.datetime(2026, 11, 20, 13) and period.hours == hours
    assert period.prev_start == period.start - period.span


@pytest.mark.parametrize("text", ["x", "0h", "30m", "91d", "24", ""])
def test_bad_periods(text: str) -> None:
    assert parse_period(text or "nonsense", NOW) is None


def test_movers_rise_and_fall_by_significance() -> None:
    totals = {
        "term:a": Totals(n=48, prev_n=12),
        "term:b": Totals(n=7, prev_n=3),  # too little to be sure
        "term:c": Totals(n=2, prev_n=40),
        "tag:#x": Totals(n=30, prev_n=0),
        "term:d": Totals(n=100, prev_n=90),  # big but flat
    }
    rising = movers(totals, kind="term", rising=True)
    assert [m.key for m in rising] == ["term:a"]
    assert rising[0].change == pytest.approx(3.0)
    assert [m.key for m in movers(totals, kind="term", rising=False)] == ["term:c"]
    [tag] = movers(totals, kind="tag", rising=True)
    assert tag.change is None and tag.z == pytest.approx(z_change(30, 0))


def test_share_of_voice_against_each_competitor() -> None:
    totals = {
        "term:lumora": Totals(n=60, prev_n=40),
        "term:lumora brew": Totals(n=20, prev_n=10),
        "term:kaffeeko": Totals(n=30, prev_n=50),
        "term:beanbox": Totals(n=10, prev_n=0),
    }
    overall, each = shares(
        totals, ours=["lumora", "lumora brew"], competitors=["beanbox", "kaffeeko"]
    )
    assert overall is not None and overall.share == pytest.approx(80 / 120)
    assert overall.prev_share == pytest.approx(50 / 100)
    assert [v.competitor for v in each] == ["kaffeeko", "beanbox"]
    assert each[0].share == pytest.approx(80 / 110)
    assert shares(totals, ours=["lumora"], competitors=[]) == (None, [])


def test_formatting_follows_the_locale() -> None:
    en, de = Translator("en"), Translator("de")
    assert fmt.signed_percent(en, 0.24) == "+24%"
    assert fmt.signed_percent(de, -0.1) == "−10\u202f%"
    assert fmt.signed_percent(en, None) == "new"
    # From five times as many a factor, not "+3,277 %".
    assert fmt.signed_percent(de, 32.77) == "etwa 34×"
    assert fmt.signed_percent(en, 3.9) == "+390%"
    assert fmt.count_change(en, 428, 13) == "428 (before 13, about 33×)"
    assert fmt.points(en, 0.05) == "+5 points"
    assert fmt.count_change(de, 1234, 1000) == "1.234 (vorher 1.000, +23\u202f%)"
    assert fmt.span(en, dt.timedelta(days=7)) == "7 days"
    assert fmt.span(de, dt.timedelta(hours=24)) == "24 Stunden"


def test_chart_is_a_png_with_a_text_fallback() -> None:
    words = ChartText("Mentions", "all", "negative", "positive")
    png = png_chart(["10:00", "11:00", "12:00"], [3, 9, 4], [1, 5, 0], [1, 2, 3], words)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    assert sparkline([4, None, 8]) == "▅·█" and sparkline([]) == ""
    assert sparkline([0, 5, 10]) == "▁▅█"
    text = text_chart([0, 5, 10], [0, 0, 10], [10, 0, 0], words)
    assert text.splitlines() == ["all       ▁▅█", "negative  ▁▁█", "positive  █▁▁"]


def test_coverage_names_measured_failed_and_uncovered(tmp_path: object) -> None:
    from config.settings import DEFAULT_WORKSPACE

    workspace = load_workspace(DEFAULT_WORKSPACE)
    for source in workspace.sources:
        source.enabled = source.name in ("webhook", "hn")
    states = {
        "hn": SourceState(name="hn", last_error="HTTP 503", error_count=2, last_error_at=NOW),
    }
    cov = coverage(
        workspace=workspace,
        settings=Settings.for_tests(),
        states=states,
        delivered=["webhook", "import-2026"],
        since=NOW - dt.timedelta(hours=24),
    )
    assert cov.measured == ["import-2026", "webhook"]
    assert cov.failed == [("hn", "HTTP 503")]
    assert cov.uncovered == ["LinkedIn", "Xing", "Facebook", "Instagram", "X"]
