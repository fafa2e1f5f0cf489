"""The console session in-process, with prompt_toolkit's pipe input: a post that arrives
from the background while a line is half typed is printed above the prompt, and the line
goes on to be answered whole."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output.plain_text import PlainTextOutput

from bot.console.notifier import ConsoleNotifier
from bot.console.session import repl
from core.reply import Reply


@pytest.mark.storage
async def test_a_background_post_lands_above_the_line_being_typed(
    services: Any, tmp_path: Any
) -> None:
    services.settings.console_history = tmp_path / "history"
    notifier = ConsoleNotifier(zone="UTC", locale="en", echo=True)
    stop = asyncio.Event()
    screen = io.StringIO()
    with (
        create_pipe_input() as pipe,
        create_app_session(input=pipe, output=PlainTextOutput(screen)),
    ):
        session = asyncio.create_task(repl(services.registry, services, "en", stop))
        await asyncio.sleep(0.5)
        pipe.send_text("watch li")  # half a line …
        await asyncio.sleep(0.2)
        await notifier.post(
            channel_id="console", reply=Reply(title="Alert", sections=["Delivery complaints x4"])
        )
        pipe.send_text("st\r")  # … and the rest of it
        for _ in range(100):
            if "Watchlist" in screen.getvalue() or session.done():
                break
            await asyncio.sleep(0.1)
        pipe.send_text("\x04")  # Ctrl-D
        await asyncio.wait_for(session, 10)
    out = screen.getvalue()
    # The post came out while the line was being typed; the line was answered whole.
    assert "Delivery complaints x4" in out and "Watchlist" in out
    assert out.index("Delivery complaints x4") < out.index("Watchlist")
    assert stop.is_set()
    assert (tmp_path / "history").read_text(encoding="utf-8").count("+watch list") == 1
    assert "Bye." in out
