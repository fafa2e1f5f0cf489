"""Topics: German and English mentions of one theme land together (the shipped encoder);
the topic job groups new mentions, counts each once per hour key, and labels topics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select
from sqlmodel import col

from core.models import HourlyCount
from core.models_stories import MentionTopic, Topic
from core.stories.topic_job import TopicJob
from core.stories.topics import SentenceEncoder, group, names_pattern, normalise, topic_text
from tests.core.trends.helpers import NOW, Clock, make_services, raws

THEMES = {
    "delivery": [
        "Meine Lumora Brew ist seit drei Wochen nicht geliefert worden, wo bleibt das Paket?",
        "Still waiting for my Lumora Brew delivery, ordered three weeks ago",
        "Lieferung der Lumora Mill dauert ewig, Paket hängt beim Versand fest",
        "My parcel from Lumora has been stuck in shipping for days",
        "Wann kommt endlich meine Lieferung von Lumora? Bestellung vor zwei Wochen",
        "Lumora delivery is so slow, my order still has not arrived",
    ],
    "descaling": [
        "Wie entkalke ich die Lumora Brew richtig?",
        "How do I descale my Lumora Brew machine?",
        "Entkalken der Lumora – welches Mittel nehmt ihr?",
        "What descaler do you use for the Lumora Brew?",
        "Die Lumora zeigt dauernd Entkalken an, was tun?",
        "Descaling light on my Lumora keeps blinking, how to reset?",
    ],
    "espresso": [
        "Der Espresso aus der Lumora schmeckt fantastisch, tolle Crema",
        "Great espresso from my Lumora, the crema is amazing",
        "Lumora Brew macht den besten Espresso, den ich je zuhause hatte",
        "Best home espresso ever, thanks to the Lumora Brew",
        "Crema wie im Café, die Lumora ist super",
        "Love the rich crema my Lumora makes every morning",
    ],
}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder()


def test_german_and_english_of_one_theme_land_together(encoder: SentenceEncoder) -> None:
    texts = [t for theme in THEMES.values() for t in theme]
    themes = [name for name, theme in THEMES.items() for _ in theme]
    groups = group(encoder.encode(texts))
    assert sorted(sorted({themes[i] for i in g}) for g in groups) == [
        ["delivery"],
        ["descaling"],
        ["espresso"],
    ]
    for g in groups:
        # Each theme's group holds both languages.
        assert any(
            "Lieferung" in texts[i]
            or "Entkalken" in texts[i]
            or "Crema" in texts[i]
            or "entkalke" in texts[i]
            or "Espresso aus" in texts[i]
            for i in g
        )
        assert len(g) == 6


def test_small_or_loose_sets_make_no_group() -> None:
    rng = np.random.default_rng(1)
    assert group(normalise(rng.normal(size=(40, 16)).astype(np.float32))) == []
    assert group(normalise(np.ones((2, 4), dtype=np.float32))) == []


def test_the_encoder_reads_the_lead_without_names_links_or_handles() -> None:
    names = names_pattern(["Lumora", "Lumora Brew", "LumoraBrew", "Bean Box"])
    text = (
        "RT @jana_k: Meine Lumora Brew ist immer noch nicht da. Lumora's Support schweigt. "
        "https://example.org/x Wir trinken zu zweit etwa vier Tassen am Tag."
    )
    # Sentences are read until the lead has 40 characters; the aside at the end is not.
    assert topic_text(text, names) == "Meine ist immer noch nicht da. Support schweigt."
    # Hashtags that merely contain a name are kept; so is a name inside another word.
    assert topic_text("#lumoralatteart mit der LumoraBrew, Lumorafan", names) == (
        "#lumoralatteart mit der , Lumorafan"
    )
    # Short first sentences are read on until the lead says something.
    assert topic_text("Puh. Die Bean Box ist kaputt. Nie wieder.", names) == (
        "Puh. Die ist kaputt. Nie wieder."
    )


class KeywordEmbedder:
    """A deterministic stand-in for the encoder: one direction per theme word."""

    THEME_WORDS = ("lieferung", "entkalk", "crema")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), 8), dtype=np.float32)
        for i, text in enumerate(texts):
            low = text.lower()
            hits = [j for j, w in enumerate(self.THEME_WORDS) if w in low]
            out[i, hits[0] if hits else 7] = 1.0
            out[i, 6] = 0.2 + 0.01 * (i % 3)  # a little spread
        return normalise(out)


@pytest.fixture
async def services(db_url: str) -> Any:
    svc = await make_services(db_url, Clock())
    yield svc
    from bot.services import close_services

    await close_services(svc)


async def test_the_job_groups_counts_once_and_grows_topics(services: Any) -> None:
    counted: list[set[str]] = []

    async def on_counted(keys: set[str]) -> None:
        counted.append(keys)

    job = TopicJob(services.sessions, KeywordEmbedder(), clock=Clock(), on_counted=on_counted)
    start = NOW.replace(minute=0)
    texts = (
        [f"Lumora Lieferung kommt nicht ({i})" for i in range(4)]
        + [f"Lumora Crema ist super ({i})" for i in range(3)]
        + ["Lumora Kaffeemaschine steht rum"]
    )
    await services.pipeline.ingest(raws(texts, start=start))
    result = await job.run()
    assert (result.seen, result.embedded, result.new_topics, result.grouped) == (8, 8, 2, 7)
    async with services.sessions() as session:
        topics = (await session.execute(select(Topic).order_by(col(Topic.id)))).scalars().all()
        rows = (
            (await session.execute(select(HourlyCount).where(col(HourlyCount.key).like("topic:%"))))
            .scalars()
            .all()
        )
        loose = (
            (
                await session.execute(
                    select(MentionTopic).where(col(MentionTopic.topic_id).is_(None))
                )
            )
            .scalars()
            .all()
        )
    assert [t.size for t in topics] == [4, 3]
    # Each is named by a phrase its mentions share, as written.
    assert topics[0].label.startswith("Lieferung") and topics[0].label in texts[0]
    assert topics[1].label.startswith("Crema") and topics[1].label in texts[4]
    assert sorted((r.key, r.n) for r in rows) == [
        (f"topic:{topics[0].id}", 4),
        (f"topic:{topics[1].id}", 3),
    ]
    assert len(loose) == 1 and loose[0].embedding is not None  # may still seed a topic
    assert counted == [{f"topic:{topics[0].id}", f"topic:{topics[1].id}"}]
    # A second run has nothing new; a new mention joins its topic, counted once.
    assert (await job.run()).seen == 0
    await services.pipeline.ingest(
        raws(["Lumora Lieferung wieder zu spät"], start=start, prefix="x")
    )
    assert (await job.run()).grouped == 1
    async with services.sessions() as session:
        n = (
            await session.execute(
                select(col(HourlyCount.n)).where(col(HourlyCount.key) == f"topic:{topics[0].id}")
            )
        ).scalar_one()
    assert n == 5


async def test_old_imports_and_near_duplicates(services: Any) -> None:
    job = TopicJob(services.sessions, KeywordEmbedder(), clock=Clock())
    start = NOW.replace(minute=0)
    await services.pipeline.ingest(
        raws([f"Lumora Lieferung kommt nicht ({i})" for i in range(3)], start=start)
    )
    await job.run()
    # A repost of the first (a near-duplicate) takes its topic without embedding it;
    # a mention from a year ago is seen but not grouped.
    await services.pipeline.ingest(
        raws(["RT @fan: Lumora Lieferung kommt nicht (0)"], start=start, prefix="r")
        + raws(["Lumora Lieferung 2025"], start=start - dt.timedelta(days=365), prefix="o")
    )
    result = await job.run()
    assert (result.seen, result.embedded, result.grouped) == (2, 0, 1)
