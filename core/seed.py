"""Seeding from the workspace file: the watchlist, once per term."""

from __future__ import annotations

from config.workspace import Workspace
from core.db import SessionFactory, session_scope
from core.storage import watch


async def seed_watchlist(sessions: SessionFactory, workspace: Workspace) -> int:
    """Add the workspace's terms that the database does not know yet (removed ones stay off)."""
    async with session_scope(sessions) as session:
        return await watch.seed_terms(session=session, terms=workspace.watch_terms())
