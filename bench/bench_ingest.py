"""100,000 generated mentions through the whole ingest pipeline on SQLite.

Prints mentions/s end to end, the rate of each stage (IngestResult.stage_seconds), peak
memory (getrusage; tracemalloc with --tracemalloc), and the ratio of the store stage to a
plain `sqlite3.executemany` of the same rows into a database of the same schema.

    python -m bench.bench_ingest [--mentions 100000] [--batch 1000] [--analyzer offline|rules]

`--analyzer offline` (the default) runs the shipped language and sentiment models, as the
bot does; `--analyzer rules` swaps in a keyword stub to show what the other stages cost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from bench.common import machine
from bench.generated import generated
from config.settings import Settings
from config.workspace import load_workspace
from core import db as coredb
from core.clock import utcnow
from core.pipeline import Analyzer, IngestResult, Pipeline
from core.raw import RawMention
from core.seed import seed_watchlist

LENGTHS: list[int] = []  # characters of each generated text (HTML and links included)
# "intent" is measured inside "sentiment" (its share of that stage), not beside it.
STAGES = (
    "normalize",
    "match",
    "dedupe",
    "language",
    "sentiment",
    "intent",
    "near_duplicates",
    "store",
)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_analyzer(kind: str) -> Analyzer:
    if kind == "rules":
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.fakes import RuleAnalyzer

        return RuleAnalyzer()
    try:
        from core.pipeline import OfflineAnalyzer

        return OfflineAnalyzer()
    except ImportError as exc:
        raise SystemExit(
            f"the offline analyzer is not available ({exc}); try --analyzer rules"
        ) from exc


def batches(n: int, size: int, lengths: list[int]) -> Any:
    batch: list[RawMention] = []
    for rec in generated(n):
        lengths.append(len(rec["text"]))
        batch.append(
            RawMention(
                source=rec["source"],
                external_id=rec["id"],
                text=rec["text"],
                published_at=rec["published_at"],
                source_type="bench",
                url=rec["url"],
                author=rec["author"],
                author_handle=rec["author_handle"],
                likes=rec["likes"],
                reposts=rec["reposts"],
                replies=rec["replies"],
                followers=rec["followers"],
                keep_unmatched=rec["keep_unmatched"],
            )
        )
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def run_pipeline(url: str, args: argparse.Namespace) -> tuple[IngestResult, float, float]:
    settings = Settings.for_tests(database_url=url)
    workspace = load_workspace(settings.workspace_path)
    engine = coredb.make_engine(url)
    sessions = coredb.make_sessionmaker(engine)
    await seed_watchlist(sessions, workspace)
    start = time.perf_counter()
    analyzer = make_analyzer(args.analyzer)
    analyzer.sentiments(["warm-up Lumora"], ["de"])  # load the models outside the timing
    analyzer.languages(["warm-up Lumora"])
    load_seconds = time.perf_counter() - start
    pipeline = Pipeline(
        sessions,
        clock=utcnow,
        analyzer=analyzer,
        languages=workspace.languages,
        exclusions=workspace.exclusions,
    )
    total = IngestResult()
    elapsed = 0.0
    for batch in batches(args.mentions, args.batch, LENGTHS):
        t0 = time.perf_counter()
        result = await pipeline.ingest(batch)
        elapsed += time.perf_counter() - t0
        result.new_ids = []
        total.merge(result)
    await engine.dispose()
    return total, elapsed, load_seconds


def plain_executemany(src: Path, dst_url: str, dst: Path, batch: int) -> tuple[float, int]:
    """The stored mention rows again, into an empty database of the same schema, with
    sqlite3.executemany, one transaction per batch as the pipeline does."""
    asyncio.run(coredb.upgrade(dst_url))
    con_src = sqlite3.connect(src)
    cols = [r[1] for r in con_src.execute("PRAGMA table_info(mention)") if r[1] != "id"]
    rows = con_src.execute(f"SELECT {', '.join(cols)} FROM mention ORDER BY id").fetchall()
    con_src.close()
    con = sqlite3.connect(dst)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    sql = f"INSERT INTO mention ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    start = time.perf_counter()
    for i in range(0, len(rows), batch):
        con.executemany(sql, rows[i : i + batch])
        con.commit()
    seconds = time.perf_counter() - start
    con.close()
    return seconds, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--analyzer", choices=["offline", "rules"], default="offline")
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations")
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start()
    with tempfile.TemporaryDirectory(prefix="horch-bench-") as tmp:
        db = Path(tmp) / "ingest.db"
        url = f"sqlite+aiosqlite:///{db}"
        asyncio.run(coredb.upgrade(url))
        rss_before = rss_mb()
        total, elapsed, load_seconds = asyncio.run(run_pipeline(url, args))
        rss_peak = rss_mb()
        traced = tracemalloc.get_traced_memory()[1] / 2**20 if args.tracemalloc else None
        batch = max(args.batch, 1)
        plain_db = Path(tmp) / "plain.db"
        plain_seconds, plain_rows = plain_executemany(
            db, f"sqlite+aiosqlite:///{plain_db}", plain_db, batch
        )
    stages = total.stage_seconds
    store = stages.get("store", 0.0)
    out: dict[str, Any] = {
        "machine": machine(),
        "analyzer": args.analyzer,
        "mentions": total.received,
        "batch": args.batch,
        "new": total.new,
        "duplicates": total.duplicates,
        "near_duplicates": total.near_duplicates,
        "dropped": total.dropped,
        "invalid": total.invalid,
        "seconds": round(elapsed, 2),
        "mentions_per_s": round(total.received / elapsed, 1),
        "model_load_s": round(load_seconds, 2),
        "stage_seconds": {s: round(stages.get(s, 0.0), 3) for s in STAGES},
        "stage_rate_per_s": {s: round(total.received / stages[s]) for s in STAGES if stages.get(s)},
        "store_s": round(store, 3),
        "plain_executemany_s": round(plain_seconds, 3),
        "plain_rows": plain_rows,
        "store_vs_executemany": round(store / plain_seconds, 2) if plain_seconds else None,
        "peak_rss_mb": round(rss_peak, 1),
        "rss_before_mb": round(rss_before, 1),
        "tracemalloc_peak_mb": round(traced, 1) if traced is not None else None,
    }
    print(f"machine: {out['machine']}")
    print(f"analyzer: {args.analyzer} (models loaded in {load_seconds:.1f} s, not timed)")
    print(
        f"texts: median {statistics.median(LENGTHS):.0f} characters, mean "
        f"{statistics.fmean(LENGTHS):.0f}, p90 {sorted(LENGTHS)[int(0.9 * len(LENGTHS))]} "
        f"(batches of {args.batch})"
    )
    print(
        f"{total.received:,} mentions in {elapsed:.1f} s: {out['mentions_per_s']:,.0f} mentions/s "
        "through the whole pipeline (target: >= 500/s)"
    )
    print(
        f"  new {total.new:,}, duplicates {total.duplicates:,}, near-duplicates "
        f"{total.near_duplicates:,}, dropped {total.dropped:,}, invalid {total.invalid:,}"
    )
    print("stage rates (mentions of the batches per second spent in the stage):")
    for stage in STAGES:
        if stages.get(stage):
            print(
                f"  {stage:16s} {total.received / stages[stage]:>10,.0f}/s  ({stages[stage]:.2f} s)"
            )
    ratio = out["store_vs_executemany"]
    print(
        f"store stage {store:.2f} s (mentions and their hourly counts) vs plain "
        f"sqlite3.executemany of the same {plain_rows:,} mention rows {plain_seconds:.2f} s: "
        f"ratio {ratio} (target: <= 2)"
    )
    traced_text = f", tracemalloc peak {traced:.0f} MB" if traced is not None else ""
    print(f"peak RSS {rss_peak:.0f} MB (before the run {rss_before:.0f} MB){traced_text}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
