"""`python -m bot import FILE --source NAME` as a user runs it, with the real analyzer."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import make_engine, make_sessionmaker
from core.models import Mention
from tests.e2e.cli import run_bot

pytestmark = pytest.mark.e2e

CSV = (
    "id,text,author,url,published_at\n"
    "a1,Die Lumora Brew macht den besten Espresso!,Anna,https://forum.example/a1,2026-11-20T08:00:00Z\n"
    'a2,"Meine Lieferung ist seit Tagen überfällig, sehr ärgerlich",Ben,https://forum.example/a2,2026-11-20T09:00:00Z\n'
    "a3,The BeanBox grinder broke after a week,Cem,https://forum.example/a3,2026-11-20T10:00:00Z\n"
    "a4,,Dana,https://forum.example/a4,2026-11-20T11:00:00Z\n"
)


def _stored(db_url: str) -> dict[str, Mention]:
    async def go() -> dict[str, Mention]:
        engine = make_engine(db_url)
        try:
            async with make_sessionmaker(engine)() as s:
                return {m.external_id: m for m in (await s.execute(select(Mention))).scalars()}
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_csv_import_then_resume_without_duplicates(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "forum.csv"
    path.write_text(CSV, encoding="utf-8")
    out = run_bot(["import", str(path), "--source", "forum"], db_url=db_url, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ("forum: 4 read, 3 new, 0 duplicates, 0 dropped, 1 invalid")
    again = run_bot(
        ["import", str(path), "--source", "forum", "--no-progress"], db_url=db_url, cwd=tmp_path
    )
    assert again.stdout.strip() == "forum: 4 read, 0 new, 3 duplicates, 0 dropped, 1 invalid"
    rows = _stored(db_url)
    assert set(rows) == {"a1", "a2", "a3"}
    assert rows["a1"].language == "de" and rows["a3"].language == "en"
    assert all(m.sentiment in ("negative", "neutral", "positive") for m in rows.values())
    assert "lumora brew" in rows["a1"].matched_terms and "beanbox" in rows["a3"].matched_terms


def test_jsonl_with_mapping(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "export.jsonl"
    lines = [
        {
            "post": {"id": "p1", "body": "Kaffeeko liefert schneller als Lumora"},
            "created": "2026-11-21T07:00:00Z",
            "who": "Eva",
        },
        {
            "post": {"id": "p2", "body": "Lumora Mill grinds beautifully"},
            "created": "2026-11-21T08:00:00Z",
            "who": "Finn",
        },
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    out = run_bot(
        [
            "import",
            str(path),
            "--source",
            "crm",
            "--no-progress",
            "--map",
            "id=post.id",
            "--map",
            "text=post.body",
            "--map",
            "published_at=created",
            "--map",
            "author=who",
        ],
        db_url=db_url,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "crm: 2 read, 2 new, 0 duplicates, 0 dropped, 0 invalid"
    assert _stored(db_url)["p2"].author == "Finn"


def test_mistakes_are_one_line_without_a_traceback(db_url: str, tmp_path: Path) -> None:
    missing = run_bot(
        ["import", str(tmp_path / "nope.csv"), "--source", "x"], db_url=db_url, cwd=tmp_path
    )
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert "Traceback" not in missing.stderr
    path = tmp_path / "data.csv"
    path.write_text(CSV, encoding="utf-8")
    bad_map = run_bot(
        ["import", str(path), "--source", "x", "--map", "text=Inhalt"], db_url=db_url, cwd=tmp_path
    )
    assert bad_map.returncode == 2 and "no column 'Inhalt'" in bad_map.stderr
    assert "Traceback" not in bad_map.stderr
