"""Which of the workspace's approver user groups a Slack user belongs to.

Slack's payloads name the user, never their user groups, so the adapter asks
`usergroups.users.list` (scope `usergroups:read`) for each group the workspace file lists
under `approvers.slack_usergroups`, and keeps the member lists for a few minutes: a burst
of clicks costs one call per group, and a change in Slack reaches the bot within the TTL.

Failing closed: when Slack cannot tell (a missing scope, an unknown group, Slack down),
the user counts as in no group; a member list fetched earlier is used until it is
`STALE_SECONDS` old, so a short outage does not lock the approvers out.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
TTL_SECONDS = 300.0
STALE_SECONDS = 3600.0


@dataclass(frozen=True)
class _Members:
    users: frozenset[str]
    fetched: float


class UserGroups:
    """Member lists of Slack user groups, fetched on demand and cached for TTL_SECONDS."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        ttl: float = TTL_SECONDS,
        stale: float = STALE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.stale = stale
        self.clock = clock
        self._cache: dict[str, _Members] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def of(self, user_id: str, groups: Sequence[str]) -> tuple[str, ...]:
        """The groups among `groups` that `user_id` is a member of (ids as configured)."""
        if not groups:
            return ()
        members = await asyncio.gather(*(self._members(g) for g in groups))
        return tuple(g for g, users in zip(groups, members, strict=True) if user_id in users)

    async def _members(self, group: str) -> frozenset[str]:
        cached = self._cache.get(group)
        if cached is not None and self.clock() - cached.fetched < self.ttl:
            return cached.users
        # One fetch per group at a time: a burst of clicks waits for the same answer.
        lock = self._locks.setdefault(group, asyncio.Lock())
        async with lock:
            cached = self._cache.get(group)
            if cached is not None and self.clock() - cached.fetched < self.ttl:
                return cached.users
            try:
                users = await self._fetch(group)
            except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError, ValueError) as exc:
                return self._fallback(group, cached, exc)
            self._cache[group] = _Members(users, self.clock())
            return users

    async def _fetch(self, group: str) -> frozenset[str]:
        response = await self.client.usergroups_users_list(usergroup=group)
        users = response.get("users")
        if not isinstance(users, list):
            raise ValueError("usergroups.users.list answered without a user list")
        return frozenset(u for u in users if isinstance(u, str))

    def _fallback(self, group: str, cached: _Members | None, exc: Exception) -> frozenset[str]:
        reason = _reason(exc)
        if cached is not None and self.clock() - cached.fetched < self.stale:
            log.warning(
                "Slack user group %s: could not refresh its members (%s); using the list "
                "fetched %.0f s ago",
                group,
                reason,
                self.clock() - cached.fetched,
            )
            return cached.users
        log.warning(
            "Slack user group %s: could not read its members (%s); nobody counts as its "
            "member until Slack answers (the app needs the usergroups:read scope)",
            group,
            reason,
        )
        return frozenset()


def _reason(exc: Exception) -> str:
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return str(exc.response.get("error") or exc.response.status_code)
    return type(exc).__name__
