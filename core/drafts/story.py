"""The story a mention belongs to: the label of its topic, for the model's prompt."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from core.models_stories import Topic
from core.storage.topics import topics_of


async def story_of(*, session: AsyncSession, mention_id: int) -> str | None:
    """The label of the mention's topic, or None when the topic job has not grouped it."""
    topic_id = (await topics_of(session=session, mention_ids=[mention_id])).get(mention_id)
    if topic_id is None:
        return None
    topic = await session.get(Topic, topic_id)
    return topic.label if topic is not None and topic.label else None
