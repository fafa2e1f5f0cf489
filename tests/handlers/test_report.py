"""`report`: the PDF of the demo's last 7 days, turned into images (pdftoppm) and text
(pdftotext) as a person and a mail client would see it: pages with charts and tables, the
headline figures in the text layer, in German and English; periods, quarters, bad input."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from config.settings import Settings
from core.reply import Actor, Conversation, Reply, Request
from core.report.period import report_period
from demo.generator import seed_demo
from tests.demo.test_stories import DAYS, NOW, TOTAL, DemoTruth

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None,
    reason="pdftoppm/pdftotext (poppler-utils) not installed: apt-get install poppler-utils",
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, seeded and grouped into stories once for the module."""
    path = tmp_path_factory.mktemp("report") / "demo.db"

    async def build() -> None:
        from bot.services import build_services, close_services
        from core import db as coredb
        from tests.core.backlog.helpers import group_topics

        url = f"sqlite+aiosqlite:///{path}"
        await coredb.upgrade(url)
        services = await build_services(Settings.for_tests(database_url=url), analyzer=DemoTruth())
        await seed_demo(services.pipeline, now=NOW, days=DAYS, total=TOTAL)
        await group_topics(services, NOW)
        await close_services(services)

    asyncio.run(build())
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
async def demo(seeded: Path, tmp_path: Path) -> Any:
    from bot.services import build_services, close_services

    copy = shutil.copyfile(seeded, tmp_path / "demo.db")
    settings = Settings.for_tests(
        database_url=f"sqlite+aiosqlite:///{copy}", files_dir=tmp_path / "reports"
    )
    services = await build_services(settings)
    services.clock = lambda: NOW
    yield services
    await close_services(services)


async def ask(services: Any, text: str, locale: str = "en") -> Reply:
    from bot.console.chat import parse_line
    from handlers.dispatch import dispatch

    request: Request = parse_line(text, locale)
    request.actor = Actor(id="U1", name="Ada", platform="console")
    request.conversation = Conversation(platform="console", id="console")
    return await dispatch(services.registry, services, request)


def pdf_text(path: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    )
    return out.stdout


def pages_as_images(path: Path, folder: Path) -> list[Path]:
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(path), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


@needs_poppler
@pytest.mark.slow
@pytest.mark.parametrize("locale", ["en", "de"])
async def test_the_demo_week_as_a_pdf_with_pages_charts_and_the_headline_figures(
    demo: Any, tmp_path: Path, locale: str
) -> None:
    from PIL import Image

    from core.report.figures import gather_report
    from core.trends.period import parse_period

    reply = await ask(demo, "report 7d", locale)
    assert not reply.error, reply.plain_text()
    (file,) = reply.files
    assert file.mime == "application/pdf" and file.path is not None
    assert file.path.parent == tmp_path / "reports" and file.path.read_bytes()[:5] == b"%PDF-"

    images = pages_as_images(file.path, tmp_path)
    assert 3 <= len(images) <= 8, len(images)
    for image in images:
        with Image.open(image) as page:
            width, height = page.size
            assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
            # A page with charts has colour in it: the volume area's blue, the red and green
            # lines; a text-only page is black on white.
            colours = page.convert("RGB").getcolors(maxcolors=1 << 16) or []
            assert len(colours) > 2

    text = pdf_text(file.path)
    async with demo.sessions() as session:
        period = parse_period("7d", NOW)
        assert period is not None
        figures = await gather_report(
            session,
            period=period,
            workspace=demo.workspace,
            settings=demo.settings,
            now=NOW,
            locale=locale,
        )
    from core.i18n import Translator

    t = Translator(locale)
    b = figures.brief
    assert b.n > 500  # the demo's week
    flat = " ".join(text.split())

    def printed(value: str) -> bool:  # no-break spaces ("25 %", "1 234") as any space
        return " ".join(value.split()) in flat

    assert printed(t.number(b.n)) and printed(t.number(b.reach))
    assert printed(t.percent(b.mix.share("neg") or 0))
    assert printed(t("report.of", part=t.number(figures.answered), whole=t.number(figures.asked)))
    if locale == "de":
        assert "Social-Listening-Bericht" in flat and "Kennzahlen" in flat
        assert "Lieferung" in flat  # the planted story, by its German name
        assert "Share of Voice" in flat and "Kaffeeko" in flat and "BeanBox" in flat
        assert "Fragen und Beschwerden" in flat and "Abdeckung" in flat
        assert "Nicht abgedeckt: LinkedIn, Xing, Facebook, Instagram" in flat
    else:
        assert "Social listening report" in flat and "Headline figures" in flat
        assert "delivery" in flat
        assert "Kaffeeko" in flat and "BeanBox" in flat
        assert "Not covered: LinkedIn, Xing, Facebook, Instagram" in flat
    # Every top mention is in it (its first words), widest reach first.
    for mention in b.top[:3]:
        assert " ".join(mention.text.split()[:4]) in flat
    # The events of the week are listed, numbered as on the chart.
    assert b.events and "1. " in text


@needs_poppler
def test_mention_text_is_printed_as_text_never_as_markup(tmp_path: Path) -> None:
    from core.report.document import Paragraph, ReportDoc, Table
    from core.report.pdf import render_pdf

    evil = "**bold** <b>html</b> [link](http://x.invalid) \x1b[31mred\x00 \u202eevil 😀 Grüße ß"
    doc = ReportDoc(
        title="T",
        workspace="W",
        period="P",
        cover_lines=[evil],
        footer="F",
        language="de",
        blocks=[Paragraph(evil), Table(header=("a",), rows=[(evil,)], widths=(1,))],
    )
    path = tmp_path / "evil.pdf"
    path.write_bytes(render_pdf(doc))
    text = pdf_text(path)
    assert text.count("**bold** <b>html</b> [link](http://x.invalid)") == 3
    assert "Grüße ß" in text and "\x1b" not in text and "\u202e" not in text
    assert b"/URI" not in path.read_bytes()  # no link was made from the text


def test_periods_quarters_and_what_is_not_a_period() -> None:
    now = dt.datetime(2026, 12, 7, 10, 30)
    week = report_period("7d", now, "Europe/Berlin")
    assert week is not None and week.span == dt.timedelta(days=7)
    q4 = report_period("2026Q4", now, "Europe/Berlin")
    assert q4 is not None and q4.name == "2026Q4"
    assert q4.start == dt.datetime(2026, 9, 30, 22, 0)  # 1 Oct, midnight in Berlin
    assert q4.end == dt.datetime(2026, 12, 7, 11, 0)  # still running: up to now
    q3 = report_period("2026q3", now, "Europe/Berlin")
    assert q3 is not None and q3.end == dt.datetime(2026, 9, 30, 22, 0)
    for bad in ("2027Q1", "2026Q5", "Q4", "week", "0d", "1000d"):
        assert report_period(bad, now, "Europe/Berlin") is None, bad


@pytest.mark.parametrize("locale", ["en", "de"])
async def test_a_bad_period_is_a_clear_message(demo: Any, locale: str) -> None:
    reply = await ask(demo, "report 2031Q9", locale)
    assert reply.error and "2031Q9" in reply.plain_text() and "2026Q4" in reply.plain_text()
    reply = await ask(demo, "report weekly maybe", locale)
    assert reply.error and "weekly on" in reply.plain_text()
