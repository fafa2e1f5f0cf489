"""Suggestion rules: each reads the data through a RuleContext and returns Suggestions.

Every rule is independent: a failure in one is logged and the others still suggest.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.backlog.rising import KeyWindow
from core.i18n import Translator


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

    def topic(self, key: str) -> str:
        """A count key as people read it: `term:kaffeeko` → Kaffeeko, `tag:#x` → #x."""
        kind, _, value = key.partition(":")
        return self.names.get(value, value) if kind == "term" else value
