"""The coverage note of briefs and trends over a period: which sources cover only part of
it, because listening began later or a backfill reached no further back (core.backfill)."""

from __future__ import annotations

import datetime as dt

from core.format import format_day
from core.trends.coverage import Coverage
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


def coverage_notes(ctx: Context, cov: Coverage) -> list[str]:
    """What the brief (and the report) says about coverage: the sources measured, failing
    and not covered, then the ones that cover the period only in part."""
    t = ctx.t
    none = t("trends.brief.none")
    uncovered = [t("trends.brief.x_without_token") if p == "X" else p for p in cov.uncovered]
    notes = [
        t(
            "trends.brief.coverage",
            measured=", ".join(cov.measured) or none,
            failed=", ".join(name for name, _ in cov.failed) or none,
            uncovered=", ".join(uncovered) or none,
        )
    ]
    if cov.partial:
        notes.append(partial_coverage(ctx, cov.partial))
    return notes
