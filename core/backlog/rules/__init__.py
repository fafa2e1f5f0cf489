"""Suggestion rules: each reads the data through a RuleContext and returns Suggestions.

Every rule is independent: a failure in one is logged and the others still suggest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog import ice
from core.backlog.rising import KeyWindow
from core.backlog.suggestion import CHANNEL_OF_FORMAT, Suggestion
from core.i18n import Translator
from core.models import Mention
from core.storage.stories import Figures


@dataclass
class RuleContext:
    """What every rule needs: the session, the time, the words and the names."""

    session: AsyncSession
    now: dt.datetime
    t: Translator
    brand: str
    # canonical watch term → how people spell it ("kaffeeko" → "Kaffeeko")
    names: dict[str, str] = field(default_factory=dict)
    competitors: set[str] = field(default_factory=set)
    # the brand's own names, folded, as words and as whole names (they name no topic)
    brand_words: frozenset[str] = frozenset()
    # term/tag figures of the last 7 days against the 4 weeks before (shared by two rules)
    week: dict[str, KeyWindow] = field(default_factory=dict)
    locale: str = "en"
    # canonical names of the brand and its products
    ours: set[str] = field(default_factory=set)
    # stories (by root topic id): their figures in the last 7 and 14 days, their counts
    # against the weeks before (`topic:<root>`), the entities they name, and their names
    story_week: dict[int, Figures] = field(default_factory=dict)
    story_fortnight: dict[int, Figures] = field(default_factory=dict)
    story_trends: dict[str, KeyWindow] = field(default_factory=dict)
    story_names: dict[int, Counter[str]] = field(default_factory=dict)
    story_labels: dict[int, str] = field(default_factory=dict)

    def story_label(self, root: int) -> str:
        """A story's name in the channel's language."""
        return self.story_labels.get(root, f"#{root}")

    def topic(self, key: str) -> str:
        """A count key as people read it: `term:kaffeeko` → Kaffeeko, `tag:#x` → #x."""
        kind, _, value = key.partition(":")
        return self.names.get(value, value) if kind == "term" else value


def key_suggestion(
    ctx: RuleContext,
    *,
    kind: str,
    topic_key: str,
    messages: str,
    names: dict[str, str],
    fig: KeyWindow,
    fmt: str,
    amount: int,
    consistency: float,
    counts: dict[str, float | int],
    mentions: list[Mention],
    window: dt.timedelta,
    identity: str | None = None,
) -> Suggestion:
    """A suggestion about one count key: title, audience and story from the messages under
    `messages` (filled with `names`), scored on the key's week, with its evidence;
    `identity` files it as another key (a story) for the backlog's one-item-per-story rule."""
    t = ctx.t
    audience = t(f"{messages}.audience", **names)
    return Suggestion(
        kind=kind,
        topic_key=topic_key,
        title=t(f"{messages}.title", **names),
        story=t(f"{messages}.story", audience=audience, brand=ctx.brand, **names),
        audience=audience,
        channel=CHANNEL_OF_FORMAT[fmt],
        format=fmt,
        ice=ice.score(
            volume=fig.n, reach=fig.reach, amount=amount, consistency=consistency, fmt=fmt
        ),
        counts={
            "mentions": fig.n,
            "usual": round(fig.usual or 0.0, 1),
            "ratio": round(fig.ratio, 1),
            "reach": fig.reach,
            **counts,
        },
        mention_ids=[m.id for m in mentions if m.id is not None],
        window_days=window.days,
        identity=identity,
    )
