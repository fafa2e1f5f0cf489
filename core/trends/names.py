"""What a count key is called in chat, and which entities are ours and which competitors'.

`term:lumora brew` is shown as the watch term people wrote ("Lumora Brew"), `tag:#kaffee`
as the hashtag, `topic:7` as the name of the story topic 7 tells, in the channel's language
(core.trends.stories).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession

from core.storage import watch
from core.trends.stories import story_labels

OURS = ("brand", "product")


@dataclass
class Names:
    """Display names of entities (by canonical form) and topics (by id), and entity kinds."""

    terms: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    topics: dict[int, str] = field(default_factory=dict)

    def of(self, key: str) -> str:
        kind, _, value = key.partition(":")
        if kind == "term":
            return self.terms.get(value, value)
        if kind == "topic" and value.isdigit():
            return self.topics.get(int(value), value)
        return value or key

    def ours(self) -> list[str]:
        """Canonical names of the brand and its products."""
        return sorted(c for c, k in self.kinds.items() if k in OURS)

    def competitors(self) -> list[str]:
        return sorted(c for c, k in self.kinds.items() if k == "competitor")


async def load_names(
    session: AsyncSession, *, topic_keys: Iterable[str] = (), locale: str | None = None
) -> Names:
    """Names of every active watch entity, and the names of the stories asked for (in
    `locale`; without it, in the language most of each story's mentions use)."""
    names = Names()
    for row in await watch.list_terms(session=session):
        canonical = row.canonical or row.normalized
        # The entity's own name beats an alias ("Kaffeeko" rather than "Kaffeeko AG").
        if canonical not in names.terms or row.normalized == canonical:
            names.terms[canonical] = row.term
        if canonical not in names.kinds or row.normalized == canonical:
            names.kinds[canonical] = row.kind
    keys = [k for k in topic_keys if k.partition(":")[2].isdigit()]
    if keys:
        names.topics = await story_labels(session, keys, locale=locale or "")
    return names
