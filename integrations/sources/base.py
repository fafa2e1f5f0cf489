"""What every polled source shares: its configuration, options, and the paging window.

Search APIs answer newest first, a page at a time. A poll pages back from the newest item
to what the last poll stored (`since`); when it must stop early (the page budget of one
fetch), the rest is a backlog `(since, until]` that the next fetch works through before it
moves `since` up to the newest item seen. So a burst larger than one fetch is neither lost
nor fetched twice, and each fetch stores its items before the cursor moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from config.workspace import SourceConfig
from core.i18n import translate
from core.ports import FetchResult
from core.raw import RawMention
from core.source_catalog import DEFAULT_MAX_PAGES
from integrations.sources.http import HttpClient
from integrations.sources.values import obj, parse_time

DEFAULT_LOOKBACK_HOURS = 24


class ConfigError(Exception):
    """A source entry of the workspace file cannot work as written.

    `key` and `values` name a message of the sources locale family, so that `sources`
    can say it in the user's language; str() is the English text for logs and the CLI.
    """

    def __init__(self, message_key: str, /, **values: Any) -> None:
        self.key, self.values = message_key, values
        super().__init__(translate("en", message_key, **values))


class BaseSource:
    """A polled source built from its workspace entry; the HTTP client is shared."""

    type: str = ""

    def __init__(self, config: SourceConfig, client: HttpClient) -> None:
        self.config = config
        self.name = config.name
        self.client = client
        self.max_pages = self.int_option("max_pages", DEFAULT_MAX_PAGES, 1, 100)
        self.lookback = dt.timedelta(
            hours=self.int_option("lookback_hours", DEFAULT_LOOKBACK_HOURS, 0, 24 * 30)
        )

    async def fetch(self, cursor: dict[str, Any]) -> FetchResult:
        raise NotImplementedError

    async def close(self) -> None:
        """The shared client is closed by its owner (the poller, the app)."""

    def int_option(self, key: str, default: int, low: int, high: int) -> int:
        value = self.config.options.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError(
                "sources.config.bad_int", key=key, low=low, high=high, value=repr(value)
            )
        return value

    def bool_option(self, key: str, default: bool) -> bool:
        value = self.config.options.get(key, default)
        if not isinstance(value, bool):
            raise ConfigError("sources.config.bad_bool", key=key)
        return value

    def str_option(self, key: str, default: str) -> str:
        value = self.config.options.get(key, default)
        if not isinstance(value, str):
            raise ConfigError("sources.config.bad_text", key=key)
        return value

    def require(self, value: str | None, key: str) -> str:
        if not value or not value.strip():
            raise ConfigError("sources.config.needs", key=key)
        return value.strip()


@dataclass
class BackfillStep:
    """One page of a backfill (see core.backfill and integrations.sources.backfill).

    `state` is what the next page needs (stored after `items` are); `reached` the oldest
    time read completely so far (aware UTC), `since` once `done`; `capped` when the API
    serves nothing older than `reached` although the run asked for more; `pause` seconds
    to wait before the next page, as the API's rate-limit headers ask.
    """

    items: list[RawMention]
    state: dict[str, Any]
    done: bool
    reached: dt.datetime | None
    capped: bool = False
    quota_remaining: int | None = None
    pause: float = 0.0
    notes: list[str] = field(default_factory=list)


# A backfill that reads several streams one after the other (a source's hashtags and its
# search): (key, URL or path, query parameters); its state keeps each stream's progress
# under `streams` by key: `done`, `oldest` (the oldest time read), `capped` (the API served
# nothing older although the run asked for more).
Stream = tuple[str, str, dict[str, Any]]


def stream_progress(
    state: dict[str, Any], streams: list[Stream]
) -> tuple[dict[str, dict[str, Any]], list[Stream]]:
    """Each stream's progress from a backfill's state (a fresh copy), and the streams not done."""
    progress = {k: dict(obj(v)) for k, v in obj(state.get("streams")).items()}
    return progress, [s for s in streams if not progress.get(s[0], {}).get("done")]


def streams_step(
    progress: dict[str, dict[str, Any]],
    streams: list[Stream],
    *,
    since: dt.datetime,
    until: dt.datetime,
    found: list[RawMention],
    quota: int | None,
    pause: float = 0.0,
    notes: list[str] | None = None,
) -> BackfillStep:
    """The page's step: the run has reached as far back as its least advanced stream (a
    stream done without a cap has reached `since`)."""
    reach: list[dt.datetime] = []
    for key, *_ in streams:
        mine = progress.get(key, {})
        oldest = parse_time(mine.get("oldest"))
        if mine.get("done") and not mine.get("capped"):
            reach.append(since)
        else:
            reach.append(max(oldest, since) if oldest else until)
    done = all(progress.get(k, {}).get("done") for k, *_ in streams)
    capped = any(progress.get(k, {}).get("capped") for k, *_ in streams)
    reached = max(reach, default=since)
    state = {"streams": progress}
    return BackfillStep(found, state, done, reached, capped, quota, pause, notes or [])


def pause_until_reset(remaining: float | None, reset_at: float | None, now: float) -> float:
    """Seconds to wait when a rate-limit window is spent (`remaining` below 1), until its
    reset (Unix seconds); 0 otherwise."""
    if remaining is None or remaining >= 1 or reset_at is None:
        return 0.0
    return max(reset_at - now, 0.0)


@dataclass
class Window:
    """The paging state of one newest-first stream (see the module docstring).

    Values are whatever orders the stream (Unix seconds, ISO times, numeric ids); the
    source passes `key` to compare them.
    """

    since: Any = None
    until: Any = None
    newest: Any = None

    @classmethod
    def load(cls, raw: Any) -> Window:
        data = raw if isinstance(raw, dict) else {}
        return cls(data.get("since"), data.get("until"), data.get("newest"))

    def dump(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if v is not None}

    def advance(
        self, *, top: Any, bottom: Any, complete: bool, key: Callable[[Any], Any]
    ) -> Window:
        """The window after a fetch that saw items from `top` down to `bottom`.

        `complete`: the fetch reached `since` (or the end of the stream); otherwise the
        part below `bottom` is left as a backlog for the next fetch.
        """
        newest = _max(self.newest if self.until is not None else None, top, key)
        if complete:
            return Window(since=_max(self.since, newest, key))
        if bottom is None:  # stopped before seeing anything: keep the state as it was
            return Window(self.since, self.until, self.newest)
        return Window(since=self.since, until=bottom, newest=newest)


def _max(a: Any, b: Any, key: Callable[[Any], Any]) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a if key(a) >= key(b) else b
