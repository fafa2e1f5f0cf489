"""Files of a reply on this host's disk: every file lies under the files folder
(HORCH_FILES_DIR, var/reports by default) before a platform hands it over. A file that came
as bytes is written there first."""

from __future__ import annotations

import dataclasses
import re
import secrets
from pathlib import Path

from core.reply import File, Reply

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def on_disk(reply: Reply, folder: Path) -> Reply:
    """The reply with each in-memory file written to `folder` (its path set)."""
    if all(f.path is not None for f in reply.files):
        return reply
    folder.mkdir(parents=True, exist_ok=True)
    files = [_saved(f, folder) if f.path is None else f for f in reply.files]
    return dataclasses.replace(reply, files=files)


def _saved(file: File, folder: Path) -> File:
    name = _UNSAFE.sub("-", file.name).strip("-.") or "file"
    path = folder / f"{secrets.token_hex(4)}-{name}"
    path.write_bytes(file.content())
    return dataclasses.replace(file, path=path, data=None)


def shown_path(path: Path) -> str:
    """The path as the person at the terminal can use it: relative to the working folder
    when it lies under it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
