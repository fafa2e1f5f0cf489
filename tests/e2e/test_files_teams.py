"""Files in Teams: a report asked for in a channel comes as a card with a Download button;
its link is signed and expires, and the bot's own app serves the PDF behind it — and
answers 403 to a changed link, 410 to an expired one, 404 to a file no longer kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from bot.file_links import FILE_LINKS, FileLinks
from core.reply import File
from tests.bot.teams import activities as act
from tests.bot.teams.harness import running_bot

pytestmark = pytest.mark.e2e
PUBLIC = "https://horch.example.com"


def buttons(card: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.OpenUrl":
                out.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return out


async def test_a_report_comes_with_a_signed_download_link_the_bot_serves(
    db_url: str, tmp_path: Path
) -> None:
    async with running_bot(
        db_url, files_dir=tmp_path, public_url=PUBLIC, files_secret="s3cret"
    ) as bot:
        response = await bot.post(act.channel_message("report 7d", bot.fake.url))
        assert response.status == 200
        await bot.settle()
        cards = [c.card for c in bot.fake.calls if c.card is not None]
        links = [b for card in cards for b in buttons(card) if "/files/" in b["url"]]
        assert len(links) == 1, cards
        url = links[0]["url"]
        parts = urlsplit(url)
        assert url.startswith(f"{PUBLIC}/files/bericht-7d-") and parts.path.endswith(".pdf")
        assert "herunterladen" in links[0]["title"]  # the workspace speaks German
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        local = f"{parts.path}?{parts.query}"

        got = await bot.client.get(local)
        assert got.status == 200 and got.headers["Content-Type"] == "application/pdf"
        assert "attachment" in got.headers["Content-Disposition"]
        body = await got.read()
        assert body[:5] == b"%PDF-" and body == (tmp_path / Path(parts.path).name).read_bytes()

        forged = local.replace(query["sig"], "0" * 64)
        assert (await bot.client.get(forged)).status == 403
        longer = local.replace(f"exp={query['exp']}", f"exp={int(query['exp']) + 3600}")
        assert (await bot.client.get(longer)).status == 403
        assert (await bot.client.get(parts.path)).status == 403  # unsigned
        other = local.replace("bericht-7d-", "bericht-30d-")
        assert (await bot.client.get(other)).status == 403

        links_maker: FileLinks = bot.client.app[FILE_LINKS]
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=73)
        links_maker.clock = lambda: later
        assert (await bot.client.get(local)).status == 410


async def test_a_file_that_is_gone_is_404_and_paths_are_never_served(tmp_path: Path) -> None:
    now = dt.datetime(2026, 12, 7, 9, 0)
    links = FileLinks(
        folder=tmp_path, base_url=PUBLIC, secret=b"k", ttl=dt.timedelta(hours=1), clock=lambda: now
    )
    inside = tmp_path / "export-1.csv"
    inside.write_text("text\n")
    url = links.url(File(name="export-1.csv", mime="text/csv", path=inside))
    assert url is not None
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert links.check("export-1.csv", query["exp"], query["sig"]) == 200
    # A file outside the folder gets no link; a name with a path is refused before the HMAC.
    outside = tmp_path.parent / "secret.txt"
    assert links.url(File(name="secret.txt", mime="text/plain", path=outside)) is None
    assert links.check("../secret.txt", query["exp"], query["sig"]) == 403
    assert links.check("export-1.csv", "-1", query["sig"]) == 403
    # Without a public address there is no link (the card says where the file lies).
    bare = FileLinks(folder=tmp_path, base_url="", secret=b"k", ttl=dt.timedelta(hours=1))
    assert bare.url(File(name="export-1.csv", mime="text/csv", path=inside)) is None


async def test_without_a_public_address_the_card_says_where_the_file_is(
    db_url: str, tmp_path: Path
) -> None:
    async with running_bot(db_url, files_dir=tmp_path) as bot:
        await bot.post(act.channel_message("report 7d", bot.fake.url))
        await bot.settle()
        cards = [c.card for c in bot.fake.calls if c.card is not None]
        assert not [b for card in cards for b in buttons(card) if "/files/" in b["url"]]
        assert "keine öffentliche Adresse für einen Download-Link" in str(cards)
