"""Fixtures: a migrated database per test (a copied template on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.trends.helpers import migrated_db_url


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    yield from migrated_db_url(backend, tmp_path)
