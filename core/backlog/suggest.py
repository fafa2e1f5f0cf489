"""`backlog suggest`: run every rule, score, and keep what the backlog does not hold yet."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog.rising import window_figures
from core.backlog.rules import RuleContext
from core.backlog.rules.competitors import suggest_competitor_moves
from core.backlog.rules.stories import FORTNIGHT, suggest_stories
from core.backlog.rules.trends import WINDOW, suggest_trends
from core.backlog.suggestion import Suggestion
from core.i18n import Translator
from core.storage import stories, watch
from core.storage.backlog import closed_since, open_by_fingerprint, open_story_items
from core.stories.overview import story_labels, topic_id

log = logging.getLogger(__name__)
# A suggestion finished or dropped this recently is not proposed again.
COOLDOWN = dt.timedelta(days=14)
Rule = Callable[[RuleContext], Awaitable[list[Suggestion]]]


RULES: dict[str, Rule] = {
    "stories": suggest_stories,
    "trends": suggest_trends,
    "competitors": suggest_competitor_moves,
}


@dataclass
class SuggestResult:
    new: list[Suggestion] = field(default_factory=list)
    # Suggestions the backlog already holds: (suggestion, id of the open item)
    known: list[tuple[Suggestion, int]] = field(default_factory=list)
    recently_closed: int = 0
    failed: list[str] = field(default_factory=list)


async def rule_context(
    session: AsyncSession, *, now: dt.datetime, locale: str, brand: str
) -> RuleContext:
    terms = await watch.list_terms(session=session)
    names: dict[str, str] = {}
    for term in terms:
        canonical = term.canonical or term.normalized
        # The entity's own name beats an alias ("Kaffeeko" rather than "Kaffeeko AG").
        if canonical not in names or term.normalized == canonical:
            names[canonical] = term.term
    competitors = {t.canonical or t.normalized for t in terms if t.kind == "competitor"}
    ours = {t.canonical or t.normalized for t in terms if t.kind in ("brand", "product")}
    brand_names = {t.normalized for t in terms if t.kind == "brand"}
    brand_words = frozenset(brand_names | {w for n in brand_names for w in n.split()})
    week = await window_figures(
        session=session, prefixes=("term:", "tag:"), start=now - WINDOW, end=now
    )
    story_week = await stories.figures(session=session, since=now - WINDOW, until=now)
    story_fortnight = await stories.figures(session=session, since=now - FORTNIGHT, until=now)
    # Stories exist only since the topic job began: their history starts there.
    story_trends = await window_figures(
        session=session,
        prefixes=("topic:",),
        start=now - WINDOW,
        end=now,
        history_from=await stories.first_counted(session=session),
    )
    roots = set(story_week) | set(story_fortnight)
    return RuleContext(
        session=session,
        now=now,
        t=Translator(locale),
        brand=brand,
        names=names,
        competitors=competitors,
        brand_words=brand_words,
        week=week,
        locale=locale,
        ours=ours,
        story_week=story_week,
        story_fortnight=story_fortnight,
        story_trends=story_trends,
        story_names=await stories.entities(session=session, since=now - FORTNIGHT, until=now),
        story_labels=await story_labels(session, roots, locale=locale),
    )


async def suggest(
    session: AsyncSession,
    *,
    now: dt.datetime,
    locale: str,
    brand: str,
    limit: int = 10,
    rules: dict[str, Rule] | None = None,
) -> SuggestResult:
    """Suggestions from every rule, best ICE score first, without what the backlog holds."""
    ctx = await rule_context(session, now=now, locale=locale, brand=brand)
    result = SuggestResult()
    found: list[Suggestion] = []
    for name, rule in (rules or RULES).items():
        try:
            found += await rule(ctx)
        except Exception:
            log.exception("backlog rule %s failed; the other rules still suggest", name)
            result.failed.append(name)
    unique: dict[str, Suggestion] = {}
    for s in sorted(found, key=lambda s: (-s.ice.score, s.kind, s.topic_key)):
        unique.setdefault(s.fingerprint, s)
    prints = list(unique)
    open_items = await open_by_fingerprint(session=session, fingerprints=prints)
    open_items.update(await _merged_stories(session, list(unique.values())))
    recent = await closed_since(session=session, fingerprints=prints, since=now - COOLDOWN)
    for fp, s in unique.items():
        if fp in open_items:
            result.known.append((s, open_items[fp]))
        elif fp in recent:
            result.recently_closed += 1
        elif len(result.new) < limit:
            result.new.append(s)
    return result


async def _merged_stories(session: AsyncSession, found: list[Suggestion]) -> dict[str, int]:
    """Open items made from a story that has since merged into a suggested one: the item
    stands for the whole story (fingerprint of the suggestion → id of that item)."""
    wanted = {s.identity: s.fingerprint for s in found if s.identity}
    if not wanted:
        return {}
    items = await open_story_items(session=session)
    ids = [i for key in items if (i := topic_id(key)) is not None]
    roots = await stories.roots(session=session, ids=ids)
    out: dict[str, int] = {}
    for key, item_id in items.items():
        ident = topic_id(key)
        root = roots.get(ident) if ident is not None else None
        if root is not None and (fp := wanted.get(f"topic:{root.id}")):
            out.setdefault(fp, item_id)
    return out
