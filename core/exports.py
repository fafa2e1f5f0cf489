"""Export files: mentions as CSV or XLSX with the columns the import reads (so an export
imports back unchanged: `python -m bot import FILE --source NAME`), the backlog as CSV.

Rows arrive in chunks and are written as they come: a CSV through the csv module, an XLSX
through openpyxl's write-only mode (rows go to a temporary XML file, not into memory), so an
export of 100,000 rows needs little more memory than one chunk.

A spreadsheet runs a cell that begins with = + - @ as a formula; mentions are written by
strangers. In XLSX every text cell is typed as text (never a formula). In CSV such a cell is
written with a leading apostrophe, the spreadsheet convention for "this is text", and the
importer takes exactly that apostrophe away again.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

MAX_ROWS = 100_000
# The importer's field names (integrations/sources/files.py FIELDS), then what the bot adds.
MENTION_HEADER = (
    "id",
    "published_at",
    "text",
    "url",
    "author",
    "author_handle",
    "title",
    "language",
    "likes",
    "reposts",
    "replies",
    "followers",
    "reply_to",
    "thread_id",
    "source",
    "sentiment",
    "intent",
    "reach",
)
BACKLOG_HEADER = (
    "id",
    "title",
    "kind",
    "state",
    "impact",
    "confidence",
    "ease",
    "score",
    "points",
    "owner",
    "format",
    "channel",
    "audience",
    "story",
    "topic",
    "sprint",
    "created_at",
    "state_changed_at",
    "done_at",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def iso(value: dt.datetime | None) -> str:
    """A stored naive-UTC time as ISO 8601 with Z (what the importer reads)."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else ""


def mention_values(row: Sequence[Any]) -> list[Any]:
    """One exported mention (a row of core.storage.export.MENTION_COLUMNS) in header order.

    `followers` is what the stored reach holds beyond the engagement (the importer adds the
    engagement again), so a re-imported mention has the same reach."""
    (ident, published, text, url, author, handle, title, language) = row[:8]
    (likes, reposts, replies, reach, reply_to, thread_id, source, sentiment, intent) = row[8:]
    followers = max(0, (reach or 0) - (likes or 0) - 2 * (reposts or 0) - (replies or 0))
    return [
        ident,
        iso(published),
        text,
        url or "",
        author or "",
        handle or "",
        title or "",
        language or "",
        likes or 0,
        reposts or 0,
        replies or 0,
        followers,
        reply_to or "",
        thread_id or "",
        source,
        sentiment or "",
        intent or "",
        reach or 0,
    ]


def backlog_values(item: Any) -> list[Any]:
    """One backlog item (core.models_backlog.BacklogItem) in BACKLOG_HEADER order."""
    return [
        item.id,
        item.title,
        item.kind,
        item.state,
        item.impact,
        item.confidence,
        item.ease,
        item.score,
        "" if item.points is None else item.points,
        item.owner or "",
        item.format,
        item.channel,
        item.audience,
        item.story,
        item.topic_key,
        "" if item.sprint_id is None else item.sprint_id,
        iso(item.created_at),
        iso(item.state_changed_at),
        iso(item.done_at),
    ]


def csv_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula, with the apostrophe that keeps it
    text (and a text that begins with an apostrophe, with one more)."""
    if isinstance(value, str) and value.startswith((*FORMULA_START, ESCAPE)):
        return ESCAPE + value
    return value


def csv_uncell(value: str) -> str:
    """What `csv_cell` wrote, as it was (the importer's side)."""
    if value.startswith(ESCAPE) and value[1:2] and value[1:].startswith((*FORMULA_START, ESCAPE)):
        return value[1:]
    return value


async def write_csv(path: Path, header: Sequence[str], rows: AsyncIterator[list[list[Any]]]) -> int:
    """Chunks of rows to a UTF-8 CSV with a header; returns how many rows were written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        async for chunk in rows:
            # Encoding and writing in a worker thread: the event loop keeps answering.
            await asyncio.to_thread(writer.writerows, [[csv_cell(v) for v in r] for r in chunk])
            count += len(chunk)
    return count


async def write_xlsx(
    path: Path, header: Sequence[str], rows: AsyncIterator[list[list[Any]]], *, title: str
) -> int:
    """Chunks of rows to an XLSX sheet (openpyxl write-only); every text cell is text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "export")
    bold = Font(bold=True)
    head = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        head.append(cell)
    sheet.append(head)

    def append(chunk: list[list[Any]]) -> None:
        for row in chunk:
            cells: list[Any] = []
            for value in row:
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                    cell.data_type = "s"  # never a formula, whatever it begins with
                    cells.append(cell)
                else:
                    cells.append(value)
            sheet.append(cells)

    count = 0
    async for chunk in rows:
        # openpyxl is slow (about a second per 1,000 rows): a worker thread, one chunk at a
        # time, so the event loop keeps answering Slack and Teams meanwhile.
        await asyncio.to_thread(append, chunk)
        count += len(chunk)
    await asyncio.to_thread(book.save, path)
    return count
