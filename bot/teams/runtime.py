"""The Teams adapter's parts for one process, and the work it finishes after a turn."""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from botbuilder.schema import ConversationReference

from bot.file_links import FileLinks
from bot.responder import Responder
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
    """Services, the SDK adapter, authentication, and the responder (bot/responder.py) that
    dispatches the turns' requests and runs the work that finishes after a turn."""

    services: Services
    adapter: HorchAdapter
    authenticator: Authenticator
    connector: ConnectorApi
    app_id: str
    # Download links for the files of a reply (bot.file_links); None: no links.
    links: FileLinks | None = None
    responder: Responder = field(init=False)

    def __post_init__(self) -> None:
        self.responder = Responder(self.services, "teams", deadline=DEFAULT_DEADLINE)

    @property
    def authenticated(self) -> bool:
        return bool(self.app_id)

    def track(self, work: Coroutine[Any, Any, None], what: str) -> None:
        """Run work after the turn; failures are logged, never lost silently."""
        # Unbounded: the turn already dispatched it; only its delivery is left.
        self.responder.spawn(work, what, bounded=False)

    async def drain(self) -> None:
        """Wait until the work started by earlier turns is done (tests, shutdown)."""
        await self.responder.drain(timeout=None)

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
        await self.responder.drain(timeout=grace)
        await self.connector.close()
