"""The Teams adapter's parts for one process, and the work it finishes after a turn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from botbuilder.schema import ConversationReference

from bot.file_links import FileLinks
from bot.patience import Patience
from bot.teams.adapter import HorchAdapter
from bot.teams.auth import Authenticator
from bot.teams.connector import ConnectorApi
from bot.teams.proactive import deliver
from bot.teams.render import Card
from handlers.context import Services

log = logging.getLogger(__name__)
# Longer than this, and a turn is answered "working on it" and the result posted later
# (Teams waits about 15 s for the HTTP answer; posting the reply takes time as well).
DEFAULT_DEADLINE = 4.0


@dataclass
class TeamsRuntime:
    """Services, the SDK adapter, authentication, and the tasks that run after turns."""

    services: Services
    adapter: HorchAdapter
    authenticator: Authenticator
    connector: ConnectorApi
    app_id: str
    deadline: float = DEFAULT_DEADLINE
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    # How long an answer the Bot Connector refuses is tried again (bot.patience).
    patience: Patience = field(default_factory=Patience)
    # Download links for the files of a reply (bot.file_links); None: no links.
    links: FileLinks | None = None

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    def track(self, work: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        """Run work after the turn; failures are logged, never lost silently."""

        async def logged() -> None:
            try:
                await work
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Teams: %s failed", what)

        task = asyncio.create_task(logged(), name=f"teams: {what}")
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def drain(self) -> None:
        """Wait until the work started by earlier turns is done (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    async def deliver(
        self,
        reference: ConversationReference,
        card: Card,
        *,
        update_id: str | None = None,
        new_thread: bool = False,
    ) -> str | None:
        return await deliver(
            self.adapter, self.app_id, reference, card, update_id=update_id, new_thread=new_thread
        )

    async def close(self, grace: float = 5.0) -> None:
        """Give running work a moment to finish, then stop it and close the HTTP client."""
        if self.tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.drain(), timeout=grace)
        for task in list(self.tasks):
            task.cancel()
        if self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)
        await self.connector.close()
