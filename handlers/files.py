"""Where handlers write the files they hand over (reports, exports): the files folder
(HORCH_FILES_DIR, default var/reports), under a name people can read plus a random part, so
that names cannot be guessed. Files older than KEEP are removed when a new one is written."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import secrets
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
    stamp = localize(now or ctx.now(), ctx.workspace.schedules.timezone).strftime("%Y%m%d-%H%M")
    safe = _UNSAFE.sub("-", stem).strip("-") or "file"
    path = folder / f"{safe}-{stamp}-{secrets.token_hex(4)}.{suffix}"
    path.touch()
    _prune(folder, path)
    return path


def _prune(folder: Path, new: Path) -> None:
    # File ages are the file system's: measured against the new file's own time, so that
    # neither the Services clock nor a wall clock set apart from the disk's can misjudge them.
    cutoff = new.stat().st_mtime - KEEP_SECONDS
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                log.info("removed old file %s", path.name)
