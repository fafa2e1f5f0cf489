"""Every figure of a report: the brief's (volume, sentiment, share of voice, events, top
mentions, coverage, the chart's steps) and what only the report shows (stories of the
period, questions and complaints answered per intent, drafts, backlog items done), each
with the period before where a change is told."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from config.settings import Settings
from config.workspace import Workspace
from core.models_backlog import BacklogItem
from core.storage import report as store
from core.storage import windows as trend_store
from core.stories.overview import Story, main_stories
from core.trends.brief import BriefFigures, gather
from core.trends.period import Period

TOP_MENTIONS = 8
STORIES = 8


@dataclass
class ReportFigures:
    """A report's figures for one period."""

    brief: BriefFigures
    stories: list[Story] = field(default_factory=list)
    # intent → (asked, answered), for the period and the one before.
    voices: dict[str, tuple[int, int]] = field(default_factory=dict)
    prev_voices: dict[str, tuple[int, int]] = field(default_factory=dict)
    approved: int = 0
    published: int = 0
    prev_approved: int = 0
    prev_published: int = 0
    done: list[BacklogItem] = field(default_factory=list)
    done_total: int = 0
    prev_done_total: int = 0

    @property
    def period(self) -> Period:
        return self.brief.period

    @property
    def asked(self) -> int:
        return sum(a for a, _ in self.voices.values())

    @property
    def answered(self) -> int:
        return sum(b for _, b in self.voices.values())

    @property
    def prev_asked(self) -> int:
        return sum(a for a, _ in self.prev_voices.values())

    @property
    def prev_answered(self) -> int:
        return sum(b for _, b in self.prev_voices.values())


async def gather_report(
    session: AsyncSession,
    *,
    period: Period,
    workspace: Workspace,
    settings: Settings,
    now: dt.datetime,
    locale: str,
) -> ReportFigures:
    """All figures of the report for `period` at `now`, stories named in `locale`."""
    brief = await gather(session, period=period, workspace=workspace, settings=settings, now=now)
    # The report shows more of the widest-reaching mentions than the chat's brief.
    brief.top = await trend_store.top_by_reach(
        session=session, since=period.start, until=period.end, limit=TOP_MENTIONS
    )
    prev = (period.prev_start, period.start)
    stories = await main_stories(
        session,
        since=period.start,
        until=period.end,
        prev_since=period.prev_start if brief.comparable else None,
        locale=locale,
        limit=STORIES,
    )
    approved, published = await store.draft_counts(
        session=session, since=period.start, until=period.end
    )
    prev_approved, prev_published = await store.draft_counts(
        session=session, since=prev[0], until=prev[1]
    )
    done, done_total = await store.backlog_done(
        session=session, since=period.start, until=period.end
    )
    _, prev_done_total = await store.backlog_done(
        session=session, since=prev[0], until=prev[1], limit=0
    )
    return ReportFigures(
        brief=brief,
        stories=stories,
        voices=await store.voices_by_intent(session=session, since=period.start, until=period.end),
        prev_voices=await store.voices_by_intent(session=session, since=prev[0], until=prev[1]),
        approved=approved,
        published=published,
        prev_approved=prev_approved,
        prev_published=prev_published,
        done=done,
        done_total=done_total,
        prev_done_total=prev_done_total,
    )
