"""Recompute the intent of every stored mention with the current intent model.

A database filled before the model changed (an upgrade, the demo seeded by an older
version) keeps the intents it was given at ingest; `python -m bot db reclassify` runs this
so that briefs, backlog suggestions, drafts and `mentions --intent` read the new ones.
Chunks are read by id and committed one by one, so a stopped run is simply run again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from core.db import SessionFactory, session_scope
from core.storage import intents as store

log = logging.getLogger(__name__)
CHUNK = 1000
Classify = Callable[[Sequence[str], Sequence[str | None]], Sequence[str]]


@dataclass
class Reclassified:
    """How many mentions were read, and how many got another intent."""

    seen: int = 0
    changed: int = 0


async def reclassify_intents(
    sessions: SessionFactory, classify: Classify, *, chunk: int = CHUNK
) -> Reclassified:
    """Run `classify` over every stored mention (in a worker thread) and store what changed."""
    result = Reclassified()
    after = 0
    while True:
        async with sessions() as session:
            rows = await store.mentions_after(session=session, after=after, limit=chunk)
        if not rows:
            return result
        found = await asyncio.to_thread(
            classify, [r.text for r in rows], [r.language for r in rows]
        )
        changes = [(r.id, new) for r, new in zip(rows, found, strict=True) if new != r.intent]
        async with session_scope(sessions) as session:
            await store.set_intents(session=session, changes=changes)
        result.seen += len(rows)
        result.changed += len(changes)
        after = rows[-1].id
        log.info("reclassified %d mentions so far, %d changed", result.seen, result.changed)
