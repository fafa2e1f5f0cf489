"""Helpers shared by the benchmarks: timing statistics and a fast synthetic mention table."""

from __future__ import annotations

import datetime as dt
import platform
import random
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

WORDS_DE = (
    "die der und ist nicht Kaffee Maschine heute wieder super schnell langsam Bohnen Mühle "
    "Espresso Milchschaum Service Kundendienst Preis teuer günstig Garantie Wasser Tank Filter "
    "Lieferung Paket Bestellung warten Rücksendung Siebträger Entkalken Geschmack Crema"
).split()
WORDS_EN = (
    "the and is not coffee machine today again great fast slow beans grinder espresso milk "
    "foam support service price expensive cheap warranty water tank filter delivery parcel "
    "order waiting return portafilter descaling taste crema"
).split()
BRANDS = ("Lumora", "Lumora Brew", "Lumora Mill", "Kaffeeko", "BeanBox")
SOURCES = ("demo-mastodon", "demo-news", "demo-reddit", "demo-bluesky", "demo-forum", "demo-hn")


def machine() -> str:
    return f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}"


def stats(samples: list[float]) -> dict[str, float]:
    """Median, p95, p99, min, max of samples in milliseconds."""
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))] * 1000

    return {
        "median_ms": statistics.median(ordered) * 1000,
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "min_ms": ordered[0] * 1000,
        "max_ms": ordered[-1] * 1000,
        "n": len(ordered),
    }


async def time_async(fn: Callable[[], Awaitable[Any]], repeat: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        await fn()
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - start)
    return out


def synthetic_rows(
    n: int,
    *,
    end: dt.datetime,
    days: int,
    seed: int = 7,
    start_id: int = 0,
    total: int | None = None,
) -> list[tuple[Any, ...]]:
    """Rows for the mention table (the columns of `MENTION_COLUMNS`), spread over `days`.

    Rows come in publication order with up to ten minutes of jitter, as a live stream does
    (ids grow with ingest time); `total` tells where in the whole stream this chunk lies.
    """
    rnd = random.Random(seed + start_id)
    span = days * 86_400
    total = total or (start_id + n)
    rows = []
    for i in range(start_id, start_id + n):
        german = rnd.random() < 0.6
        words = WORDS_DE if german else WORDS_EN
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(8, 24)))
        text = f"{rnd.choice(BRANDS)} {text}"
        offset = span * (1 - i / total) + rnd.random() * 600
        published = end - dt.timedelta(seconds=offset)
        sentiment = rnd.choice(("negative", "neutral", "neutral", "positive"))
        source = rnd.choice(SOURCES)
        rows.append(
            (
                source,
                "mastodon",
                f"b{i}",
                f"https://bench.invalid/{i}",
                f"author{i % 5000}",
                None,
                None,
                text,
                "de" if german else "en",
                sentiment,
                0.0,
                "other",
                published,
                published,
                "lumora",
                "",
                rnd.randint(0, 50),
                0,
                0,
                rnd.randint(0, 5000),
                None,
                None,
                None,
                f"{i:016x}",
                True,
            )
        )
    return rows


MENTION_COLUMNS = (
    "source, source_type, external_id, url, author, author_handle, title, text, language, "
    "sentiment, sentiment_score, intent, published_at, fetched_at, matched_terms, hashtags, "
    "likes, reposts, replies, reach, reply_to, thread_id, dup_of, content_hash, synthetic"
)
