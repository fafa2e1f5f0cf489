"""Event ids are claimed once, in the database, and old ones are purged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.slack.dedupe import KEEP, EventLedger
from core.clock import utcnow

pytestmark = pytest.mark.storage


async def test_an_event_is_claimed_once_across_ledgers(services: Any) -> None:
    first, second = EventLedger(services), EventLedger(services)
    second.owner = "replica-2"
    assert await first.claim("Ev0001") is True
    assert await second.claim("Ev0001") is False  # another replica, or after a restart
    await first.finish("Ev0001")
    assert await second.claim("Ev0001") is False
    assert await second.claim("Ev0002") is True


async def test_old_event_ids_are_purged(services: Any) -> None:
    ledger = EventLedger(services)
    assert await ledger.claim("EvOLD")
    await ledger.finish("EvOLD")
    assert await ledger.purge(now=utcnow() + dt.timedelta(minutes=1)) == 0
    assert await ledger.purge(now=utcnow() + KEEP + dt.timedelta(minutes=1)) == 1
    assert await ledger.claim("EvOLD") is True
