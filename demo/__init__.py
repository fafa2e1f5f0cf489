"""The synthetic demo stream (a development and demo tool, not domain logic).

`demo.generator` makes the stream from the texts in demo/data/; `seed_demo` feeds it through
the ingest pipeline (`make run` with HORCH_SEED_DEMO, bench/, tests).
"""

from demo.generator import (
    DELIVERY_SPIKE_BEFORE,
    DELIVERY_SPIKE_FACTOR,
    DEMO_NOTICE,
    DEMO_SOURCES,
    HASHTAG_RISE,
    KAFFEEKO_DROP_FACTOR,
    KAFFEEKO_DROP_SINCE,
    PLANTED_HASHTAG,
    URL_BASE,
    Ingestor,
    generate_demo,
    seed_demo,
)

__all__ = [
    "DELIVERY_SPIKE_BEFORE",
    "DELIVERY_SPIKE_FACTOR",
    "DEMO_NOTICE",
    "DEMO_SOURCES",
    "HASHTAG_RISE",
    "KAFFEEKO_DROP_FACTOR",
    "KAFFEEKO_DROP_SINCE",
    "PLANTED_HASHTAG",
    "URL_BASE",
    "Ingestor",
    "generate_demo",
    "seed_demo",
]
