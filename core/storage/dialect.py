"""Dialect helpers: the one place that knows SQLite and PostgreSQL differ."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel.ext.asyncio.session import AsyncSession


def dialect(session: AsyncSession) -> str:
    bind = session.get_bind()
    return bind.dialect.name


def insert_for(session: AsyncSession, table: Any) -> Any:
    """An INSERT that supports ON CONFLICT on both databases."""
    if dialect(session) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def rowcount(result: Any) -> int:
    """Rows an INSERT/UPDATE/DELETE touched (a CursorResult attribute the stubs hide)."""
    return int(getattr(result, "rowcount", 0) or 0)
