"""Stories on scenarios of other brands (tests/fixtures/scenarios): mentions that tell one
story in German and English are one story, named by a phrase found in its mentions, umlauts
intact, in the channel's language; the brief's section ranks the period's stories."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import col

from core.models import Mention
from core.models_stories import MentionTopic, Topic
from core.stories.overview import (
    main_stories,
    story_key,
    story_label,
    story_labels,
    story_of_key,
)
from tests.fixtures.scenarios.seed import NOW, scenario

pytestmark = pytest.mark.storage


async def stories_of(services: Any) -> dict[str, Counter[int]]:
    """Per planted event: how its grouped mentions fall into stories (root ids)."""
    async with services.sessions() as session:
        rows = (
            await session.execute(
                select(col(Mention.external_id), col(Topic.id), col(Topic.story_id))
                .join(MentionTopic, col(MentionTopic.mention_id) == col(Mention.id))
                .join(Topic, col(Topic.id) == col(MentionTopic.topic_id))
            )
        ).all()
    out: dict[str, Counter[int]] = {}
    for ident, topic, root in rows:
        event = ident.split("-")[1]
        out.setdefault(event, Counter())[root or topic] += 1
    return out


async def members(services: Any, root: int) -> list[Mention]:
    async with services.sessions() as session:
        ids = select(col(Topic.id)).where((col(Topic.id) == root) | (col(Topic.story_id) == root))
        stmt = (
            select(Mention)
            .join(MentionTopic, col(MentionTopic.mention_id) == col(Mention.id))
            .where(col(MentionTopic.topic_id).in_(ids.scalar_subquery()))
        )
        return list((await session.execute(stmt)).scalars().all())


@pytest.fixture
async def velora(db_url: str) -> Any:
    services, planted = await scenario(db_url, "velora")
    yield services, planted
    from bot.services import close_services

    await close_services(services)


@pytest.fixture
async def nimbus(db_url: str) -> Any:
    services, planted = await scenario(db_url, "nimbus")
    yield services, planted
    from bot.services import close_services

    await close_services(services)


async def _check_one_story_per_event(
    services: Any, events: tuple[str, ...], *, share: float = 0.7
) -> dict[str, int]:
    """Each event's mentions are (mostly) one story, in both languages, and no two planted
    events share a story; returns the story of each event."""
    found = await stories_of(services)
    roots: dict[str, int] = {}
    for event in events:
        root, n = found[event].most_common(1)[0]
        assert n >= share * sum(found[event].values()), (event, found[event])
        langs = {m.language for m in await members(services, root)}
        assert {"de", "en"} <= langs, (event, langs)
        roots[event] = root
    assert len(set(roots.values())) == len(events), roots
    return roots


async def _check_names(services: Any, root: int) -> None:
    """The story's name in each language is a phrase people wrote in that language."""
    texts = {lang: [m.text for m in await members(services, root) if m.language == lang]
             for lang in ("de", "en")}  # fmt: skip
    async with services.sessions() as session:
        for lang in ("de", "en"):
            name = await story_label(session, f"topic:{root}", locale=lang)
            assert name and any(name in t for t in texts[lang]), (lang, name)
            assert "·" not in name and "," not in name


async def test_velora_german_and_english_of_one_story_are_one_story(velora: Any) -> None:
    services, _ = velora
    roots = await _check_one_story_per_event(services, ("delivery", "tour", "battery"))
    for event in ("delivery", "tour", "battery"):
        await _check_names(services, roots[event])
    async with services.sessions() as session:
        labels = await story_labels(session, [roots["battery"]], locale="de")
    assert labels[roots["battery"]] == "Akku"
    async with services.sessions() as session:
        tour = await story_label(session, roots["tour"], locale="en")
        # The rising hashtag is the tour's story seen from outside.
        week = {"since": NOW - dt.timedelta(days=7), "until": NOW}
        assert await story_of_key(session, "tag:#veloratour", **week) == roots["tour"]
        assert await story_of_key(session, "term:velora city", **week) is None  # spread
    assert tour == "#veloratour"


async def test_nimbus_an_outage_told_in_many_words_is_one_story(nimbus: Any) -> None:
    services, _ = nimbus
    roots = await _check_one_story_per_event(services, ("outage", "pots", "pin"), share=0.6)
    for event in ("outage", "pots", "pin"):
        await _check_names(services, roots[event])
    # Umlauts stay as written: the German name of the savings pots is "Sparziele".
    async with services.sessions() as session:
        assert await story_label(session, roots["pots"], locale="de") == "Sparziele"


async def test_a_topic_key_resolves_to_its_story_as_stories_merge(velora: Any) -> None:
    services, _ = velora
    async with services.sessions() as session:
        child = (
            await session.execute(select(Topic).where(col(Topic.story_id).is_not(None)).limit(1))
        ).scalar_one()
        assert await story_key(session, f"topic:{child.id}") == f"topic:{child.story_id}"
        root = await session.get(Topic, child.story_id)
        assert root is not None
        assert await story_label(session, child.id, locale="de") == root.label_de
        assert await story_label(session, "topic:999999", locale="de") is None


async def test_the_brief_section_leads_with_the_week_s_stories(velora: Any) -> None:
    services, _ = velora
    roots = await _check_one_story_per_event(services, ("delivery", "tour"))
    async with services.sessions() as session:
        stories = await main_stories(
            session,
            since=NOW - dt.timedelta(days=7),
            until=NOW,
            prev_since=NOW - dt.timedelta(days=14),
            locale="de",
        )
    by_root = {s.root: s for s in stories}
    assert {roots["delivery"], roots["tour"]} <= set(by_root)
    delivery, tour = by_root[roots["delivery"]], by_root[roots["tour"]]
    assert delivery.intent == "complaint" and delivery.neg_share > 0.9
    assert delivery.growth is not None and delivery.growth > 0.5  # the spike three days ago
    assert tour.growth is None and tour.intent == "praise"  # new this week
    for story in (delivery, tour):
        example = story.representative
        assert example is not None and example.language == "de"
        assert story.label in example.text or story.terms
    ranks = [s.rank for s in stories]
    assert ranks == sorted(ranks, reverse=True)


async def test_a_hashtag_that_is_one_story_is_filed_as_that_story(velora: Any) -> None:
    """The trends button once filed "#veloratour" and its story as two backlog items, and
    `trends` listed both; one story is one backlog item, whichever of its keys is clicked."""
    import json

    from core.models_backlog import BacklogItem
    from handlers.dispatch import dispatch
    from tests.conftest import console_request

    services, _ = velora
    roots = await _check_one_story_per_event(services, ("tour",))

    async def click(key: str) -> Any:
        value = json.dumps({"key": key, "kind": "climb"})
        request = console_request(f"!trends.to_backlog {value}", locale="de")
        return await dispatch(services.registry, services, request)

    first = await click("tag:#veloratour")
    assert first.sections[0].startswith("Ins Backlog übernommen als #"), first.sections
    again = await click(f"topic:{roots['tour']}")
    assert "steht schon im Backlog" in again.sections[0], again.sections
    async with services.sessions() as session:
        items = (await session.execute(select(BacklogItem))).scalars().all()
    assert [i.topic_key for i in items] == [f"topic:{roots['tour']}"]


async def test_the_brief_lists_a_story_named_like_a_hashtag_once(velora: Any) -> None:
    """The brief once listed "#lumoralatteart" under rising hashtags and, again, under rising
    topics (its story has the hashtag's name)."""
    from handlers.dispatch import dispatch
    from tests.conftest import console_request

    services, _ = velora
    reply = await dispatch(services.registry, services, console_request("brief 7d", locale="de"))
    rows = {f.label: f.value for f in reply.facts}
    assert "#veloratour" in rows.get("Steigende Hashtags", ""), rows
    assert "#veloratour" not in rows.get("Steigende Themen", ""), rows
