"""The brand facts file: what a reply may claim (prices, dates, promises) and the model's context."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from config.workspace import Workspace
from core.drafts.fact_lines import FactLine, parse

log = logging.getLogger(__name__)
# The model gets at most this much of the file; the claim check reads all of it.
PROMPT_LIMIT = 8000


@dataclass(frozen=True)
class Facts:
    """The facts file's text ("" when the workspace names none or it cannot be read)."""

    text: str
    path: Path | None = None

    @property
    def for_prompt(self) -> str:
        return self.text[:PROMPT_LIMIT]

    @property
    def lines(self) -> list[FactLine]:
        """The file's facts, one per line, each with the reply language it serves."""
        return parse(self.text)


_cache: dict[Path, tuple[float, str]] = {}


def load_facts(workspace: Workspace) -> Facts:
    """Read the workspace's facts file, again only when it changed on disk."""
    name = workspace.voice.facts_file
    if not name:
        return Facts("")
    path = workspace.resolve(name)
    try:
        mtime = path.stat().st_mtime
        cached = _cache.get(path)
        if cached is None or cached[0] != mtime:
            _cache[path] = (mtime, path.read_text(encoding="utf-8"))
        return Facts(_cache[path][1], path)
    except OSError as exc:
        log.warning("the brand facts file %s cannot be read: %s", path, exc)
        return Facts("", path)
