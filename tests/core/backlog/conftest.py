"""Fixtures of the backlog and standup tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.backlog.helpers import migrated_db_url


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A migrated database (a copy of a migrated template on SQLite: faster)."""
    yield from migrated_db_url(backend, tmp_path)
