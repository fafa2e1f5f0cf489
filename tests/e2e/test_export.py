"""Exports: `mentions … --export csv|xlsx` writes every match (not one page) with the columns
the import reads, and that file imported into an empty database gives the same mentions —
count, texts, links, authors, times, reach — even texts a spreadsheet would run as
formulas; `backlog --export csv`; the 100,000-row cap says so; both languages."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from config.settings import Settings
from core.models import Mention
from core.raw import RawMention
from core.reply import Reply

pytestmark = pytest.mark.e2e
NOW = dt.datetime(2026, 11, 20, 12, 0)
TRICKY = [
    "=SUM(A1:A9) Lumora ist super",
    "+49 30 123456 ruft Lumora an",
    "-5 % bei Kaffeeko, sagt @lumora",
    "@BeanBox why is my grinder loud?",
    "'quoted' Lumora Brew review",
    "''=cmd|' /C calc'!A0 Lumora",
    'Komma, "Anführungszeichen" und\nZeilenumbruch: Lumora Brew',
    "Fish & Chips <3 with my Lumora",
    "Grüße aus Köln — Straße, Maß, ÄÖÜ 😀 Lumora",
]


@pytest.fixture
async def svc(db_url: str, tmp_path: Path) -> Any:
    from bot.services import build_services, close_services
    from tests.fakes import RuleAnalyzer

    settings = Settings.for_tests(database_url=db_url, files_dir=tmp_path / "files")
    services = await build_services(settings, analyzer=RuleAnalyzer())
    services.clock = lambda: NOW
    yield services
    await close_services(services)


async def seed(services: Any, n: int) -> None:
    texts = [*TRICKY, *(f"Lumora Brew Nummer {i}: Espresso Tag {i % 17}" for i in range(n))]
    items = [
        RawMention(
            source=f"src{i % 3}",
            external_id=f"x{i}",
            text=text,
            published_at=NOW - dt.timedelta(minutes=7 * i),
            url=f"https://forum.example/t/{i}" if i % 4 else None,
            author=f"Autorin {i}" if i % 5 else None,
            author_handle=f"@a{i}" if i % 2 else None,
            title=f"Titel {i}" if i % 6 == 0 else None,
            likes=i % 11,
            reposts=i % 3,
            replies=i % 5,
            followers=1000 + i,
            reply_to=f"x{i - 1}" if i % 9 == 1 else None,
            language="de" if i % 2 else "en",
        )
        for i, text in enumerate(texts)
    ]
    result = await services.pipeline.ingest(items)
    assert result.new == len(items)


async def ask(services: Any, text: str, locale: str = "en") -> Reply:
    from handlers.dispatch import dispatch
    from tests.conftest import console_request

    return await dispatch(services.registry, services, console_request(text, locale=locale))


async def import_into_empty(path: Path, tmp_path: Path) -> list[Mention]:
    from bot.services import build_services, close_services
    from core import db as coredb
    from integrations.sources.files import import_file
    from tests.fakes import RuleAnalyzer

    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    await coredb.upgrade(url)
    services = await build_services(Settings.for_tests(database_url=url), analyzer=RuleAnalyzer())
    try:
        result = await import_file(
            services, path=path, source="back", mapping=[], fmt=None, progress=False
        )
        assert result.invalid == 0
        async with services.sessions() as session:
            return list((await session.execute(select(Mention))).scalars())
    finally:
        await close_services(services)


def key(m: Mention) -> tuple[Any, ...]:
    return (
        m.external_id,
        m.text,
        m.url,
        m.author,
        m.author_handle,
        m.title,
        m.published_at,
        m.language,
        m.likes,
        m.reposts,
        m.replies,
        m.reach,
        m.reply_to,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
async def test_an_export_imports_back_into_an_empty_database_unchanged(
    svc: Any, tmp_path: Path, fmt: str
) -> None:
    await seed(svc, 2500)  # more than a chunk (1,000) and far more than a page (10)
    reply = await ask(svc, f"mentions --export {fmt}")
    assert not reply.error, reply.plain_text()
    (file,) = reply.files
    assert file.path is not None and file.path.suffix == f".{fmt}"
    assert "2,509 mentions exported" in reply.plain_text()
    async with svc.sessions() as session:
        original = list((await session.execute(select(Mention))).scalars())
    back = await import_into_empty(file.path, tmp_path)
    assert len(back) == len(original) == 2509
    assert Counter(m.text for m in back) == Counter(m.text for m in original)
    assert sorted(map(key, back)) == sorted(map(key, original))


async def test_csv_cells_a_spreadsheet_would_run_are_text(svc: Any) -> None:
    await seed(svc, 0)
    reply = await ask(svc, "mentions --export csv")
    (file,) = reply.files
    assert file.path is not None
    with file.path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts = {r["text"] for r in rows}
    assert "'=SUM(A1:A9) Lumora ist super" in texts and "'+49 30 123456 ruft Lumora an" in texts
    assert (
        "'-5 % bei Kaffeeko, sagt @lumora" in texts and "'@BeanBox why is my grinder loud?" in texts
    )
    assert "''quoted' Lumora Brew review" in texts
    assert not any(t.startswith(("=", "+", "-", "@")) for t in texts)
    assert list(rows[0])[:4] == ["id", "published_at", "text", "url"]


async def test_xlsx_cells_are_never_formulas(svc: Any) -> None:
    from openpyxl import load_workbook

    await seed(svc, 0)
    reply = await ask(svc, "mentions Lumora --export xlsx", locale="de")
    assert "Erwähnungen exportiert" in reply.plain_text()
    (file,) = reply.files
    sheet = load_workbook(file.path).worksheets[0]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert {c.data_type for c in cells if isinstance(c.value, str)} == {"s"}
    assert "=SUM(A1:A9) Lumora ist super" in {c.value for c in cells}


async def test_a_search_exports_only_its_matches_and_the_cap_says_so(
    svc: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import export

    await seed(svc, 40)
    reply = await ask(svc, "mentions Espresso --source src1 --export csv")
    (file,) = reply.files
    with file.path.open(encoding="utf-8", newline="") as f:  # type: ignore[union-attr]
        rows = list(csv.DictReader(f))
    assert rows and all("Espresso" in r["text"] and r["source"] == "src1" for r in rows)
    assert len(rows) == sum(1 for i in range(9, 49) if i % 3 == 1)
    monkeypatch.setattr(export, "MAX_ROWS", 5)
    reply = await ask(svc, "mentions --export csv")
    assert "stops at 5 rows" in reply.plain_text()
    with reply.files[0].path.open(encoding="utf-8", newline="") as f:  # type: ignore[union-attr]
        assert len(list(csv.DictReader(f))) == 5
    bad = await ask(svc, "mentions --export pdf")
    assert bad.error and "csv" in bad.plain_text() and not bad.files


@pytest.mark.parametrize("locale", ["en", "de"])
async def test_backlog_export(svc: Any, locale: str) -> None:
    for title in ("FAQ zur Lieferung", "=HYPERLINK(x) Video", "Antwort an Kaffeeko"):
        reply = await ask(svc, f"backlog add {title}", locale=locale)
        assert not reply.error, reply.plain_text()
    reply = await ask(svc, "backlog --export csv", locale=locale)
    assert not reply.error, reply.plain_text()
    (file,) = reply.files
    with file.path.open(encoding="utf-8", newline="") as f:  # type: ignore[union-attr]
        rows = list(csv.DictReader(f))
    assert {r["title"] for r in rows} == {
        "FAQ zur Lieferung",
        "'=HYPERLINK(x) Video",
        "Antwort an Kaffeeko",
    }
    assert all(r["state"] == "todo" and r["score"].isdigit() for r in rows)
    word = "exported" if locale == "en" else "exportiert"
    assert (
        f"3 {'backlog items' if locale == 'en' else 'Backlog-Einträge'} {word}"
        in reply.plain_text()
    )
