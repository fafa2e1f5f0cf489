"""`mentions` on a database of 1,000,000 mentions: median and p95 of the whole command.

Builds (once, cached under var/bench/) a SQLite database of synthetic mentions over 30 days,
then runs `mentions Lieferung --since 7d` and other searches through the real dispatch.
With `--postgres URL` it does the same on PostgreSQL (a database it creates and drops).

    python -m bench.bench_mentions [--rows 1000000] [--repeat 50] [--postgres postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sqlite3
import time
from pathlib import Path

from bench.common import MENTION_COLUMNS, machine, stats, synthetic_rows, time_async
from config.settings import Settings
from core import db as coredb

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "mentions Lieferung --since 7d",
    "mentions",
    "mentions espresso --lang en",
    "mentions Kaffeeko --sentiment negative --since 24h",
    'mentions "Lumora Mill" Garantie',
]


def build_sqlite(path: Path, rows: int, end: dt.datetime) -> None:
    """Fill a migrated SQLite file with `rows` mentions (FTS kept by the triggers)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    marks = ", ".join("?" * len(MENTION_COLUMNS.split(",")))
    sql = f"INSERT INTO mention ({MENTION_COLUMNS}) VALUES ({marks})"
    chunk = 50_000
    for start in range(0, rows, chunk):
        conn.executemany(
            sql,
            synthetic_rows(min(chunk, rows - start), end=end, days=30, start_id=start, total=rows),
        )
        conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()


async def build_postgres(url: str, rows: int, end: dt.datetime) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("+asyncpg", ""))
    cols = [c.strip() for c in MENTION_COLUMNS.split(",")]
    chunk = 50_000
    for start in range(0, rows, chunk):
        records = synthetic_rows(
            min(chunk, rows - start), end=end, days=30, start_id=start, total=rows
        )
        await conn.copy_records_to_table("mention", records=records, columns=cols)
    await conn.execute("ANALYZE mention")
    await conn.close()


async def measure(url: str, repeat: int) -> dict[str, dict[str, float]]:
    from bot.console.chat import parse_line
    from bot.services import build_services, close_services
    from handlers.dispatch import dispatch

    services = await build_services(Settings.for_tests(database_url=url))
    registry = services.registry
    out = {}
    try:
        for query in QUERIES:

            async def run(q: str = query) -> None:
                reply = await dispatch(registry, services, parse_line(q, "de"))
                assert not reply.error, reply.sections

            out[query] = stats(await time_async(run, repeat))
    finally:
        await close_services(services)
    return out


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL server (admin URL)")
    args = parser.parse_args()
    end = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    cache = ROOT / "var" / "bench" / f"mentions-{args.rows}.db"
    cache.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{cache}"
    if not cache.exists():
        started = time.perf_counter()
        await coredb.upgrade(url)
        build_sqlite(cache, args.rows, end)
        print(f"built {args.rows:,} mentions in {time.perf_counter() - started:.0f} s → {cache}")
    print(f"machine: {machine()}")
    results = {"sqlite": await measure(url, args.repeat)}
    if args.postgres:
        import asyncpg

        admin = args.postgres
        name = "horch_bench_mentions"
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        pg = admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
        await coredb.upgrade(pg)
        await build_postgres(pg, args.rows, end)
        results["postgresql"] = await measure(pg, args.repeat)
    for backend, figures in results.items():
        for query, s in figures.items():
            print(
                f"{backend:10s} {query:55s} median {s['median_ms']:7.1f} ms  "
                f"p95 {s['p95_ms']:7.1f} ms  (n={s['n']}, rows={args.rows:,}; target: median < 100 ms)"
            )
    print(json.dumps(results))


if __name__ == "__main__":
    asyncio.run(main())
