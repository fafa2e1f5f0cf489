"""Building the sources of the workspace file, with Settings supplying the credentials.

Every entry of `workspace.sources` becomes a `SourceInfo`: a ready `Source` to poll, or the
reason it is not polled (core.source_catalog decides: switched off, credentials missing,
a push source), or the option it got wrong. Building does no I/O.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from config.settings import Settings
from config.workspace import SourceConfig, Workspace
from core.ports import Source
from core.source_catalog import Note, Status, assess
from integrations.sources.appstore import AppStoreSource
from integrations.sources.base import BaseSource, ConfigError
from integrations.sources.bluesky import BlueskySource
from integrations.sources.discourse import DiscourseSource
from integrations.sources.hackernews import HackerNewsSource
from integrations.sources.http import HttpClient
from integrations.sources.lemmy import LemmySource
from integrations.sources.mastodon import MastodonSource
from integrations.sources.reddit import RedditSource
from integrations.sources.rss import FeedSource
from integrations.sources.x import XSource
from integrations.sources.youtube import YouTubeSource

log = logging.getLogger(__name__)


@dataclass
class SourceInfo:
    """A configured source: whether it is polled and, if not, why (a sources.* message key)."""

    config: SourceConfig
    status: Status
    source: Source | None = None
    reason: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def polled(self) -> bool:
        return self.status == "ready" and self.source is not None


def load_sources(workspace: Workspace, settings: Settings, client: HttpClient) -> list[SourceInfo]:
    """Every source entry of the workspace, in file order."""
    return [_info(cfg, settings, client) for cfg in workspace.sources]


def _info(cfg: SourceConfig, settings: Settings, client: HttpClient) -> SourceInfo:
    verdict = assess(cfg, settings)
    info = SourceInfo(
        cfg, verdict.status, None, verdict.reason, dict(verdict.values), verdict.notes
    )
    if verdict.status != "ready":
        return info
    try:
        info.source = build_source(cfg, settings, client)
    except ConfigError as exc:
        log.warning("source %s is misconfigured: %s", cfg.name, exc)
        info.status, info.reason, info.values = "misconfigured", exc.key, exc.values
    return info


def build_source(cfg: SourceConfig, settings: Settings, client: HttpClient) -> BaseSource:
    """The client of one polled source; ConfigError if an option is wrong."""
    if cfg.type == "rss":
        return FeedSource(cfg, client)
    if cfg.type == "mastodon":
        return MastodonSource(cfg, client, access_token=settings.mastodon_access_token)
    if cfg.type == "bluesky":
        return BlueskySource(
            cfg, client, handle=settings.bluesky_handle, app_password=settings.bluesky_app_password
        )
    if cfg.type == "reddit":
        return RedditSource(
            cfg,
            client,
            client_id=settings.reddit_client_id,
            client_secret=settings.reddit_client_secret,
        )
    if cfg.type == "hackernews":
        return HackerNewsSource(cfg, client)
    if cfg.type == "x":
        return XSource(cfg, client, bearer_token=settings.x_bearer_token)
    if cfg.type == "discourse":
        return DiscourseSource(cfg, client)
    if cfg.type == "youtube":
        return YouTubeSource(cfg, client, api_key=settings.youtube_api_key)
    if cfg.type == "appstore":
        return AppStoreSource(cfg, client)
    if cfg.type == "lemmy":
        return LemmySource(cfg, client)
    raise ConfigError("sources.config.unknown_type", type=cfg.type)
