"""Text normalization: HTML to plain text, folding for matching, hashing for near-duplicates."""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from html.parser import HTMLParser

# NUL and lone surrogates (JSON and forms can carry both): no database stores them (PostgreSQL
# refuses NUL in text, and neither encodes a lone surrogate), and nobody typed them on purpose.
UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")
_WS = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<!\w)@[\w.-]+(?:@[\w.-]+)?")
_HASHTAG = re.compile(r"(?<![\w#])#(\w[\w-]{0,99})", re.UNICODE)
_REPOST_PREFIX = re.compile(r"^(rt|via|repost)\b[:\s]*", re.IGNORECASE)
# [^<>]: a scan from each "<" stops at the next one, so "<a<a<a…" costs linear time, not
# quadratic (a 20,000-character mention of that took a second of the event loop).
_TAGLIKE = re.compile(r"<[a-zA-Z!/][^<>]*>")
# CPython's html.parser needs quadratic time for some malformed markup ("<!--<!--…",
# "</a</a…"; CVE-2025-6069, fixed in later security releases): 40,000 such characters held
# the event loop for seconds. Longer fragments are stripped of tags in linear time instead.
PARSE_LIMIT = 4_000
_BLOCK_TAG = re.compile(r"<(?:/?(?:p|div|br|li|tr|h[1-4]|blockquote)\b)[^<>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^<>]*>")
# Zero-width and bidi control characters: invisible, used to dodge filters or flip text.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


class _TextExtractor(HTMLParser):
    _BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skip += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href and href.startswith(("http://", "https://")):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skip:
            self._skip -= 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(value: str) -> tuple[str, list[str]]:
    """Plain text and the links of an HTML fragment; plain text passes through unescaped."""
    if not _TAGLIKE.search(value):
        return clean_text(html.unescape(value)), []
    if len(value) > PARSE_LIMIT:  # see PARSE_LIMIT: no parser, so no links either
        text = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", value)))
        lines = [clean_text(line) for line in text.split("\n")]
        return "\n".join(line for line in lines if line), []
    parser = _TextExtractor()
    try:
        parser.feed(value)
        parser.close()
    except Exception:  # a broken fragment still yields what was read so far
        pass
    text = "".join(parser.parts)
    lines = [clean_text(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line), parser.links


def clean_text(value: str) -> str:
    """Collapse white space and drop invisible control characters."""
    return _WS.sub(" ", _INVISIBLE.sub("", value)).strip()


def fold(value: str) -> str:
    """Case- and accent-insensitive form for matching ("Café" → "cafe", "Straße" → "strasse")."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def hashtags(value: str) -> list[str]:
    """Hashtags in a text, folded and with '#', in order of first appearance."""
    seen: dict[str, None] = {}
    for match in _HASHTAG.finditer(value):
        seen.setdefault("#" + fold(match.group(1)).rstrip("-"), None)
    return list(seen)


def content_hash(value: str) -> str:
    """A fingerprint that survives reposting: no links, handles, 'RT', case or punctuation."""
    body = _URL.sub(" ", value)
    body = _HANDLE.sub(" ", body)
    body = _REPOST_PREFIX.sub("", body.strip())
    body = re.sub(r"[\W_]+", " ", fold(body)).strip()
    return hashlib.blake2b(body.encode("utf-8"), digest_size=8).hexdigest()


def truncate(value: str, limit: int, ellipsis: str = "…") -> str:
    """At most `limit` characters, cut at a word boundary when one is near."""
    if len(value) <= limit:
        return value
    cut = value[: max(0, limit - len(ellipsis))]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ellipsis
