"""The run log of items that arrive other than by polling (a file import, a webhook call)."""

from __future__ import annotations

import logging

from core.db import session_scope
from core.storage import sources as store
from integrations.sources.services import IngestServices

log = logging.getLogger(__name__)


async def log_run(
    services: IngestServices,
    source: str,
    *,
    fetched: int,
    new: int,
    duplicates: int,
    errors: int,
    what: str,
) -> None:
    """Record one run of `source`; a failure is logged, never raised: the items are stored,
    only the run log misses this one (`what` names the run in that log line)."""
    try:
        async with session_scope(services.sessions) as session:
            await store.record_run(
                session=session,
                source=source,
                now=services.clock(),
                fetched=fetched,
                new=new,
                duplicates=duplicates,
                errors=errors,
            )
    except Exception:
        log.exception("%s: could not log the run", what)
