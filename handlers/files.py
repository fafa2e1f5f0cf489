"""Where handlers write the files they hand over (reports, exports): the files folder
(HORCH_FILES_DIR, default var/reports), under a name people can read plus a random part, so
that names cannot be guessed. Files older than KEEP are removed when a new one is written."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import secrets
import time
from pathlib import Path

from core.clock import localize
from handlers.context import Context

log = logging.getLogger(__name__)
KEEP_SECONDS = 7 * 24 * 3600
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def new_path(ctx: Context, stem: str, suffix: str, *, now: dt.datetime | None = None) -> Path:
    """A fresh path in the files folder: `<stem>-<local date and time>-<random>.<suffix>`."""
    folder = Path(ctx.services.settings.files_dir)
    folder.mkdir(parents=True, exist_ok=True)
    _prune(folder)
    stamp = localize(now or ctx.now(), ctx.workspace.schedules.timezone).strftime("%Y%m%d-%H%M")
    safe = _UNSAFE.sub("-", stem).strip("-") or "file"
    return folder / f"{safe}-{stamp}-{secrets.token_hex(4)}.{suffix}"


def _prune(folder: Path) -> None:
    # The wall clock, not the Services clock: file ages are the file system's.
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                log.info("removed old file %s", path.name)
