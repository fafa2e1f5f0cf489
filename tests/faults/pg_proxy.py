"""A TCP proxy in front of PostgreSQL that can play a server restart.

The bot connects to the proxy; `restart(down=…)` cuts every open connection (the client
sees them drop mid-query, as when the server goes away) and refuses new connections for
`down` seconds (as while it starts again), then lets connections through once more. The
real server, shared with other tests, is never touched.
"""

from __future__ import annotations

import asyncio
import contextlib


class PgProxy:
    """`url(database)` is a URL through the proxy; `dropped` counts cut connections."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5432) -> None:
        self.target = (host, port)
        self.port = 0
        self.dropped = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.Task[None]] = set()

    def url(self, database: str, driver: str = "postgresql+asyncpg") -> str:
        return f"{driver}://postgres@127.0.0.1:{self.port}/{database}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        await self._cut()

    async def restart(self, *, down: float) -> None:
        """Drop every connection and refuse new ones for `down` seconds."""
        await self.stop()
        await asyncio.sleep(down)
        await self.start()

    async def _cut(self) -> None:
        links = list(self._links)
        self.dropped += len(links)
        for task in links:
            task.cancel()
        await asyncio.gather(*links, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._links.add(task)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            self._links.discard(task)
            return
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            for w in (writer, up_writer):
                w.transport.abort()  # a hard cut, as a dying server leaves it
            self._links.discard(task)


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
