"""The CLI as a user runs it: `python -m bot chat --once …`, help, usage errors, `run`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from core.clock import utcnow
from core.db import make_engine, make_sessionmaker
from core.pipeline import Pipeline
from core.raw import RawMention
from tests.e2e.cli import bot_env, run_bot
from tests.fakes import RuleAnalyzer


def _seed(db_url: str) -> None:
    async def go() -> None:
        engine = make_engine(db_url)
        pipeline = Pipeline(make_sessionmaker(engine), clock=utcnow, analyzer=RuleAnalyzer())
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        await pipeline.ingest(
            [
                RawMention(
                    "demo-forum",
                    "1",
                    "Die Lieferung ist nicht angekommen, Lumora!",
                    now - dt.timedelta(hours=2),
                    url="https://forum.example/1",
                    author="Anna",
                ),
                RawMention(
                    "demo-news",
                    "2",
                    "Delivery of the Lumora Brew was great",
                    now - dt.timedelta(days=1),
                    url="https://news.example/2",
                    author="Ben",
                ),
            ]
        )
        await engine.dispose()

    asyncio.run(go())


def test_chat_once_in_german_and_english(db_url: str, tmp_path: Path) -> None:
    _seed(db_url)
    de = run_bot(
        ["chat", "--once", "mentions Lieferung --since 7d", "--locale", "de"],
        db_url=db_url,
        cwd=tmp_path,
    )
    assert de.returncode == 0, de.stderr
    assert "Erwähnungen" in de.stdout and "Anna" in de.stdout and "negativ" in de.stdout
    assert "https://forum.example/1" in de.stdout
    en = run_bot(
        ["chat", "--once", "mentions delivery", "--locale", "en"], db_url=db_url, cwd=tmp_path
    )
    assert "Mentions" in en.stdout and "Ben" in en.stdout and "positive" in en.stdout


def test_chat_once_language_and_help(db_url: str, tmp_path: Path) -> None:
    out = run_bot(["chat", "--once", "language de"], db_url=db_url, cwd=tmp_path)
    assert "Ab jetzt spreche ich Deutsch mit dir." in out.stdout
    out = run_bot(["chat", "--once", "help"], db_url=db_url, cwd=tmp_path)
    assert "Horchposten – Befehle" in out.stdout and "/horch mentions" in out.stdout
    out = run_bot(["chat", "--once", "language en"], db_url=db_url, cwd=tmp_path)
    out = run_bot(["chat", "--once", "help"], db_url=db_url, cwd=tmp_path)
    assert "Horchposten — commands" in out.stdout


def test_usage_errors_exit_2_with_one_line(db_url: str, tmp_path: Path) -> None:
    for args in (["frobnicate"], ["chat", "--locale", "fr"], ["import"], ["eval"]):
        out = run_bot(args, db_url=db_url, cwd=tmp_path)
        assert out.returncode == 2, args
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr, out.stderr


@pytest.mark.parametrize(
    "sub",
    [
        [],
        ["run"],
        ["chat"],
        ["ingest"],
        ["import"],
        ["eval", "sentiment"],
        ["eval", "intent"],
        ["eval", "trends"],
        ["db", "upgrade"],
        ["db", "reset-demo"],
        ["db", "reclassify"],
        ["teams-package"],
    ],
)
def test_every_subcommand_has_help(sub: list[str], db_url: str, tmp_path: Path) -> None:
    out = run_bot([*sub, "--help"], db_url=db_url, cwd=tmp_path)
    assert out.returncode == 0 and "usage:" in out.stdout


def test_db_reclassify_gives_stored_mentions_the_models_intents(
    db_url: str, tmp_path: Path
) -> None:
    _seed(db_url)  # the fake analyzer stored "other" for the praise
    out = run_bot(["db", "reclassify"], db_url=db_url, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "intent recomputed for 2 mentions" in out.stdout
    praise = run_bot(
        ["chat", "--once", "mentions --intent praise", "--locale", "en"],
        db_url=db_url,
        cwd=tmp_path,
    )
    assert "Delivery of the Lumora Brew was great" in praise.stdout and "Intent" in praise.stdout
    # The hourly series per intent (events, briefs) follow the new intents.
    assert asyncio.run(_count_of(db_url, "intent:praise")) == 1
    assert asyncio.run(_count_of(db_url, "intent:other")) == 0


async def _count_of(db_url: str, key: str) -> int:
    from sqlalchemy import func, select

    from core.models import HourlyCount

    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            stmt = select(func.coalesce(func.sum(HourlyCount.n), 0)).where(HourlyCount.key == key)
            return int((await session.execute(stmt)).scalar_one())
    finally:
        await engine.dispose()


def test_eval_intent_prints_the_sentiment_keys_and_per_class_f1(
    db_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "intent.tsv"
    data.write_text(
        "text\tlabel\nWo bleibt mein Paket? Seit zwei Wochen nichts.\tBeschwerde\n"
        "How do I descale the machine?\tquestion\n",
        encoding="utf-8",
    )
    out = run_bot(["eval", "intent", "--data", str(data)], db_url=db_url, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"n", "accuracy", "macro_f1", "confusion", "per_class_f1", "malformed"} <= set(result)
    assert set(result["per_class_f1"]) == {"complaint", "question", "praise", "purchase", "other"}
    assert result["n"] == 2


def test_a_wrong_workspace_value_names_file_key_and_expectation(
    db_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "ws.yaml"
    bad.write_text(
        "brand: {name: X}\nschedules: {timezone: Mars/Olympus, standup: {at: '25:00'}}\nfoo: 1\n"
    )
    out = run_bot(["chat", "--once", "help"], db_url=db_url, cwd=tmp_path, HORCH_WORKSPACE=str(bad))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert str(bad) in out.stderr
    assert "schedules.timezone: an IANA time zone" in out.stderr
    assert "schedules.standup.at: a time of day as HH:MM" in out.stderr
    assert "foo: unknown key" in out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_serves_healthz_and_metrics_and_stops_on_sigterm(db_url: str, tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "run", "--no-console"],
        cwd=tmp_path,
        env=bot_env(db_url, PORT=str(port), HOST="127.0.0.1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        body = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert '"status": "ok"' in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
            assert "horch_mentions_ingested_total" in r.read().decode()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err


def test_a_fresh_clone_without_var_answers_at_once(tmp_path: Path) -> None:
    """The first command on a new machine creates the database's folder itself."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'var' / 'nested' / 'horchposten.db'}"
    out = run_bot(["chat", "--once", "help", "--locale", "en"], db_url=db_url, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr and "mentions" in out.stdout
