"""Files in Slack: a report asked for with /horch is uploaded into the channel the way Slack
wants it now (files.getUploadURLExternal, the bytes to the upload URL,
files.completeUploadExternal), and a refused upload is said in the channel."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.bot.slack.harness import running_bot

pytestmark = pytest.mark.e2e


async def test_a_report_is_uploaded_as_a_pdf_into_the_channel(db_url: str, tmp_path: Path) -> None:
    async with running_bot(db_url, files_dir=tmp_path) as bot:
        response = await bot.command("report 7d")
        assert response.status == 200
        done = await bot.fake.wait_for(
            lambda: bot.fake.of("files.completeUploadExternal"), timeout=60
        )
        params = done[0].params
        assert params["channel_id"] == "C111"
        (entry,) = (
            json.loads(params["files"]) if isinstance(params["files"], str) else params["files"]
        )
        asked = bot.fake.upload_requests[entry["id"]]
        # The workspace speaks German: "bericht-7d-<date>-<random>.pdf"
        assert re.fullmatch(r"bericht-7d-[0-9]{8}-[0-9]{4}-[0-9a-f]{8}\.pdf", asked["filename"])
        body = bot.fake.uploads[entry["id"]]
        assert body[:5] == b"%PDF-" and len(body) == asked["length"]
        (written,) = tmp_path.glob("bericht-7d-*.pdf")
        assert written.read_bytes() == body
        # The message with the summary came first; the file follows it.
        posts = bot.fake.of("chat.postMessage")
        assert posts and "PDF" in str(posts[0].params)


async def test_a_refused_upload_is_said_in_the_channel(db_url: str, tmp_path: Path) -> None:
    async with running_bot(db_url, files_dir=tmp_path) as bot:
        bot.fake.fail("files.getUploadURLExternal", error="missing_scope")
        await bot.command("report 7d")
        posts = await bot.fake.wait_for(
            lambda: [p for p in bot.fake.of("chat.postMessage") if "files:write" in str(p.params)],
            timeout=60,
        )
        assert "missing_scope" in str(posts[0].params)
        assert bot.fake.of("files.completeUploadExternal") == []


async def test_the_notifier_uploads_the_files_of_a_scheduled_post(
    db_url: str, tmp_path: Path
) -> None:
    from core.reply import File, Reply

    async with running_bot(db_url, files_dir=tmp_path) as bot:
        notifier = bot.services.notifiers["slack"]
        pdf = File(name="bericht.pdf", mime="application/pdf", data=b"%PDF-1.7 weekly")
        ts = await notifier.post(channel_id="CWEEK", reply=Reply(title="Bericht", files=[pdf]))
        (done,) = bot.fake.of("files.completeUploadExternal")
        assert done.params["channel_id"] == "CWEEK" and ts
        (entry,) = json.loads(done.params["files"])
        assert bot.fake.uploads[entry["id"]] == b"%PDF-1.7 weekly"
