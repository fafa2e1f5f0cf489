"""What a count key is called in chat, and which entities are ours and which competitors'.

`term:lumora brew` is shown as the watch term people wrote ("Lumora Brew"), `tag:#kaffee`
as the hashtag, `topic:7` as the name of the story topic 7 tells, in the channel's language
(core.stories.overview).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlmodel.ext.asyncio.session import AsyncSession

from core.storage import watch
from core.stories.overview import story_labels, story_names
from core.text import fold

OURS = ("brand", "product")


@dataclass
class Names:
    """Display names of entities (by canonical form) and topics (by id), and entity kinds."""

    terms: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    topics: dict[int, str] = field(default_factory=dict)
    # Each loaded story's name per language ("de", "en"): see `localized`, `spellings`.
    aliases: dict[int, dict[str, str]] = field(default_factory=dict)

    def localized(self, locale: str) -> Names:
        """The same names with the stories named in `locale` (the channel's language)."""
        topics = dict(self.topics)
        for ident, labels in self.aliases.items():
            if locale in labels:
                topics[ident] = labels[locale]
        return replace(self, topics=topics)

    def of(self, key: str) -> str:
        kind, _, value = key.partition(":")
        if kind == "term":
            return self.terms.get(value, value)
        if kind == "topic" and value.isdigit():
            return self.topics.get(int(value), value)
        return value or key

    def spellings(self, key: str) -> set[str]:
        """What a key is called, folded, in every language: a story's names in German and
        English, a term's name, a hashtag with and without its #."""
        kind, _, value = key.partition(":")
        out = {fold(self.of(key))}
        if kind == "topic" and value.isdigit():
            out |= {fold(n) for n in self.aliases.get(int(value), {}).values()}
        return out | {s.lstrip("#") for s in out}

    def is_brand(self, key: str) -> bool:
        """Whether a key is the brand's own name (it rides along with every story)."""
        kind, _, value = key.partition(":")
        return kind == "term" and self.kinds.get(value) == "brand"

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
        names.aliases = await story_names(session, keys)
        if locale:
            names = names.localized(locale)
    return names
