"""`brief 24h` on 1,000,000 mentions over 30 days, then on 3,000,000 over 90 days; and the time
from the ingest of the mention that makes a burst significant to the alert at the notifier.

The databases are built once (fast path: direct inserts of mention rows AND their hourly
counts, computed with the pipeline's own `count_keys`) and cached under var/bench/; the
tripled one is the first plus 2,000,000 older mentions, so the 24-hour window holds the same
mentions in both and only the history grows. A clock offset makes the cached data "now".

    python -m bench.bench_brief [--rows 1000000] [--repeat 30] [--trials 20]
                                [--postgres postgresql://postgres@127.0.0.1:5432/postgres | --no-postgres]

Targets (SQLite): median ≤ 300 ms, and ≤ 1.5 × that after the history triples.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import shutil
import sqlite3
import statistics
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import MENTION_COLUMNS, WORDS_DE, WORDS_EN, machine, stats
from bot.services import close_services
from config.settings import Settings
from core import db as coredb
from core.pipeline import count_keys
from core.raw import RawMention

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "horch_bench_brief"
COLUMNS = [c.strip() for c in MENTION_COLUMNS.split(",")]
# (display name in the text, canonical entity, weight): the workspace example's entities
ENTITIES = (
    ("Lumora", "lumora", 0.35),
    ("Lumora Brew", "lumora brew", 0.2),
    ("Lumora Mill", "lumora mill", 0.1),
    ("Kaffeeko", "kaffeeko", 0.22),
    ("BeanBox", "beanbox", 0.13),
)
KEYWORDS = ("kaffeemaschine", "espresso", "lieferung", "delivery", "entkalken", "siebtrager")
SOURCES = ("bench-mastodon", "bench-news", "bench-reddit", "bench-bluesky", "bench-forum")
INTENTS = ("question", "complaint", "praise", "other")
SENTIMENTS = ("negative", "neutral", "positive")
TAGS = 2000  # hashtag vocabulary, Zipf-distributed


def generate(
    n: int, *, start: dt.datetime, end: dt.datetime, seed: int, prefix: str
) -> Iterator[tuple[tuple[Any, ...], list[str], str, int, dt.datetime]]:
    """Mention rows in time order, each with its count keys, sentiment, reach and time."""
    rng = np.random.default_rng(seed)
    span = (end - start).total_seconds()
    offsets = np.sort(rng.random(n) * span)
    entity = rng.choice(len(ENTITIES), size=n, p=[e[2] for e in ENTITIES])
    keyword = np.where(rng.random(n) < 0.3, rng.integers(0, len(KEYWORDS), n), -1)
    tag_count = np.where(rng.random(n) < 0.35, rng.integers(1, 3, n), 0)
    tags = np.minimum(rng.zipf(1.3, size=(n, 2)), TAGS)
    sentiment = rng.choice(3, size=n, p=[0.25, 0.45, 0.3])
    intent = rng.choice(4, size=n, p=[0.12, 0.1, 0.15, 0.63])
    reach = np.minimum(rng.lognormal(4.0, 2.0, n).astype(np.int64), 5_000_000)
    source = rng.integers(0, len(SOURCES), n)
    pool = [
        " ".join(rng.choice(WORDS_DE if i % 5 < 3 else WORDS_EN, size=int(rng.integers(8, 24))))
        for i in range(4096)
    ]
    body = rng.integers(0, len(pool), n)
    for i in range(n):
        published = start + dt.timedelta(seconds=float(offsets[i]))
        name, canonical, _ = ENTITIES[int(entity[i])]
        terms = [canonical] + ([KEYWORDS[int(keyword[i])]] if keyword[i] >= 0 else [])
        hashtags = " ".join(dict.fromkeys(f"#tag{int(t)}" for t in tags[i][: int(tag_count[i])]))
        text = f"{name} {pool[int(body[i])]} {hashtags}".strip()
        label = SENTIMENTS[int(sentiment[i])]
        row = {
            "source": SOURCES[int(source[i])],
            "matched_terms": "|".join(terms),
            "hashtags": hashtags,
            "intent": INTENTS[int(intent[i])],  # counted per intent, as the pipeline does
        }
        yield (
            (
                row["source"],
                "bench",
                f"{prefix}{i}",
                f"https://bench.invalid/{prefix}{i}",
                f"Author {i % 20_000}",
                f"@author{i % 20_000}",
                None,
                text,
                "de" if i % 5 < 3 else "en",
                label,
                0.0,
                INTENTS[int(intent[i])],
                published,
                published,
                row["matched_terms"],
                hashtags,
                0,
                0,
                0,
                int(reach[i]),
                None,
                None,
                None,
                f"{prefix}{i:015x}"[-16:],
                True,
            ),
            count_keys(row),
            label,
            int(reach[i]),
            published,
        )


def stamp(value: dt.datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite, so direct inserts and the app agree."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _tally(
    acc: dict[tuple[dt.datetime, str], list[int]],
    keys: list[str],
    sentiment: str,
    reach: int,
    published: dt.datetime,
) -> None:
    bucket = published.replace(minute=0, second=0, microsecond=0)
    col = 1 + SENTIMENTS.index(sentiment)
    for key in keys:
        cell = acc[(bucket, key)]
        cell[0] += 1
        cell[col] += 1
        cell[4] += reach


def fill_sqlite(
    path: Path, n: int, *, start: dt.datetime, end: dt.datetime, seed: int, prefix: str
) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA cache_size=-500000")
    # The full-text index is filled in one statement after the load (five times faster than
    # its per-row trigger); the trigger is put back as the migration made it.
    (trigger,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'mention_fts_ai'"
    ).fetchone()
    (last_id,) = conn.execute("SELECT coalesce(max(id), 0) FROM mention").fetchone()
    conn.execute("DROP TRIGGER mention_fts_ai")
    marks = ", ".join("?" * len(COLUMNS))
    insert = f"INSERT INTO mention ({MENTION_COLUMNS}) VALUES ({marks})"
    acc: dict[tuple[dt.datetime, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    chunk: list[tuple[Any, ...]] = []
    at = COLUMNS.index("published_at")
    for row, keys, sentiment, reach, published in generate(
        n, start=start, end=end, seed=seed, prefix=prefix
    ):
        chunk.append((*row[:at], stamp(row[at]), stamp(row[at + 1]), *row[at + 2 :]))
        _tally(acc, keys, sentiment, reach, published)
        if len(chunk) == 50_000:
            conn.executemany(insert, chunk)
            conn.commit()
            chunk = []
    if chunk:
        conn.executemany(insert, chunk)
    conn.execute(
        "INSERT INTO mention_fts (rowid, title, text, author)"
        " SELECT id, title, text, author FROM mention WHERE id > ?",
        (last_id,),
    )
    conn.execute(trigger)
    conn.executemany(
        "INSERT INTO hourly_count (bucket, key, n, neg, neu, pos, reach) VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (bucket, key) DO UPDATE SET n = n + excluded.n, neg = neg + excluded.neg,"
        " neu = neu + excluded.neu, pos = pos + excluded.pos, reach = reach + excluded.reach",
        [(stamp(b), k, *v) for (b, k), v in acc.items()],
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.commit()
    conn.close()


async def fill_postgres(
    url: str, n: int, *, start: dt.datetime, end: dt.datetime, seed: int, prefix: str
) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        acc: dict[tuple[dt.datetime, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        # A bulk load is faster without the full-text GIN index; it is rebuilt afterwards.
        gin = await conn.fetch(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'mention' AND indexdef ILIKE '%gin%'"
        )
        for idx in gin:
            await conn.execute(f'DROP INDEX "{idx["indexname"]}"')
        chunk: list[tuple[Any, ...]] = []
        for row, keys, sentiment, reach, published in generate(
            n, start=start, end=end, seed=seed, prefix=prefix
        ):
            chunk.append(row)
            _tally(acc, keys, sentiment, reach, published)
            if len(chunk) == 50_000:
                await conn.copy_records_to_table("mention", records=chunk, columns=COLUMNS)
                chunk = []
        if chunk:
            await conn.copy_records_to_table("mention", records=chunk, columns=COLUMNS)
        for idx in gin:
            await conn.execute(idx["indexdef"])
        await conn.execute("CREATE TEMP TABLE hc_load (LIKE hourly_count)")
        await conn.copy_records_to_table(
            "hc_load",
            records=[(b, k, *v) for (b, k), v in acc.items()],
            columns=["bucket", "key", "n", "neg", "neu", "pos", "reach"],
        )
        await conn.execute(
            "INSERT INTO hourly_count SELECT * FROM hc_load ON CONFLICT (bucket, key) DO UPDATE SET"
            " n = hourly_count.n + excluded.n, neg = hourly_count.neg + excluded.neg,"
            " neu = hourly_count.neu + excluded.neu, pos = hourly_count.pos + excluded.pos,"
            " reach = hourly_count.reach + excluded.reach"
        )
        # VACUUM sets the visibility map, so the window scans can be index-only.
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def build_sqlite(rows: int, end: dt.datetime) -> tuple[Path, Path, dt.datetime]:
    """The cached databases (built when missing) and the time their data ends."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # v2: the counts include the intent keys (a cache built before them is rebuilt).
    base, tripled = CACHE / f"brief-v2-{rows}.db", CACHE / f"brief-v2-{3 * rows}.db"
    meta = CACHE / f"brief-v2-{rows}.json"
    if meta.exists() and base.exists() and tripled.exists():
        return base, tripled, dt.datetime.fromisoformat(json.loads(meta.read_text())["end"])
    month = dt.timedelta(days=30)
    for path in (base, tripled):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    began = time.perf_counter()
    await coredb.upgrade(f"sqlite+aiosqlite:///{base}")
    fill_sqlite(base, rows, start=end - month, end=end, seed=7, prefix="b")
    print(f"built {rows:,} mentions over 30 days in {time.perf_counter() - began:.0f} s → {base}")
    began = time.perf_counter()
    shutil.copyfile(base, tripled)
    fill_sqlite(tripled, 2 * rows, start=end - 3 * month, end=end - month, seed=8, prefix="c")
    print(
        f"built {3 * rows:,} mentions over 90 days in {time.perf_counter() - began:.0f} s → {tripled}"
    )
    meta.write_text(json.dumps({"end": end.isoformat()}))
    return base, tripled, end


class Recorder:
    """A Notifier that notes when each alert was handed to it."""

    platform = "console"

    def __init__(self) -> None:
        self.handed: list[float] = []
        self.event = asyncio.Event()

    async def post(
        self,
        *,
        channel_id: str,
        reply: Any,
        thread_id: str | None = None,
        locale: str | None = None,
    ) -> str | None:
        self.handed.append(time.perf_counter())
        self.event.set()
        return f"bench-{len(self.handed)}"


def analyzer() -> tuple[Any, str]:
    """The shipped offline analyzer if it loads, else a fixed stub (named in the output)."""
    try:
        from core.pipeline import OfflineAnalyzer

        found = OfflineAnalyzer()
        found.intents(["Lumora?"], ["de"])
        found.languages(["Lumora ist gut"])
        return found, "offline models"
    except Exception as exc:  # the language/intent models may not be installed yet

        class Stub:
            def languages(self, texts: list[str]) -> list[str | None]:
                return ["de" for _ in texts]

            def sentiments(
                self, texts: list[str], languages: list[str | None]
            ) -> list[tuple[str, float]]:
                return [("neutral", 0.0) for _ in texts]

            def intents(self, texts: list[str], languages: list[str | None]) -> list[str]:
                return ["other" for _ in texts]

        return Stub(), f"a stub analyzer ({type(exc).__name__}: offline models unavailable)"


# Which analyzer each open benchmark's services run (named in the output).
ANALYZER_OF: dict[int, str] = {}


async def open_services(url: str, data_end: dt.datetime) -> Any:
    """The bot's services on a benchmark database, with a clock at the data's end."""
    from bot.services import build_services

    found, which = analyzer()
    services = await build_services(Settings.for_tests(database_url=url), analyzer=found)
    offset = data_end - dt.datetime.now(dt.UTC).replace(tzinfo=None)
    services.clock = lambda: dt.datetime.now(dt.UTC).replace(tzinfo=None) + offset
    ANALYZER_OF[id(services)] = which
    return services


async def brief_timings(
    targets: dict[str, Any], repeat: int, warmup: int = 3, command: str = "brief 24h"
) -> dict[str, Any]:
    """`command` (`brief 24h`) through the real dispatch, the databases taking turns (so that
    a busy moment of the machine hits them alike)."""
    from bot.console.chat import parse_line
    from handlers.dispatch import dispatch

    async def brief(services: Any) -> None:
        reply = await dispatch(services.registry, services, parse_line(command, "en"))
        assert not reply.error and (reply.images or not command.startswith("brief")), reply.sections

    for services in targets.values():
        for _ in range(warmup):
            await brief(services)
    samples: dict[str, list[float]] = {label: [] for label in targets}
    for _ in range(repeat):
        for label, services in targets.items():
            began = time.perf_counter()
            await brief(services)
            samples[label].append(time.perf_counter() - began)
    return {label: stats(values) for label, values in samples.items()}


async def alert_latency(services: Any, trials: int) -> dict[str, Any]:
    """From the start of the ingest of the mention that makes a burst significant to the
    alert handed to the notifier: a new hashtag, nine mentions (below the minimum count),
    then the tenth."""
    from bot.alert_jobs import engine_for
    from core.db import session_scope
    from core.storage import conversations

    recorder = Recorder()
    services.notifiers["console"] = recorder
    engine = engine_for(services)
    async with session_scope(services.sessions) as session:
        await conversations.set_subscription(
            session=session,
            platform="console",
            channel_id="bench",
            kind="alerts",
            enabled=True,
            now=dt.datetime(2026, 11, 1),
        )
    latencies = []
    for trial in range(trials):
        tag = f"#benchburst{trial}x{int(time.time())}"
        now = services.clock()
        items = [
            RawMention(
                source="bench-alert",
                external_id=f"{tag}-{i}",
                text=f"Lumora {tag}: die Maschine ist heute wieder super schnell ({i})",
                published_at=now,
            )
            for i in range(10)
        ]
        await services.pipeline.ingest(items[:9])
        await engine.drain()
        handed_before = len(recorder.handed)
        recorder.event.clear()
        began = time.perf_counter()
        await services.pipeline.ingest(items[9:])
        with contextlib.suppress(TimeoutError):  # no alert within 5 s: counted as missed
            await asyncio.wait_for(recorder.event.wait(), timeout=5)
        if len(recorder.handed) > handed_before:
            latencies.append(recorder.handed[handed_before] - began)
        await engine.drain()
    return {
        "median": statistics.median(latencies) * 1000 if latencies else float("nan"),
        "max": max(latencies) * 1000 if latencies else float("nan"),
        "alerts": len(latencies),
        "trials": trials,
        "analyzer": ANALYZER_OF[id(services)],
    }


async def postgres(
    admin: str, rows: int, end: dt.datetime, repeat: int, trials: int
) -> dict[str, Any]:
    import asyncpg

    conn = await asyncpg.connect(admin)
    await conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{PG_NAME}"')
    await conn.close()
    plain = admin.rsplit("/", 1)[0] + f"/{PG_NAME}"
    url = plain.replace("postgresql://", "postgresql+asyncpg://")
    month = dt.timedelta(days=30)
    results: dict[str, Any] = {}
    try:
        await coredb.upgrade(url)
        began = time.perf_counter()
        await fill_postgres(plain, rows, start=end - month, end=end, seed=7, prefix="b")
        print(f"postgresql: built {rows:,} mentions in {time.perf_counter() - began:.0f} s")
        services = await open_services(url, end)
        results["1x"] = (await brief_timings({"1x": services}, repeat))["1x"]
        await close_services(services)
        began = time.perf_counter()
        await fill_postgres(
            plain, 2 * rows, start=end - 3 * month, end=end - month, seed=8, prefix="c"
        )
        print(
            f"postgresql: added {2 * rows:,} older mentions in {time.perf_counter() - began:.0f} s"
        )
        services = await open_services(url, end)
        results["3x"] = (await brief_timings({"3x": services}, repeat))["3x"]
        results["alerts"] = await alert_latency(services, trials)
        await close_services(services)
    finally:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        await conn.close()
    return results


def line(label: str, s: dict[str, float]) -> str:
    return f"{label:32s} median {s['median_ms']:7.1f} ms  p95 {s['p95_ms']:7.1f} ms  (n={s['n']})"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--postgres", default=PG_DEFAULT)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument(
        "--also",
        default="brief 7d,trends,trends 7d",
        help="more commands timed on the SQLite month (comma-separated; '' for none)",
    )
    args = parser.parse_args()
    end = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    base, tripled, data_end = await build_sqlite(args.rows, end)
    print(f"machine: {machine()}")

    month = await open_services(f"sqlite+aiosqlite:///{base}", data_end)
    quarter = await open_services(f"sqlite+aiosqlite:///{tripled}", data_end)
    results: dict[str, Any] = {
        "sqlite": await brief_timings({"1x": month, "3x": quarter}, args.repeat)
    }
    also = [c.strip() for c in args.also.split(",") if c.strip()]
    extra = {
        command: (await brief_timings({"1x": month}, max(5, args.repeat // 3), 1, command))["1x"]
        for command in also
    }
    await close_services(month)
    await close_services(quarter)
    # The alert trials write mentions: on a throwaway copy, so the cache stays as built.
    scratch = CACHE / "brief-alert-scratch.db"
    shutil.copyfile(base, scratch)
    try:
        services = await open_services(f"sqlite+aiosqlite:///{scratch}", data_end)
        results["sqlite"]["alerts"] = await alert_latency(services, args.trials)
        await close_services(services)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    if not args.no_postgres:
        results["postgresql"] = await postgres(
            args.postgres, args.rows, end, args.repeat, args.trials
        )
    rows = args.rows
    for backend, figures in results.items():
        one, three = figures["1x"], figures["3x"]
        print(line(f"{backend} brief 24h, {rows:,}", one))
        print(line(f"{backend} brief 24h, {3 * rows:,}", three))
        print(
            f"{backend:10s} ratio of medians 3x/1x: {three['median_ms'] / one['median_ms']:.2f} "
            "(targets on SQLite: median ≤ 300 ms, ratio ≤ 1.5)"
        )
        alert = figures.get("alerts")
        if alert:
            print(
                f"{backend:10s} ingest of the deciding mention → alert at the notifier: median "
                f"{alert['median']:.1f} ms, max {alert['max']:.1f} ms ({alert['alerts']} of "
                f"{alert['trials']} bursts alerted; {alert['analyzer']})"
            )
    for command, figures in extra.items():
        print(line(f"sqlite {command}, {rows:,}", figures))
    results["sqlite_also"] = extra
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    asyncio.run(main())
