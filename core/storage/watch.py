"""The watchlist in the database: seeded from the workspace file, edited from chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models import WatchTerm
from core.storage.dialect import insert_for
from core.watchlist import Term, normalize_term


async def list_terms(*, session: AsyncSession, active_only: bool = True) -> list[WatchTerm]:
    stmt = select(WatchTerm).order_by(col(WatchTerm.kind), col(WatchTerm.term))
    if active_only:
        stmt = stmt.where(col(WatchTerm.active).is_(True))
    return list((await session.execute(stmt)).scalars().all())


async def seed_terms(*, session: AsyncSession, terms: Sequence[tuple[str, str, str]]) -> int:
    """Insert (term, kind, canonical) that are not there yet; a removed term stays removed."""
    rows: dict[str, dict[str, str]] = {}
    for term, kind, canonical in terms:
        normalized = normalize_term(term)
        rows.setdefault(
            normalized,
            {
                "term": term,
                "normalized": normalized,
                "kind": kind,
                "canonical": normalize_term(canonical),
                "origin": "workspace",
            },
        )
    if not rows:
        return 0
    known = set(
        (
            await session.execute(
                select(col(WatchTerm.normalized)).where(col(WatchTerm.normalized).in_(list(rows)))
            )
        )
        .scalars()
        .all()
    )
    fresh = [row for key, row in rows.items() if key not in known]
    if fresh:
        # ON CONFLICT: a replica seeding at the same moment is not an error.
        stmt = insert_for(session, WatchTerm).on_conflict_do_nothing(index_elements=["normalized"])
        await session.execute(stmt, fresh)
    return len(fresh)


@dataclass(frozen=True)
class Added:
    """What `add_term` did: the row, whether it changed, and the kind and activity it had
    before (None when the term is new) — read under the row's lock, so two people adding
    the same term at once each learn what their own change did."""

    row: WatchTerm
    changed: bool
    was: tuple[str, bool] | None


async def add_term(
    *, session: AsyncSession, term: str, kind: str, actor: str, now: dt.datetime
) -> Added:
    """Add or re-activate a term (or change its kind).

    Safe when two replicas add the same term at once: the row is inserted with ON CONFLICT
    DO NOTHING, then read under a row lock (PostgreSQL; SQLite holds its write lock from the
    insert on) and changed — the second waits for the first, never a unique violation."""
    normalized = normalize_term(term)
    inserted = (
        await session.execute(
            insert_for(session, WatchTerm)
            .values(
                term=term,
                normalized=normalized,
                kind=kind,
                canonical=normalized,
                active=True,
                origin="chat",
                created_by=actor,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["normalized"])
            .returning(col(WatchTerm.id))
        )
    ).scalar_one_or_none()
    stmt = (
        select(WatchTerm)
        .where(col(WatchTerm.normalized) == normalized)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(stmt)).scalars().one()
    if inserted is not None:
        return Added(row, True, None)
    was = (row.kind, row.active)
    changed = not row.active or row.kind != kind
    row.active, row.kind = True, kind
    session.add(row)
    await session.flush()
    return Added(row, changed, was)


async def remove_term(*, session: AsyncSession, term: str) -> WatchTerm | None:
    """Deactivate a term (kept, so that its history still has a name); None if unknown."""
    normalized = normalize_term(term)
    row = (
        (await session.execute(select(WatchTerm).where(col(WatchTerm.normalized) == normalized)))
        .scalars()
        .first()
    )
    if row is None or not row.active:
        return None
    row.active = False
    session.add(row)
    return row


def to_terms(rows: list[WatchTerm]) -> list[Term]:
    return [Term(term=r.term, kind=r.kind, canonical=r.canonical or r.normalized) for r in rows]
