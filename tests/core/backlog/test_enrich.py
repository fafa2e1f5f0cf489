"""The model may reword a suggestion, never its figures; any failure keeps the rules' words."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from core.backlog.enrich import acceptable, enrich
from core.backlog.ice import score
from core.backlog.suggestion import Suggestion


class FakeLLM:
    """Answers with a fixed text (or raises, or hangs) and records what it was sent."""

    def __init__(self, answer: str = "", *, error: Exception | None = None, hang: bool = False):
        self.answer, self.error, self.hang = answer, error, hang
        self.messages: list[dict[str, str]] = []

    async def complete(self, *, messages: list[dict[str, str]], **_: Any) -> list[str]:
        self.messages = messages
        if self.hang:
            await asyncio.sleep(10)
        if self.error:
            raise self.error
        return [self.answer]


def _suggestions() -> list[Suggestion]:
    ice = score(volume=24, reach=48_000, amount=24, consistency=0.8, fmt="linkedin_post")
    return [
        Suggestion(
            kind="trend",
            topic_key="tag:#baristaathome",
            title="Post on the rising topic “#baristaathome”",
            story="As someone following #baristaathome I want a post so that I see Lumora cares.",
            audience="someone following #baristaathome",
            channel="linkedin",
            format="linkedin_post",
            ice=ice,
            counts={"mentions": 24},
            mention_ids=[1, 2],
        ),
        Suggestion(
            kind="question",
            topic_key="brew descale",
            title="Answer the recurring question on descaling",
            story="As a customer I want an answer so that I do not ask again.",
            audience="a customer",
            channel="website",
            format="faq_entry",
            ice=ice,
        ),
    ]


async def test_wording_changes_and_figures_stay() -> None:
    items = _suggestions()
    answer = json.dumps(
        [
            {
                "i": 0,
                "title": "Show home baristas their latte art",
                "story": "As a home barista I want to see my latte art celebrated so that I share more.",
            },
            {
                "i": 1,
                "title": "Descaling FAQ in 3 steps",
                "story": "As 1 of 5 customers I want it.",
            },
        ]
    )
    llm = FakeLLM(f"```json\n{answer}\n```")
    before = [(s.ice, s.counts, s.mention_ids, s.format) for s in items]
    changed = await enrich(llm, items, locale="en")
    assert changed == 1
    assert items[0].title == "Show home baristas their latte art" and items[0].enriched
    # "3 steps" is a figure the rule did not give: the second rewording is refused.
    assert items[1].title == "Answer the recurring question on descaling"
    assert not items[1].enriched
    assert [(s.ice, s.counts, s.mention_ids, s.format) for s in items] == before
    # The model sees the wording only, never the evidence.
    sent = json.loads(llm.messages[1]["content"])
    assert set(sent[0]) == {"i", "kind", "format", "title", "story"}


async def test_failures_keep_the_rules_wording() -> None:
    for llm in (
        FakeLLM("not json at all"),
        FakeLLM(error=RuntimeError("rate limited")),
        FakeLLM(json.dumps({"i": 0})),
    ):
        items = _suggestions()
        assert await enrich(llm, items, locale="en") == 0
        assert items[0].title.startswith("Post on the rising topic")
    items = _suggestions()
    assert await enrich(FakeLLM(hang=True), items, locale="en", timeout=0.05) == 0
    assert await enrich(None, items, locale="en") == 0


def test_acceptable_refuses_links_handles_and_lost_story_form() -> None:
    old = "As a customer I want an answer so that I do not ask again."
    assert acceptable(old, "As a buyer I want help so that I relax.", limit=200, locale="en")
    assert acceptable(old, "Als Kunde möchte ich …", limit=200, locale="en") is None
    assert acceptable(old, "As a buyer see https://evil.example", limit=200, locale="en") is None
    assert acceptable(old, "As @channel I want it", limit=200, locale="en") is None
    assert acceptable(old, "x" * 300, limit=200) is None
    assert acceptable(old, 42, limit=200) is None
