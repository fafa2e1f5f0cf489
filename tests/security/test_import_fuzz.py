"""CSV and JSONL imports of hostile files: every run ends with a count of what was stored,
skipped and unreadable, or with FileImportError saying why the file cannot be read — never
with another exception; stored rows are what both databases take.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from config.settings import Settings
from core import db as coredb
from integrations.sources.files import FIELDS, FileImportError, import_file
from tests.fakes import RuleAnalyzer
from tests.security.strategies import any_text, garbage, json_values

pytestmark = pytest.mark.asyncio(loop_scope="module")
EXAMPLES = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
HEADER = ["id", "text", "published_at", "author", "url", "likes", "reply_to", "language"]
cells = any_text | st.sampled_from(["2026-11-20T08:00:00Z", "1795683600", "1e400", "-7", "²"])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def services(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    from bot.services import build_services, close_services

    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('import') / 'test.db'}"
    await coredb.upgrade(url)
    svc = await build_services(Settings.for_tests(database_url=url), analyzer=RuleAnalyzer())
    yield svc
    await close_services(svc)


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


async def run(services: Any, tmp: Path, content: bytes, fmt: str, mapping: list[str]) -> None:
    path = tmp / f"{uuid.uuid4().hex}.{fmt}"
    path.write_bytes(content)
    try:
        result = await import_file(
            services, path=path, source="import-fuzz", mapping=mapping, fmt=fmt, progress=False
        )
    except FileImportError as exc:
        assert str(exc)
        return
    assert result.new <= result.received


@EXAMPLES
@given(
    header=st.just(HEADER) | st.lists(st.sampled_from([*FIELDS, "x", "", "TEXT"]), max_size=8),
    rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=8),
    mapping=st.lists(st.sampled_from(["text=TEXT", "text=", "=x", "bogus=x", "id=x"]), max_size=2),
)
async def test_csv_files(
    services: Any,
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    rows: list[list[str]],
    mapping: list[str],
) -> None:
    await run(services, tmp_path_factory.getbasetemp(), csv_bytes(header, rows), "csv", mapping)


@EXAMPLES
@given(content=garbage | st.binary(max_size=300).map(lambda b: b"id,text,published_at\n" + b))
async def test_csv_garbage(
    services: Any, tmp_path_factory: pytest.TempPathFactory, content: bytes
) -> None:
    await run(services, tmp_path_factory.getbasetemp(), content, "csv", [])


def jsonl_line(value: Any) -> bytes:
    return json.dumps(value).encode()


@EXAMPLES
@given(
    lines=st.lists(
        st.fixed_dictionaries(
            {"text": cells, "published_at": cells},
            optional={k: json_values for k in FIELDS if k not in ("text", "published_at")},
        ).map(jsonl_line)
        | json_values.map(jsonl_line)
        | garbage,
        max_size=8,
    ),
    mapping=st.lists(st.sampled_from(["text=a.b", "published_at=a", "id=x.y.z"]), max_size=2),
)
async def test_jsonl_files(
    services: Any,
    tmp_path_factory: pytest.TempPathFactory,
    lines: list[bytes],
    mapping: list[str],
) -> None:
    content = b"\n".join(line.replace(b"\n", b" ") for line in lines)
    await run(services, tmp_path_factory.getbasetemp(), content, "jsonl", mapping)
