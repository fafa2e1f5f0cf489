"""Fixtures of the security tests: services on a database seeded with hostile mentions."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest

from config.settings import Settings
from core.raw import RawMention
from tests.fakes import RuleAnalyzer
from tests.security.hostile import HOSTILE

SEED_TEXTS = [
    "Lumora Brew ist super",
    "Lieferung kaputt, Lumora antwortet nicht",
    *(f"Lumora {text}" for name, text in sorted(HOSTILE.items()) if len(text) < 2000),
]


def hostile_mentions(source: str = "fuzz") -> list[RawMention]:
    start = dt.datetime(2026, 11, 20, 8, 0)
    return [
        RawMention(
            source=source,
            external_id=f"{source}-{i}",
            text=text,
            title=text[:80],
            author=text[:60],
            url=f"https://example.org/{i}",
            published_at=start + dt.timedelta(minutes=i),
        )
        for i, text in enumerate(SEED_TEXTS)
    ]


@pytest.fixture
async def seeded(db_url: str) -> AsyncIterator[Any]:
    """Services (keyword analyzer) on the test database, with hostile mentions stored."""
    from bot.services import build_services, close_services

    services = await build_services(
        Settings.for_tests(database_url=db_url), analyzer=RuleAnalyzer()
    )
    await services.pipeline.ingest(hostile_mentions())
    yield services
    await close_services(services)
