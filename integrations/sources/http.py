"""The HTTP client every source shares: a descriptive User-Agent, timeouts, bounded bodies,
and retries with exponential backoff and jitter that honour `Retry-After`.

A source sees either a `Response` or a `SourceError` whose message says what went wrong in
words an operator understands (it ends up in `sources` and in the ingest line). A server
asking to wait longer than `RetryPolicy.max_retry_after` is not waited out here: the poll
fails with `RateLimited`, and the poller rests the source for as long as it was asked.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import json
import logging
import math
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential_jitter

log = logging.getLogger(__name__)
USER_AGENT = "Horchposten/0.1 (+https://github.com/horchposten)"
MAX_BODY = 20 * 1024 * 1024
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class SourceError(Exception):
    """A poll failed; the message is for people. `retry_after`: when to try again, if known;
    `kind`: a word for the metrics (network, timeout, auth, source, …; see `error_kind`)."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, kind: str = "source"
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.kind = kind


class HttpError(SourceError):
    """The server answered with a status the source cannot use."""

    def __init__(self, status: int, url: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"HTTP {status} from {_where(url)}", retry_after=retry_after)
        self.status = status
        self.url = url


class RateLimited(HttpError):
    """429 (or an exhausted budget) with a wait too long to sit out in-process."""


class BadPayload(SourceError):
    """The server answered, but with something unreadable (truncated JSON, a broken feed)."""


def error_kind(exc: BaseException) -> str:
    """What went wrong in a poll, as a bounded metrics label: rate_limited, http_4xx,
    http_5xx, payload, timeout, network, auth, source (the source said no otherwise) or
    unexpected (not a SourceError: a bug or an unforeseen payload)."""
    if isinstance(exc, RateLimited):
        return "rate_limited"
    if isinstance(exc, HttpError):
        return "http_5xx" if exc.status >= 500 else "http_4xx"
    if isinstance(exc, BadPayload):
        return "payload"
    if isinstance(exc, SourceError):
        return exc.kind
    return "unexpected"


@dataclass(frozen=True)
class Response:
    """A complete response: status, headers (case-insensitive), body bytes, final URL."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str

    def json(self) -> Any:
        """The body as JSON, or BadPayload that says so (truncated, wrong encoding, HTML)."""
        try:
            return json.loads(self.body)
        except UnicodeDecodeError as exc:
            raise BadPayload(f"{_where(self.url)} sent JSON in a wrong encoding") from exc
        except ValueError as exc:
            raise BadPayload(
                f"{_where(self.url)} sent invalid or truncated JSON ({len(self.body)} bytes)"
            ) from exc
        except RecursionError as exc:
            raise BadPayload(f"{_where(self.url)} sent JSON nested too deeply") from exc

    def header_float(self, name: str) -> float | None:
        try:
            value = float(self.headers[name])
        except (KeyError, ValueError):
            return None
        return value if math.isfinite(value) else None  # "inf" and "nan" are no count


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try: attempts in all, the backoff curve, and the longest Retry-After to wait."""

    attempts: int = 4
    initial: float = 1.0
    max_wait: float = 30.0
    max_retry_after: float = 60.0


class _Transient(Exception):
    """A failed attempt worth repeating (429, 5xx, timeout, dropped connection)."""

    def __init__(self, error: SourceError) -> None:
        super().__init__(str(error))
        self.error = error


Sleep = Callable[[float], Awaitable[None]]


class HttpClient:
    """One aiohttp session for all sources of a process; safe to share between tasks."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        max_body: int = MAX_BODY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.max_body = max_body
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout, connect=min(10, self.timeout)),
                headers={"User-Agent": USER_AGENT},
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
        json_body: Any = None,
        auth: aiohttp.BasicAuth | None = None,
        accept: Iterable[int] = (),
    ) -> Response:
        """Send with retries. 2xx, 304 and the `accept`ed statuses return; others raise."""
        accepted = set(accept) | {304}
        policy = self.retry
        exp = wait_exponential_jitter(initial=policy.initial, max=policy.max_wait)

        def wait(state: RetryCallState) -> float:
            assert state.outcome is not None
            exc = state.outcome.exception()
            delay = exp(state)
            if isinstance(exc, _Transient) and exc.error.retry_after is not None:
                delay = max(exc.error.retry_after, 0.0)
            return float(delay)

        retrying = AsyncRetrying(
            stop=stop_after_attempt(max(policy.attempts, 1)),
            wait=wait,
            retry=retry_if_exception(lambda e: isinstance(e, _Transient)),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._once(
                        method, url, params, headers, data, json_body, auth, accepted
                    )
        except _Transient as exc:
            raise exc.error from exc.__cause__
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _once(
        self,
        method: str,
        url: str,
        params: Any,
        headers: Mapping[str, str] | None,
        data: Any,
        json_body: Any,
        auth: aiohttp.BasicAuth | None,
        accepted: set[int],
    ) -> Response:
        where = _where(url)
        try:
            async with self._client().request(
                method,
                url,
                params=_clean_params(params),
                headers=dict(headers or {}),
                data=data,
                json=json_body,
                auth=auth,
            ) as resp:
                if resp.status in RETRY_STATUS:
                    retry_after = parse_retry_after(resp.headers.get("Retry-After"))
                    if resp.status == 429:
                        error: SourceError = RateLimited(429, url, retry_after=retry_after)
                        if retry_after is not None and retry_after > self.retry.max_retry_after:
                            raise error
                    else:
                        error = HttpError(resp.status, url, retry_after=retry_after)
                    log.info("%s: %s, will retry", where, error)
                    raise _Transient(error)
                if not (200 <= resp.status < 300 or resp.status in accepted):
                    raise HttpError(resp.status, url)
                body = await self._read(resp, where)
                return Response(resp.status, resp.headers.copy(), body, str(resp.url))
        except SourceError:
            raise
        except _Transient:
            raise
        except TimeoutError as exc:
            err = SourceError(
                f"timeout after {self.timeout:g} s waiting for {where}", kind="timeout"
            )
            raise _Transient(err) from exc
        except aiohttp.ClientPayloadError as exc:
            broken = SourceError(f"{where} broke off the response", kind="network")
            raise _Transient(broken) from exc
        except aiohttp.ClientConnectionError as exc:
            unreachable = SourceError(
                f"cannot reach {where} ({type(exc).__name__})", kind="network"
            )
            raise _Transient(unreachable) from exc
        except aiohttp.ClientError as exc:
            raise SourceError(
                f"request to {where} failed ({type(exc).__name__})", kind="network"
            ) from exc

    async def _read(self, resp: aiohttp.ClientResponse, where: str) -> bytes:
        declared = resp.content_length
        if declared is not None and declared > self.max_body:
            raise BadPayload(
                f"{where} sent {declared} bytes, more than the {self.max_body} allowed"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_body:
                raise BadPayload(f"{where} sent more than the {self.max_body} bytes allowed")
            chunks.append(chunk)
        return b"".join(chunks)


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """Retry-After as seconds: a number of seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max((when - now).total_seconds(), 0.0)


def _clean_params(params: Any) -> Any:
    """Drop None values (optional query parameters) and render booleans as APIs expect."""
    if params is None:
        return None
    items = params.items() if isinstance(params, Mapping) else params
    out = []
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out.append((key, str(value)))
    return out


def _where(url: str) -> str:
    """Host and path of a URL, never its query (which may carry a token)."""
    parts = urlsplit(url)
    return f"{parts.netloc}{parts.path}" if parts.netloc else url.split("?", 1)[0]
