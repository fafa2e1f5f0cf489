"""The coverage note of briefs and trends over a period: which sources cover only part of
it, because listening began later or a backfill reached no further back (core.backfill)."""

from __future__ import annotations

import datetime as dt

from core.format import format_day
from handlers.context import Context


def partial_coverage(ctx: Context, partial: list[tuple[str, dt.datetime]]) -> str:
    """ "Coverage is partial: bluesky covered only from Dec 3." for each such source."""
    t = ctx.t
    zone = ctx.workspace.schedules.timezone
    parts = [
        t("trends.coverage.partial_item", name=name, day=format_day(at, ctx.locale, zone))
        for name, at in partial
    ]
    return t("trends.coverage.partial", sources="; ".join(parts))
