"""The bot's own bearer token for calls to the Bot Connector.

The SDK creates fresh credentials (and with them a fresh MSAL client and token cache) for
every turn; kept per app id, scope and authority here, the token is fetched once and then
renewed by MSAL when it nears expiry. MSAL is blocking, so it runs in a worker thread.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

ANONYMOUS_SKILL_APP_ID = "AnonymousSkill"


class Credentials(Protocol):
    microsoft_app_id: str | None

    def get_access_token(self, force_refresh: bool = False) -> str: ...


class TokenSource:
    """`Authorization` header values for the credentials of a turn."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str, str], Credentials] = {}

    async def authorization(self, credentials: Any) -> str | None:
        """`Bearer …`, or None when the bot runs without an app id (the Emulator)."""
        app_id = getattr(credentials, "microsoft_app_id", None) if credentials else None
        if not app_id or app_id == ANONYMOUS_SKILL_APP_ID:
            return None
        key = (
            str(app_id),
            str(getattr(credentials, "oauth_scope", "")),
            str(getattr(credentials, "oauth_endpoint", "")),
        )
        kept = self._kept.setdefault(key, credentials)
        token = await asyncio.to_thread(kept.get_access_token)
        return f"Bearer {token}"
