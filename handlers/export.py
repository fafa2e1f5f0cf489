"""Exports of a whole result set as a file (`mentions … --export csv|xlsx`, `backlog
--export csv`): streamed from the database in chunks into the files folder, up to 100,000
rows, and handed over as a file (Slack upload, Teams download link, console path)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.exports import (
    BACKLOG_HEADER,
    CSV_MIME,
    MAX_ROWS,
    MENTION_HEADER,
    XLSX_MIME,
    backlog_values,
    mention_values,
    write_csv,
    write_xlsx,
)
from core.reply import File, Reply
from core.storage import export as store
from core.storage.mentions import MentionFilter
from handlers.context import Context
from handlers.files import new_path

FORMATS = ("csv", "xlsx")
Chunks = AsyncIterator[list[list[Any]]]


@dataclass
class Capped:
    """Passes chunks on up to `limit` rows, and notes whether more came (`cut`)."""

    limit: int
    cut: bool = False

    async def over(self, chunks: Chunks) -> Chunks:
        left = self.limit
        async for chunk in chunks:
            if len(chunk) > left:
                self.cut, chunk = True, chunk[:left]
            if chunk:
                yield chunk
            left -= len(chunk)
            if self.cut:
                return


async def export_mentions(ctx: Context, flt: MentionFilter, fmt: str, described: str) -> Reply:
    """Every mention the search finds (newest first, up to MAX_ROWS) as a CSV or XLSX file
    with the columns the import reads."""
    t = ctx.t
    async with ctx.sessions() as session:
        stmt = store.mention_statement(session, flt)
        if stmt is None:
            return Reply(
                title=t("mentions.title"), sections=[t("mentions.none", filters=described)]
            )
        path = new_path(ctx, t("export.mentions_stem"), fmt)
        capped = Capped(MAX_ROWS)
        rows = capped.over(_rows(session, stmt, mention_values))
        count = await _write(path, fmt, MENTION_HEADER, rows, t("export.mentions_sheet"))
    if not count:
        path.unlink(missing_ok=True)
        return Reply(title=t("mentions.title"), sections=[t("mentions.none", filters=described)])
    lines = [t("export.mentions_done", count=count, filters=described)]
    if capped.cut:
        lines.append(t("export.cut", limit=t.number(MAX_ROWS)))
    return _reply(ctx, path, fmt, lines, "export.columns_mentions")


async def export_backlog(ctx: Context, states: tuple[str, ...], owner: str | None) -> Reply:
    """The backlog's items (in `states`, of `owner`) as a CSV file, highest score first."""
    t = ctx.t
    path = new_path(ctx, t("export.backlog_stem"), "csv")
    capped = Capped(MAX_ROWS)
    async with ctx.sessions() as session:
        stmt = store.backlog_statement(states=states, owner=owner)
        rows = capped.over(_rows(session, stmt, lambda row: backlog_values(row[0])))
        count = await _write(path, "csv", BACKLOG_HEADER, rows, "backlog")
    lines = [t("export.backlog_done", count=count)]
    if capped.cut:
        lines.append(t("export.cut", limit=t.number(MAX_ROWS)))
    return _reply(ctx, path, "csv", lines, "export.columns_backlog")


async def _rows(session: AsyncSession, stmt: Any, values: Callable[[Any], list[Any]]) -> Chunks:
    # One row more than the limit is read, so that a cut export says so.
    async for chunk in store.stream_rows(session=session, stmt=stmt, limit=MAX_ROWS + 1):
        yield [values(row) for row in chunk]


async def _write(path: Path, fmt: str, header: tuple[str, ...], rows: Chunks, title: str) -> int:
    if fmt == "xlsx":
        return await write_xlsx(path, header, rows, title=title)
    return await write_csv(path, header, rows)


def _reply(ctx: Context, path: Path, fmt: str, lines: list[str], note: str) -> Reply:
    mime = XLSX_MIME if fmt == "xlsx" else CSV_MIME
    return Reply(
        title=ctx.t("export.title"),
        sections=lines,
        files=[File(name=path.name, mime=mime, path=path, title=path.name)],
        footnotes=[ctx.t(note)],
    )
