"""What each kind of source needs and what it does not cover, without talking to it.

The poller (integrations.sources.registry) and the `sources` command both read this, so
they agree on which sources run, which are off and why, and which platforms no source
reaches. Message keys belong to the sources locale family.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from config.settings import Settings
from config.workspace import SourceConfig, Workspace

Status = Literal["ready", "push", "disabled", "off", "misconfigured"]
PUSH_TYPES = frozenset({"webhook", "files"})
DEFAULT_MAX_PAGES = 5
X_PAGE_SIZE = 100
# Platforms without an open API for listening: only the webhook and file imports reach them.
UNCOVERED = ("LinkedIn", "Xing", "Facebook", "Instagram")
Note = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Assessment:
    """Whether a source can run, the reason if not (a message key and values), and notes."""

    status: Status
    reason: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()


def assess(cfg: SourceConfig, settings: Settings) -> Assessment:
    """The state a source entry is in before any poll: ready, push, disabled, off, misconfigured."""
    if not cfg.enabled:
        return Assessment("disabled")
    if cfg.type in PUSH_TYPES:
        if cfg.type == "webhook" and not settings.webhook_secret:
            return Assessment("off", "sources.off.webhook_secret")
        return Assessment("push")
    missing = _missing(cfg)
    if missing:
        return Assessment("misconfigured", "sources.config.needs", {"key": missing})
    bad = bad_option(cfg)
    if bad is not None:
        return Assessment("misconfigured", bad[0], bad[1])
    if cfg.type == "reddit" and not (settings.reddit_client_id and settings.reddit_client_secret):
        return Assessment("off", "sources.off.reddit_credentials")
    if cfg.type == "x" and not settings.x_bearer_token:
        return Assessment("off", "sources.off.x_token")
    if cfg.type == "youtube" and not settings.youtube_api_key:
        return Assessment("off", "sources.off.youtube_key")
    return Assessment("ready", notes=tuple(_notes(cfg, settings)))


# The options each source type reads (type, bounds); anything else is a typo.
_INT, _BOOL, _STR = "int", "bool", "str"
OPTIONS: dict[str, dict[str, tuple[str, int, int]]] = {
    "rss": {"preset": (_STR, 0, 0), "language": (_STR, 0, 0), "country": (_STR, 0, 0)},
    "mastodon": {"max_pages": (_INT, 1, 100), "search": (_BOOL, 0, 0)},
    "bluesky": {"max_pages": (_INT, 1, 100), "lookback_hours": (_INT, 0, 720)},
    "reddit": {"max_pages": (_INT, 1, 100), "comments": (_BOOL, 0, 0), "auth_url": (_STR, 0, 0)},
    "hackernews": {
        "max_pages": (_INT, 1, 100),
        "lookback_hours": (_INT, 0, 720),
        "tags": (_STR, 0, 0),
    },
    "x": {
        "max_pages": (_INT, 1, 100),
        "lookback_hours": (_INT, 0, 720),
        "max_results": (_INT, 10, 100),
    },
    "discourse": {"max_pages": (_INT, 1, 100), "lookback_hours": (_INT, 0, 720)},
    "youtube": {
        "max_pages": (_INT, 1, 100),
        "lookback_hours": (_INT, 0, 720),
        "daily_quota": (_INT, 100, 10_000_000),
        "follow_videos": (_INT, 0, 50),
        "follow_days": (_INT, 1, 90),
        "comments": (_BOOL, 0, 0),
    },
    "appstore": {"max_pages": (_INT, 1, 10)},
    "lemmy": {"max_pages": (_INT, 1, 100), "lookback_hours": (_INT, 0, 720)},
    "webhook": {"rate_per_minute": (_INT, 1, 100_000)},
    "files": {},
}


def bad_option(cfg: SourceConfig) -> tuple[str, dict[str, Any]] | None:
    """The first option of the entry that its type does not know or cannot use."""
    known = OPTIONS.get(cfg.type, {})
    for key, value in cfg.options.items():
        if key not in known:
            return "sources.config.unknown_option", {"key": key, "known": ", ".join(known) or "-"}
        kind, low, high = known[key]
        if kind == _INT and (
            isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high
        ):
            return "sources.config.bad_int", {
                "key": key,
                "low": low,
                "high": high,
                "value": repr(value),
            }
        if kind == _BOOL and not isinstance(value, bool):
            return "sources.config.bad_bool", {"key": key}
        if kind == _STR and not isinstance(value, str):
            return "sources.config.bad_text", {"key": key}
    return None


def _missing(cfg: SourceConfig) -> str | None:
    """The first required key the entry lacks."""
    if cfg.type == "rss" and not cfg.url:
        if not cfg.options.get("preset"):
            return "url"
        if not (cfg.query or "").strip():
            return "query"
    if cfg.type == "mastodon":
        if not cfg.base_url:
            return "base_url"
        if not cfg.hashtags and not cfg.query:
            return "hashtags or query"
    if cfg.type in ("bluesky", "hackernews", "x", "youtube") and not (cfg.query or "").strip():
        return "query"
    if cfg.type in ("discourse", "lemmy") and not cfg.base_url:
        return "base_url"
    if cfg.type == "lemmy" and not (cfg.query or "").strip():
        return "query"
    if cfg.type == "appstore" and not (cfg.app_id or "").strip():
        return "app_id"
    if cfg.type == "reddit" and not cfg.query and not cfg.subreddits:
        return "query or subreddits"
    return None


def _notes(cfg: SourceConfig, settings: Settings) -> list[Note]:
    notes: list[Note] = []
    if cfg.type == "rss" and cfg.options.get("preset"):
        notes.append(("sources.note.news_preset", {"query": cfg.query or ""}))
    elif cfg.type == "rss" and not cfg.keep_all:
        notes.append(("sources.note.feed_matches_only", {}))
    if cfg.type == "discourse" and not cfg.query and not cfg.keep_all:
        notes.append(("sources.note.feed_matches_only", {}))
    if cfg.type == "youtube":
        quota = cfg.options.get("daily_quota", 10_000)
        notes.append(("sources.note.youtube_quota", {"units": quota}))
    if cfg.type == "mastodon" and cfg.query and not settings.mastodon_access_token:
        notes.append(("sources.note.mastodon_search_token", {}))
    if cfg.type == "bluesky" and not (settings.bluesky_handle and settings.bluesky_app_password):
        notes.append(("sources.note.bluesky_anonymous", {}))
    if cfg.type == "reddit":
        notes.append(("sources.note.reddit_budget", {}))
    if cfg.type == "x":
        notes.append(("sources.note.x_cost", {"posts": x_posts_per_day(cfg)}))
    return notes


def x_posts_per_day(cfg: SourceConfig) -> int:
    """The most posts an X source reads (and X bills) in a day at its interval and options."""
    page = cfg.options.get("max_results", X_PAGE_SIZE)
    pages = cfg.options.get("max_pages", DEFAULT_MAX_PAGES)
    page = page if isinstance(page, int) and not isinstance(page, bool) else X_PAGE_SIZE
    pages = pages if isinstance(pages, int) and not isinstance(pages, bool) else DEFAULT_MAX_PAGES
    polls = 86_400 // max(cfg.interval_seconds, 1)
    return polls * page * pages


def uncovered_platforms(workspace: Workspace, settings: Settings) -> list[str]:
    """Platforms no configured source listens to; X counts as covered only with a token."""
    out = list(UNCOVERED)
    x_ready = any(
        s.type == "x" and assess(s, settings).status == "ready" for s in workspace.sources
    )
    if not x_ready:
        out.append("X")
    return out
