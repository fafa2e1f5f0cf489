"""Generated mentions for the ingest and import benchmarks: German and English posts about
the demo brand, with HTML, links, hashtags, reposts (near-duplicates), repeated ids
(duplicates) and feed entries that match nothing (dropped). Deterministic per seed, and
generated lazily so that the benchmark's memory is the pipeline's, not the generator's.

Lengths follow social posts: most are short (a median of about 110 characters, like
tweets and Bluesky posts), one in seven is a long forum or news snippet (40–70 words).
The benchmarks print the length distribution they ran on, since the sentence encoder's
cost grows with the length of a text.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from bench.common import BRANDS, WORDS_DE, WORDS_EN

SOURCES = ("bench-mastodon", "bench-bluesky", "bench-reddit", "bench-news", "bench-hn")
TAGS = ("#lumora", "#kaffeeliebe", "#coffeetime", "#baristaathome", "#espresso", "#montag")
OPENERS_DE = ("Meine", "Die neue", "Endlich die", "Schon wieder die", "Heute kam die")
OPENERS_EN = ("My", "The new", "Finally the", "Again the", "Today the")
TAILS_DE = ("ist super!", "ist kaputt.", "macht tollen Espresso.", "Lieferung dauert ewig.", "")
TAILS_EN = ("is great!", "is broken.", "makes lovely espresso.", "delivery takes forever.", "")


def generated(
    n: int, *, seed: int = 11, end: dt.datetime | None = None
) -> Iterator[dict[str, Any]]:
    """n mention records (dicts with the import field names), newest within 7 days of `end`."""
    rnd = random.Random(seed)
    end = end or dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
    recent: list[str] = []
    for i in range(n):
        german = rnd.random() < 0.55
        words, openers, tails = (
            (WORDS_DE, OPENERS_DE, TAILS_DE) if german else (WORDS_EN, OPENERS_EN, TAILS_EN)
        )
        length = rnd.randint(40, 70) if rnd.random() < 1 / 7 else rnd.randint(4, 14)
        body = " ".join(rnd.choice(words) for _ in range(length))
        text = f"{rnd.choice(openers)} {rnd.choice(BRANDS)} {body} {rnd.choice(tails)}"
        roll = rnd.random()
        if roll < 0.25:
            text = f"<p>{text}</p><p><a href='https://lumora.example/p/{i}'>mehr</a></p>"
        elif roll < 0.45:
            text += f" https://lumora.example/p/{i}"
        if rnd.random() < 0.4:
            text += " " + " ".join(rnd.sample(TAGS, rnd.randint(1, 3)))
        if recent and rnd.random() < 0.05:  # a repost of an earlier post: a near-duplicate
            text = f"RT @fan{i % 97}: {rnd.choice(recent)}"
        elif rnd.random() < 0.02:
            recent.append(text)
            del recent[:-50]
        ident = f"g{i}" if rnd.random() > 0.02 else f"g{rnd.randrange(max(i, 1))}"
        feed = rnd.random() < 0.05
        if feed:  # a whole-site feed entry that matches nothing: dropped
            text = " ".join(rnd.choice(words) for _ in range(20))
        published = end - dt.timedelta(seconds=rnd.random() * 7 * 86_400)
        yield {
            "source": SOURCES[int(ident[1:]) % len(SOURCES)],
            "id": ident,
            "text": text,
            "title": None,
            "url": f"https://bench.invalid/{ident}",
            "author": f"Author {i % 5000}",
            "author_handle": f"@author{i % 5000}",
            "published_at": published,
            "likes": rnd.randint(0, 200),
            "reposts": rnd.randint(0, 20),
            "replies": rnd.randint(0, 10),
            "followers": rnd.randint(0, 10_000),
            "keep_unmatched": not feed,
        }
