"""Suggestion rules: each reads the data through a RuleContext and returns Suggestions.

Every rule is independent: a failure in one is logged and the others still suggest.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog.rising import KeyWindow
from core.i18n import Translator
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
