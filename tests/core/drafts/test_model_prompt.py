"""The model path gets intent, story and facts: a draft through the real service and the
openai client, the server replaced by httpx.MockTransport."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2 as httpx
from openai import AsyncOpenAI

from config.workspace import Workspace
from core.clock import utcnow
from core.db import SessionFactory, session_scope
from core.drafts.service import DraftService
from core.drafts.story import story_of
from core.models_stories import MentionTopic, Topic
from core.storage.topics import add_topic, insert_assignments
from integrations.llm import OpenAIChat
from tests.core.drafts.conftest import ANNA, T0, THREAD, add_mention


def _completion(text: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def _model(seen: list[dict[str, Any]]) -> OpenAIChat:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        answer = {
            "variants": [
                "Das tut uns leid! Schick uns bitte deine Bestellnummer per DM.",
                "Entschuldige bitte. Unser Support: support@lumora.example",
            ]
        }
        return httpx.Response(200, json=_completion(json.dumps(answer, ensure_ascii=False)))

    client = AsyncOpenAI(
        api_key="test",
        base_url="https://llm.test/v1",
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
        max_retries=0,
    )
    return OpenAIChat(model="test-model", client=client)


def _data(user: str) -> dict[str, Any]:
    match = re.search(r"<<<DATA (\w+)\n(.*)\nDATA \1>>>", user, re.S)
    assert match, user
    return dict(json.loads(match.group(2)))


async def _topic(sessions: SessionFactory, mention_id: int, label: str) -> None:
    async with session_scope(sessions) as session:
        topic_id = await add_topic(
            session=session,
            topic=Topic(label=label, centroid=b"\0" * 8, created_at=T0, last_seen_at=T0),
        )
        await insert_assignments(
            session=session,
            rows=[{"mention_id": mention_id, "topic_id": topic_id, "published_at": T0}],
        )


async def test_the_prompt_carries_intent_story_and_facts(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    mention = await add_mention(
        sessions,
        text="Meine Lumora Brew ist seit drei Wochen bestellt und immer noch nicht angekommen.",
        intent="complaint",
    )
    assert mention.id is not None
    await _topic(sessions, mention.id, "Lieferverzug bei der Lumora Brew")
    seen: list[dict[str, Any]] = []
    service = DraftService(sessions=sessions, workspace=workspace, llm=_model(seen), clock=utcnow)
    outcome = await service.create(mention_ref=str(mention.id), actor=ANNA, conversation=THREAD)
    assert outcome.status == "created", outcome
    assert outcome.draft is not None and outcome.draft.origin == "model"
    assert outcome.draft.intent == "complaint"
    system, user = (m["content"] for m in seen[0]["messages"])
    assert "The post is a complaint" in system and "Never thank them" in system
    assert "differ in substance" in system
    data = _data(user)
    assert data["intent"] == "complaint"
    assert data["story"] == "Lieferverzug bei der Lumora Brew"
    assert "2–4 Werktage" in data["brand_facts"] and "2–4 working days" in data["brand_facts"]
    # The story is quoted data, never part of the instructions.
    assert "Lieferverzug" not in system


async def test_without_a_topic_the_story_is_empty(
    sessions: SessionFactory, workspace: Workspace
) -> None:
    mention = await add_mention(sessions, text="Wie entkalke ich die Lumora Brew?")
    assert mention.id is not None
    async with sessions() as session:
        assert await story_of(session=session, mention_id=mention.id) is None
    seen: list[dict[str, Any]] = []
    service = DraftService(sessions=sessions, workspace=workspace, llm=_model(seen), clock=utcnow)
    await service.create(mention_ref=str(mention.id), actor=ANNA, conversation=THREAD)
    system, user = (m["content"] for m in seen[0]["messages"])
    assert "The post is a question" in system
    assert _data(user)["story"] == "" and _data(user)["intent"] == "question"


async def test_an_ungrouped_assignment_has_no_story(sessions: SessionFactory) -> None:
    mention = await add_mention(sessions, text="x")
    assert mention.id is not None
    async with session_scope(sessions) as session:
        session.add(MentionTopic(mention_id=mention.id, topic_id=None, published_at=T0))
    async with sessions() as session:
        assert await story_of(session=session, mention_id=mention.id) is None
