"""What a count key is called in chat, and which entities are ours and which competitors'.

`term:lumora brew` is shown as the watch term people wrote ("Lumora Brew"), `tag:#kaffee`
as the hashtag, `topic:7` as the topic's label of top terms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from core.models_trends import Topic
from core.storage import watch

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


async def load_names(session: AsyncSession, *, topic_keys: Iterable[str] = ()) -> Names:
    """Names of every active watch entity, and the labels of the topics asked for."""
    names = Names()
    for row in await watch.list_terms(session=session):
        canonical = row.canonical or row.normalized
        # The entity's own name beats an alias ("Kaffeeko" rather than "Kaffeeko AG").
        if canonical not in names.terms or row.normalized == canonical:
            names.terms[canonical] = row.term
        if canonical not in names.kinds or row.normalized == canonical:
            names.kinds[canonical] = row.kind
    ids = [int(v) for k in topic_keys if (v := k.partition(":")[2]).isdigit()]
    if ids:
        stmt = select(col(Topic.id), col(Topic.label)).where(col(Topic.id).in_(ids))
        names.topics = {int(i): str(label) for i, label in (await session.execute(stmt)).all()}
    return names
