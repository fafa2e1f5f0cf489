"""The watchlist in the database: seeded from the workspace file, edited from chat."""

from __future__ import annotations

from collections.abc import Sequence

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


async def add_term(
    *, session: AsyncSession, term: str, kind: str, actor: str
) -> tuple[WatchTerm, bool]:
    """Add or re-activate a term; returns it and whether it was new or re-activated."""
    normalized = normalize_term(term)
    existing = (
        (await session.execute(select(WatchTerm).where(col(WatchTerm.normalized) == normalized)))
        .scalars()
        .first()
    )
    if existing is not None:
        changed = not existing.active or existing.kind != kind
        existing.active, existing.kind = True, kind
        session.add(existing)
        return existing, changed
    row = WatchTerm(
        term=term,
        normalized=normalized,
        kind=kind,
        canonical=normalized,
        origin="chat",
        created_by=actor,
    )
    session.add(row)
    await session.flush()
    return row, True


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
