"""A local RSS feed that grows while a test runs, and misbehaves on request.

It speaks plain RSS 2.0 over HTTP on 127.0.0.1, as a blog or an alert feed does. `grow(n)`
publishes n more items (each mentions the brand, so the watchlist keeps it); the feed
shows the newest `window`. `mode` makes it misbehave: `slow` answers after `delay`
seconds, `hang` never answers, `flap` fails every other request with 503, `garbage`
answers 200 with bytes that are no feed, `error` answers 503.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from email.utils import format_datetime
from typing import Literal
from xml.sax.saxutils import escape

from aiohttp import web

Mode = Literal["ok", "slow", "hang", "flap", "garbage", "error"]
GARBAGE = b"\x89PNG\r\n\x1a\n\x00\x00 this is not a feed <<<>>> \xff\xfe"


class FakeFeed:
    """One feed at `url`; `served` counts the requests answered with the feed."""

    def __init__(self, name: str = "feed", *, window: int = 5000) -> None:
        self.name = name
        self.window = window
        self.items: list[tuple[str, str, dt.datetime]] = []
        self.mode: Mode = "ok"
        self.delay = 0.0
        self.requests = 0
        self.served = 0
        self._flip = False
        self._unhang = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.name}.xml"

    def grow(self, n: int, *, text: str = "Lumora Brew macht heute guten Kaffee") -> None:
        """Publish n more items with unique ids."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        start = len(self.items)
        for i in range(start, start + n):
            self.items.append((f"{self.name}-{i}", f"{text} ({self.name} {i})", now))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get(f"/{self.name}.xml", self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def set_mode(self, mode: Mode, *, delay: float = 0.0) -> None:
        """Behave like this from the next request on (a hanging request is let go)."""
        self.mode, self.delay = mode, delay
        if mode != "hang":
            self._unhang.set()
            self._unhang = asyncio.Event()

    async def stop(self) -> None:
        self._unhang.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _feed(self, _request: web.Request) -> web.StreamResponse:
        self.requests += 1
        mode = self.mode
        if mode == "hang":
            await self._unhang.wait()
            return web.Response(status=503, text="gave up")
        if mode == "slow":
            await asyncio.sleep(self.delay)
        if mode == "error" or (mode == "flap" and self._toggle()):
            return web.Response(status=503, text="upstream unavailable")
        if mode == "garbage":
            return web.Response(body=GARBAGE, content_type="application/rss+xml")
        self.served += 1
        return web.Response(body=self.body(), content_type="application/rss+xml")

    def _toggle(self) -> bool:
        self._flip = not self._flip
        return self._flip

    def body(self) -> bytes:
        entries = "".join(
            "<item>"
            f'<guid isPermaLink="false">{escape(guid)}</guid>'
            f"<title>{escape(text[:60])}</title>"
            f"<link>https://blog.example/{escape(guid)}</link>"
            f"<description>{escape(text)}</description>"
            f"<pubDate>{format_datetime(at)}</pubDate>"
            "</item>"
            for guid, text, at in self.items[-self.window :]
        )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{self.name}</title><link>https://blog.example/</link>"
            f"<description>test feed</description>{entries}</channel></rss>"
        ).encode()
