"""File imports: `python -m bot import FILE --source NAME` for CSV (with a header), JSONL and
XLSX (the first sheet, with a header row: what `mentions --export xlsx` writes).

The file is streamed in batches through the pipeline, never loaded whole. The fields
text, url, author, published_at, id and title (and author_handle, language, likes,
reposts, replies, followers, reply_to, thread_id) are recognised by column name;
`--map FIELD=COLUMN` takes a field from another column (a dotted path into JSONL objects).
Each row's id is its `id` column, or else a hash of the row, so an interrupted import run
again skips what is stored and stores the rest: no duplicate, nothing lost. A row that
cannot be read (no text, a bad time, a broken JSON line) is counted as invalid and the
import goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.exports import csv_uncell
from core.pipeline import IngestResult
from core.raw import RawMention
from integrations.sources.progress import ImportProgress
from integrations.sources.run_log import log_run
from integrations.sources.services import IngestServices
from integrations.sources.values import count, language, parse_time

log = logging.getLogger(__name__)
BATCH = 2000
TEXT_FIELDS = ("text", "url", "author", "author_handle", "title", "reply_to", "thread_id")
COUNT_FIELDS = ("likes", "reposts", "replies", "followers")
FIELDS = ("id", "published_at", "language", *TEXT_FIELDS, *COUNT_FIELDS)
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
MAX_LOGGED = 20
# Earlier "times" are zeros and typos, not posts; they would also skew the hourly counts.
EARLIEST = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
# A CSV cell may hold a long article; the csv module's default limit is 128 KiB.
csv.field_size_limit(4 * 1024 * 1024)


class FileImportError(Exception):
    """The import cannot start (or go on): a missing file, a bad option, a wrong encoding."""


Row = dict[str, Any]


def parse_mapping(mapping: list[str]) -> dict[str, str]:
    """`["text=body", "published_at=created"]` → {"text": "body", ...}."""
    out: dict[str, str] = {}
    for entry in mapping:
        field_name, sep, column = entry.partition("=")
        field_name, column = field_name.strip().lower(), column.strip()
        if not sep or not field_name or not column:
            raise FileImportError(f"--map takes FIELD=COLUMN, not {entry!r}")
        if field_name not in FIELDS:
            raise FileImportError(
                f"--map: unknown field {field_name!r}; fields are {', '.join(FIELDS)}"
            )
        out[field_name] = column
    return out


def detect_format(path: Path, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".xlsx":
        return "xlsx"
    raise FileImportError(
        f"{path}: cannot tell the format from the name; add --format csv|jsonl|xlsx"
    )


async def import_file(
    services: IngestServices,
    *,
    path: Path,
    source: str,
    mapping: list[str],
    fmt: str | None,
    progress: bool,
) -> IngestResult:
    """Import a CSV or JSONL file under `source`; returns the totals."""
    if not _SOURCE_NAME.match(source):
        raise FileImportError(f"--source: {source!r} is not a name (letters, digits, . _ - :)")
    columns = parse_mapping(mapping)
    kind = detect_format(path, fmt)
    if not path.is_file():
        raise FileImportError(f"{path}: no such file")
    total = IngestResult()
    size = path.stat().st_size
    with path.open("rb") as raw, ImportProgress(path.name, size, enabled=progress) as bar:
        if kind == "xlsx":
            rows = _xlsx_rows(path, columns)
        elif kind == "csv":
            rows = _csv_rows(raw, columns)
        else:
            rows = _jsonl_rows(raw, columns)
        batch: list[RawMention] = []
        invalid = 0
        try:
            for line_no, row in rows:
                mention = _mention(row, source) if row is not None else None
                if mention is None:
                    invalid += 1
                    if invalid <= MAX_LOGGED:
                        log.warning("%s line %d: unreadable row skipped", path.name, line_no)
                else:
                    batch.append(mention)
                if len(batch) >= BATCH:
                    _add(total, await services.pipeline.ingest(batch, via="import"), invalid)
                    batch, invalid = [], 0
                    bar.update(raw.tell(), total.received)
            _add(
                total,
                await services.pipeline.ingest(batch, via="import") if batch else IngestResult(),
                invalid,
            )
            bar.update(size, total.received)
        except UnicodeDecodeError as exc:
            raise FileImportError(
                f"{path}: not UTF-8 near byte {raw.tell()}; {total.new} rows were stored before "
                "it. Convert the file (e.g. iconv -f latin1 -t utf-8) and import it again: "
                "stored rows are skipped."
            ) from exc
        finally:
            await log_run(
                services,
                source,
                fetched=total.received,
                new=total.new,
                duplicates=total.duplicates,
                errors=total.invalid,
                what="import",
            )
    return total


def _add(total: IngestResult, result: IngestResult, invalid: int) -> None:
    result.new_ids = []  # a million ids are not worth keeping for a summary line
    result.received += invalid
    result.invalid += invalid
    total.merge(result)


def _csv_rows(raw: io.BufferedReader, columns: dict[str, str]) -> Iterator[tuple[int, Row | None]]:
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    reader = csv.reader(text)
    try:
        header = next(reader)
    except StopIteration as exc:
        raise FileImportError("the CSV file is empty: a header line is needed") from exc
    index = _columns(header, columns)
    width = len(header)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            log.warning("CSV line %d: %s", reader.line_num, exc)
            yield reader.line_num, None
            continue
        if not cells:
            continue
        if len(cells) != width:  # a stray separator or quote: the columns cannot be trusted
            yield reader.line_num, None
            continue
        # A cell that a spreadsheet would run as a formula was exported with an apostrophe
        # in front (core.exports): it comes back as it was.
        row = {name: csv_uncell(cells[i]) for name, i in index.items()}
        row["_hash"] = "\x1f".join(cells)
        yield reader.line_num, row


def _xlsx_rows(path: Path, columns: dict[str, str]) -> Iterator[tuple[int, Row | None]]:
    """The first sheet's rows (openpyxl read-only: row by row, never the whole file)."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise FileImportError(f"{path}: not a readable XLSX file ({exc})") from exc
    try:
        sheet = book.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = next(lines, None)
        if not header:
            raise FileImportError("the sheet is empty: a header row is needed")
        index = _columns(["" if h is None else str(h) for h in header], columns)
        for line_no, cells in enumerate(lines, start=2):
            if not any(c is not None and c != "" for c in cells):
                continue
            # A real date cell (a sheet made by hand) is read as ISO 8601, naive = UTC.
            cells = tuple(
                c.isoformat() if isinstance(c, dt.datetime | dt.date) else c for c in cells
            )
            row = {name: cells[i] if i < len(cells) else None for name, i in index.items()}
            row["_hash"] = "\x1f".join("" if c is None else str(c) for c in cells)
            yield line_no, row
    finally:
        book.close()


def _columns(header: list[str], columns: dict[str, str]) -> dict[str, int]:
    """Field name → column index, from the header names and --map."""
    by_name = {h.strip().lower(): i for i, h in enumerate(header)}
    exact = {h.strip(): i for i, h in enumerate(header)}
    index: dict[str, int] = {}
    for field_name in FIELDS:
        if field_name in columns:
            wanted = columns[field_name]
            found = exact.get(wanted, by_name.get(wanted.lower()))
            if found is None:
                raise FileImportError(
                    f"--map {field_name}={wanted}: the header has no column {wanted!r} "
                    f"(it has {', '.join(h for h in header[:20])})"
                )
            index[field_name] = found
        elif field_name in by_name:
            index[field_name] = by_name[field_name]
    for needed in ("text", "published_at"):
        if needed not in index:
            raise FileImportError(
                f"the header has no {needed!r} column; name one with --map {needed}=COLUMN"
            )
    return index


def _jsonl_rows(
    raw: io.BufferedReader, columns: dict[str, str]
) -> Iterator[tuple[int, Row | None]]:
    paths = {f: (columns.get(f) or f).split(".") for f in FIELDS}
    for line_no, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):  # broken JSON, not UTF-8, nested too deep
            yield line_no, None
            continue
        if not isinstance(doc, dict):
            yield line_no, None
            continue
        row = {f: value for f, path in paths.items() if (value := _dig(doc, path)) is not None}
        row["_hash"] = line.strip()
        yield line_no, row


def _dig(doc: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(doc, dict) or part not in doc:
            return None
        doc = doc[part]
    return doc


def _mention(row: Row, source: str) -> RawMention | None:
    text = _str(row.get("text"))
    published = parse_time(row.get("published_at"))
    if not text or published is None or published < EARLIEST:
        return None
    ident = _str(row.get("id"))
    if not ident:
        digest = hashlib.blake2b(_bytes(row["_hash"]), digest_size=16).hexdigest()
        ident = f"h:{digest}"
    values = {f: _str(row.get(f)) for f in TEXT_FIELDS if f != "text"}
    return RawMention(
        source=source,
        external_id=ident,
        text=text,
        published_at=published,
        source_type="files",
        url=values["url"] if values["url"] and values["url"].startswith("http") else None,
        author=values["author"],
        author_handle=values["author_handle"],
        title=values["title"],
        reply_to=values["reply_to"],
        thread_id=values["thread_id"],
        language=language(row.get("language")),
        likes=count(row.get("likes")),
        reposts=count(row.get("reposts")),
        replies=count(row.get("replies")),
        followers=count(row.get("followers")),
        keep_unmatched=True,
    )


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.strip()
    return text or None


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")
