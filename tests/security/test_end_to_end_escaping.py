"""Hostile mentions, arriving through the webhook, shown by `mentions` in Slack (as posted
to the fake Web API) and in Teams (the card in the HTTP answer): every message that leaves
the bot passes the same checks as the renderers do on their own.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from sqlmodel import col

from bot.slack.render import Message
from core.models import Mention
from tests.bot.slack.harness import slash_form
from tests.bot.teams import activities as act
from tests.security.bot import dumps, whole_bot
from tests.security.hostile import HOSTILE, HOSTILE_URLS
from tests.security.render_checks import check_slack, check_teams

pytestmark = pytest.mark.e2e


def hostile_items() -> list[dict[str, Any]]:
    texts = [t for t in HOSTILE.values() if t.strip()]
    urls = [u for u in HOSTILE_URLS if u.startswith("http")]
    return [
        {
            "id": f"hostile-{n}",
            "text": f"Lumora {text[:19_000]}",
            "title": text[:1000] or None,
            "author": text[:255] or None,
            "url": urls[n % len(urls)][:2048],
            "published_at": "2026-11-20T08:00:00Z",
        }
        for n, text in enumerate(texts)
    ]


async def test_hostile_mentions_leave_the_bot_escaped(db_url: str) -> None:
    async with whole_bot(db_url) as bot:
        items = hostile_items()
        for start in range(0, len(items), 20):
            batch = dumps({"platform": "evil", "items": items[start : start + 20]})
            assert await bot.webhook_post(batch) in (200, 422)
        async with bot.services.sessions() as session:
            stored = len((await session.execute(select(col(Mention.id)))).all())
        assert stored > 30  # the hostile ones are stored (and shown), not refused

        for page in ("1", "2", "3"):
            form = slash_form(f"mentions Lumora --page {page}", response_url=bot.slack.fake.hook())
            body = urlencode(form).encode()
            assert await bot.slack_post(body, "application/x-www-form-urlencoded") == 200
        await bot.slack.settle()
        posted = [c for c in bot.slack.fake.calls if c.method in ("chat.postMessage", "hook:cmd")]
        assert len(posted) >= 3
        # The hostile items themselves were shown (escaped), not left out.
        assert any("&lt;!channel&gt;" in json.dumps(c.params) for c in posted)
        for call in posted:
            message = Message(blocks=call.params.get("blocks") or [], text=call.params["text"])
            assert check_slack(message) == [], call.params["text"][:80]

        # A link button may open only what was stored as a mention's URL.
        async with bot.services.sessions() as session:
            allowed = set((await session.execute(select(col(Mention.url)))).scalars())
        for page in ("1", "2", "3"):
            activity = act.personal_message(f"mentions Lumora --page {page}", bot.connector.url)
            response = await bot.slack.client.post(
                "/api/messages", json=act.expect_replies(activity)
            )
            assert response.status == 200
            [reply] = (await response.json())["activities"]
            card = reply["attachments"][0]["content"]
            assert check_teams(card, allowed_urls=allowed) == []
