"""File imports through the pipeline: CSV and JSONL, bad rows, mapping, and resuming."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.models import Mention
from core.models_sources import SourceRun
from integrations.sources.files import FileImportError, import_file

pytestmark = pytest.mark.storage


async def run(
    services: Any, path: Path, *mapping: str, source: str = "export", fmt: str | None = None
) -> Any:
    return await import_file(
        services, path=path, source=source, mapping=list(mapping), fmt=fmt, progress=False
    )


async def stored(services: Any) -> dict[str, Mention]:
    async with services.sessions() as s:
        return {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


async def test_csv_with_known_columns_and_bad_rows(source_services: Any, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "id,text,url,author,published_at,likes\n"
        '1,"Die Lumora Brew ist super, wirklich",https://ex.example/1,Anna,2026-11-20T08:00:00Z,3\n'
        '2,"Mehrzeilig:\nLumora Mill, zweite Zeile",https://ex.example/2,Ben,2026-11-20T09:00:00+01:00,x\n'
        "3,,https://ex.example/3,Cem,2026-11-20T10:00:00Z,0\n"  # no text
        "4,Lumora,https://ex.example/4,Dana,gestern,0\n"  # not a time
        "5,Lumora,too,many,columns,here,!\n"
        "6,Lumora Brew again,notaurl,Eve,1763630000,1\n",
        encoding="utf-8",
    )
    result = await run(source_services, path)
    assert (result.received, result.new, result.invalid) == (6, 3, 3)
    rows = await stored(source_services)
    assert rows["2"].text == "Mehrzeilig: Lumora Mill, zweite Zeile"
    assert rows["2"].published_at.isoformat() == "2026-11-20T08:00:00"
    assert (rows["1"].author, rows["1"].likes, rows["1"].source_type) == ("Anna", 3, "files")
    assert rows["6"].url is None and rows["6"].published_at.year == 2025  # Unix seconds
    async with source_services.sessions() as s:
        run_row = (await s.execute(select(SourceRun))).scalars().one()
    assert (run_row.source, run_row.new, run_row.errors) == ("export", 3, 3)


async def test_map_takes_fields_from_other_columns(source_services: Any, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "x.csv",
        ["Beitrag", "Datum", "Link", "Nutzer"],
        [["Lumora Brew ist toll", "2026-11-20 08:00", "https://ex.example/a", "Fatma"]],
    )
    with pytest.raises(FileImportError, match="no 'text' column"):
        await run(source_services, path)
    result = await run(
        source_services, path, "text=Beitrag", "published_at=Datum", "url=Link", "author=Nutzer"
    )
    assert result.new == 1
    [row] = (await stored(source_services)).values()
    assert (row.author, row.url) == ("Fatma", "https://ex.example/a")
    assert row.external_id.startswith("h:")  # no id column: a hash of the row


async def test_an_interrupted_import_resumes_without_duplicates(
    source_services: Any, tmp_path: Path
) -> None:
    rows = [[f"Lumora Nummer {i}", f"2026-11-20T08:{i:02d}:00Z"] for i in range(40)]
    partial = write_csv(tmp_path / "part.csv", ["text", "published_at"], rows[:25])
    full = write_csv(tmp_path / "full.csv", ["text", "published_at"], rows)
    first = await run(source_services, partial)
    again = await run(source_services, full)
    assert (first.new, again.new, again.duplicates) == (25, 15, 25)
    assert len(await stored(source_services)) == 40


async def test_jsonl_with_nested_fields_and_broken_lines(
    source_services: Any, tmp_path: Path
) -> None:
    path = tmp_path / "export.jsonl"
    lines = [
        json.dumps(
            {
                "id": 7,
                "message": "Kaffeeko ist teuer",
                "user": {"name": "Gil"},
                "published_at": "2026-11-20T08:00:00Z",
                "likes": 4,
            }
        ),
        '{"id": 8, "message": "abgeschnitten',
        json.dumps(["not", "an", "object"]),
        "",
        json.dumps({"id": 9, "message": "Lumora", "published_at": None}),
        json.dumps(
            {
                "id": 10,
                "message": "Grüße von Lumora",
                "user": {"name": "Hal"},
                "published_at": 1763630000,
            }
        ),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = await run(source_services, path, "text=message", "author=user.name")
    assert (result.received, result.new, result.invalid) == (5, 2, 3)
    rows = await stored(source_services)
    assert (rows["7"].author, rows["7"].likes, rows["10"].text) == ("Gil", 4, "Grüße von Lumora")


async def test_wrong_encoding_stops_with_advice(source_services: Any, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("text,published_at\nGrüße von Lumora,2026-11-20T08:00:00Z\n".encode("latin-1"))
    with pytest.raises(FileImportError, match=r"not UTF-8.*iconv"):
        await run(source_services, path)


@pytest.mark.parametrize(
    ("name", "mapping", "message"),
    [
        ("missing.csv", [], "no such file"),
        ("data.txt", [], "cannot tell the format"),
        ("data.csv", ["text"], "FIELD=COLUMN"),
        ("data.csv", ["colour=text"], "unknown field 'colour'"),
        ("data.csv", ["text=Inhalt"], "no column 'Inhalt'"),
    ],
)
async def test_bad_invocations_are_explained(
    source_services: Any, tmp_path: Path, name: str, mapping: list[str], message: str
) -> None:
    for file in ("data.txt", "data.csv"):
        write_csv(tmp_path / file, ["text", "published_at"], [["Lumora", "2026-11-20T08:00:00Z"]])
    with pytest.raises(FileImportError, match=message):
        await run(source_services, tmp_path / name, *mapping)


async def test_a_bad_source_name_is_refused(source_services: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "d.csv", ["text", "published_at"], [["x", "2026-11-20"]])
    with pytest.raises(FileImportError, match="not a name"):
        await run(source_services, path, source="bad name!")
    async with source_services.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Mention))).scalar_one() == 0
