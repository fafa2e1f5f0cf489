"""The channels that get alerts, each with its sensitivity and language.

A channel subscribes from chat (`alerts on`, table `subscription`, kind "alerts", settings
{"sensitivity": "low|normal|high"}) or in the workspace file (`channels.alerts`); a row in
the database decides over the file, so `alerts off` also silences a channel the file names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sqlmodel.ext.asyncio.session import AsyncSession

from config.workspace import Workspace
from core.i18n import normalize_locale
from core.storage import conversations, prefs

KIND = "alerts"
Level = Literal["low", "normal", "high"]
LEVELS: tuple[Level, ...] = ("low", "normal", "high")
DEFAULT_LEVEL: Level = "normal"


@dataclass(frozen=True)
class Target:
    platform: str
    channel_id: str
    level: str = DEFAULT_LEVEL


def level_of(settings: dict[str, Any]) -> str:
    value = str(settings.get("sensitivity", DEFAULT_LEVEL))
    return value if value in LEVELS else DEFAULT_LEVEL


def settings_of(raw: str | None) -> dict[str, Any]:
    """A subscription's JSON settings; unreadable ones count as none."""
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


async def alert_targets(session: AsyncSession, workspace: Workspace) -> list[Target]:
    """Subscribed channels, then the workspace's alert channels the database does not name."""
    subs = await conversations.subscriptions(session=session, kind=KIND, enabled_only=False)
    known = {(s.platform, s.channel_id) for s in subs}
    out = [
        Target(s.platform, s.channel_id, level_of(settings_of(s.settings)))
        for s in subs
        if s.enabled
    ]
    for ref in workspace.channels.alerts:
        if (ref.platform, ref.id) not in known:
            out.append(Target(ref.platform, ref.id))
    return out


async def channel_locale(
    session: AsyncSession, *, platform: str, channel_id: str, default: str
) -> str:
    """The language chosen for the channel (`language de` in it), else the workspace's."""
    value = await prefs.get_pref(
        session=session, platform=platform, scope="channel", subject_id=channel_id, key="locale"
    )
    return normalize_locale(value) or normalize_locale(default) or "de"
