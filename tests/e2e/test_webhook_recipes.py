"""The automation recipes of docs/webhook.md work: their JavaScript (n8n's Code node,
Code by Zapier) runs in Node on a sample of what the tool's trigger hands it, and what it
outputs — body, timestamp, signature — is accepted by POST /ingest/webhook of the real app
and stored under `webhook:PLATFORM`, once even when sent twice."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from config.settings import Settings
from core.models import Mention
from integrations.sources.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(shutil.which("node") is None, reason="needs Node to run the recipes"),
]
SECRET = "recipe-secret"
DOC = Path(__file__).resolve().parents[2] / "docs" / "webhook.md"
SAMPLES: dict[str, Any] = {
    "facebook": {
        "body": {
            "entry": [
                {
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "item": "comment",
                                "comment_id": "1234567890_9876543210",
                                "post_id": "1234567890_1111",
                                "parent_id": "1234567890_1111",
                                "message": "Wann kommt die Lumora Brew in Schwarz?",
                                "created_time": 1764580443,
                                "from": {"id": "42", "name": "Jana K."},
                            },
                        }
                    ]
                }
            ]
        }
    },
    "linkedin": {
        "id": "urn:li:activity:7001",
        "text": "Unsere neue Lumora Brew ist da – großartig!",
        "created": "2026-11-20T08:00:00Z",
        "url": "https://www.linkedin.com/feed/update/urn:li:activity:7001/",
        "author": "Lumora GmbH",
    },
    "xing": {
        "subject": "Neuer Beitrag: Lumora Kaffeemaschine im Büro",
        "text": "Wir haben jetzt die Lumora Brew im Büro – die Lieferung kam pünktlich.",
        "date": "2026-11-28T10:00:00+01:00",
        "messageId": "<abc123@mail.xing.example>",
    },
}


def recipes() -> dict[str, str]:
    """The JavaScript blocks of the doc, by the platform their body names."""
    out = {}
    for code in re.findall(r"```javascript\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S):
        platform = re.search(r"platform: '(\w+)'", code)
        assert platform, code
        out[platform.group(1)] = code
    return out


def run_recipe(platform: str, code: str) -> dict[str, str]:
    sample = json.dumps(SAMPLES[platform])
    # Node has its own clock; the bot's is the test process's (moved ahead under
    # `make pytest-ahead`), so the recipe signs with the time the bot will check against.
    clock = f"Date.now = () => {int(time.time() * 1000)};\n"
    if "inputData" in code:  # Code by Zapier: inputData in, `output` out
        script = (
            clock
            + f"let output; const inputData = {sample};\n"
            + code.replace("'YOUR_SECRET'", json.dumps(SECRET))
            + "\nconsole.log(JSON.stringify(output));"
        )
    else:  # n8n's Code node: $json and $env in, { json } out
        script = (
            clock
            + f"const $json = {sample}; const $env = {{HORCH_WEBHOOK_SECRET: {json.dumps(SECRET)}}};\n"
            f"const result = (() => {{\n{code}\n}})();\nconsole.log(JSON.stringify(result.json));"
        )
    done = subprocess.run(["node", "-e", script], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout))


@pytest.fixture
async def app(db_url: str) -> AsyncIterator[tuple[TestClient, Any]]:
    from bot.app import build_app
    from bot.services import build_services, close_services

    services = await build_services(Settings.for_tests(database_url=db_url, webhook_secret=SECRET))
    client = TestClient(TestServer(await build_app(services)))
    await client.start_server()
    yield client, services
    await client.close()
    await close_services(services)


def test_the_doc_has_a_recipe_for_each_platform_without_an_api() -> None:
    assert set(recipes()) == {"facebook", "linkedin", "xing"}  # Instagram's is Make's, no code
    text = DOC.read_text(encoding="utf-8")
    for platform in ("LinkedIn", "Xing", "Facebook", "Instagram"):
        assert f"### {platform}" in text


@pytest.mark.parametrize("platform", ["facebook", "linkedin", "xing"])
async def test_each_recipe_is_accepted_and_stored_once(
    platform: str, app: tuple[TestClient, Any]
) -> None:
    client, services = app
    out = run_recipe(platform, recipes()[platform])
    headers = {
        "Content-Type": "application/json",
        TIMESTAMP_HEADER: out["ts"],
        SIGNATURE_HEADER: f"sha256={out['sig']}",
    }
    for expected_new in (1, 0):  # the tool runs twice: stored once
        resp = await client.post("/ingest/webhook", data=out["body"].encode(), headers=headers)
        assert resp.status == 200, await resp.text()
        assert (await resp.json())["new"] == expected_new
    async with services.sessions() as session:
        rows = (await session.execute(select(Mention))).scalars().all()
    [mention] = rows
    assert mention.source == f"webhook:{platform}"
    assert "Lumora" in mention.text
