"""Source state: each source's cursor and health, and the log of its runs.

The cursor is written only after the batch it covers is stored (see the poller), so a
crash in between refetches the batch and the idempotent insert drops the repeats.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import SourceState
from core.models_sources import SourceRun
from core.storage.dialect import insert_for

RUN_RETENTION = dt.timedelta(days=30)
MAX_BACKOFF = dt.timedelta(hours=6)
MAX_ERROR = 1024


async def get_state(*, session: AsyncSession, name: str) -> SourceState | None:
    return await session.get(SourceState, name)


async def list_states(*, session: AsyncSession) -> dict[str, SourceState]:
    """Every source's state by name."""
    rows = (await session.execute(select(SourceState))).scalars().all()
    return {r.name: r for r in rows}


def parse_cursor(raw: str | None) -> dict[str, Any]:
    """A stored cursor; an unreadable one counts as none (the source starts afresh)."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def load_cursor(*, session: AsyncSession, name: str) -> dict[str, Any]:
    state = await get_state(session=session, name=name)
    return parse_cursor(state.cursor) if state else {}


async def save_progress(
    *,
    session: AsyncSession,
    name: str,
    cursor: dict[str, Any],
    now: dt.datetime,
    fetched: int = 0,
    stored: int = 0,
    quota_remaining: int | None = None,
) -> None:
    """After a stored batch: the new cursor, a success, and the source's health reset.

    The first success of a source starts its coverage (`covered_from`); a source that had
    succeeded before coverage was recorded keeps it unknown."""
    values: dict[str, Any] = {
        "name": name,
        "cursor": json.dumps(cursor, sort_keys=True, separators=(",", ":")),
        "last_success": now,
        "error_count": 0,
        "next_poll_at": None,
        "fetched_total": fetched,
        "stored_total": stored,
    }
    if quota_remaining is not None:
        values["quota_remaining"] = quota_remaining
    stmt = insert_for(session, SourceState).values(**values, covered_from=now)
    update = {k: v for k, v in values.items() if k not in ("name", "fetched_total", "stored_total")}
    update["fetched_total"] = col(SourceState.fetched_total) + fetched
    update["stored_total"] = col(SourceState.stored_total) + stored
    never = col(SourceState.covered_from).is_(None) & col(SourceState.last_success).is_(None)
    update["covered_from"] = case((never, now), else_=col(SourceState.covered_from))
    await session.execute(stmt.on_conflict_do_update(index_elements=["name"], set_=update))


def backoff(error_count: int, interval: float, retry_after: float | None = None) -> dt.timedelta:
    """How long a failing source rests: its interval doubled per failure, at most 6 h.

    A server's Retry-After wins when it asks for longer.
    """
    seconds = min(interval * 2 ** max(error_count - 1, 0), MAX_BACKOFF.total_seconds())
    if retry_after is not None:
        seconds = max(seconds, retry_after)
    return dt.timedelta(seconds=seconds)


async def record_failure(
    *,
    session: AsyncSession,
    name: str,
    error: str,
    now: dt.datetime,
    interval: float,
    retry_after: float | None = None,
) -> SourceState:
    """Mark a failed poll: the reason, one more error, and when to try again.

    The row is created with ON CONFLICT DO NOTHING and changed under its lock, so a poll
    and an `ingest --once` failing at the same moment both count, neither raises."""
    await session.execute(
        insert_for(session, SourceState)
        .values(name=name)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    stmt = (
        select(SourceState)
        .where(col(SourceState.name) == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    state = (await session.execute(stmt)).scalars().one()
    state.error_count = (state.error_count or 0) + 1
    state.last_error = error[:MAX_ERROR]
    state.last_error_at = now
    state.next_poll_at = now + backoff(state.error_count, interval, retry_after)
    session.add(state)
    await session.flush()
    return state


async def record_run(
    *,
    session: AsyncSession,
    source: str,
    now: dt.datetime,
    fetched: int = 0,
    new: int = 0,
    duplicates: int = 0,
    errors: int = 0,
    error: str | None = None,
) -> None:
    """Log one run (poll, webhook call, import) and prune this source's old runs."""
    session.add(
        SourceRun(
            source=source[:64],
            at=now,
            fetched=fetched,
            new=new,
            duplicates=duplicates,
            errors=errors,
            error=error[:MAX_ERROR] if error else None,
        )
    )
    await session.execute(
        delete(SourceRun).where(
            col(SourceRun.source) == source[:64], col(SourceRun.at) < now - RUN_RETENTION
        )
    )


@dataclass(frozen=True)
class RunSummary:
    """A source's runs in the log: new mentions since a time, and when it last ran."""

    new: int
    last_at: dt.datetime | None


async def run_summary(*, session: AsyncSession, since: dt.datetime) -> dict[str, RunSummary]:
    """Per source name in the run log: new mentions stored since `since`, and the last run."""
    recent = case((col(SourceRun.at) >= since, col(SourceRun.new)), else_=0)
    stmt = select(col(SourceRun.source), func.sum(recent), func.max(col(SourceRun.at))).group_by(
        col(SourceRun.source)
    )
    return {
        name: RunSummary(int(total or 0), last)
        for name, total, last in (await session.execute(stmt)).all()
    }
