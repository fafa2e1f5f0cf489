"""Where a reply goes and how long it may be there, counted the way each platform counts.

- Mastodon: 500 grapheme clusters; a URL counts as 23, `@user@server` as `@user`.
- Bluesky: 300 grapheme clusters (the lexicon's `maxGraphemes`), every character as written.
- X: 280 in twitter-text's weighted count (most Latin text 1, CJK and emoji 2, a URL 23).
- LinkedIn: 3,000 characters.
Grapheme clusters are Unicode's user-perceived characters (UAX #29, the `regex` module's
`\\X`): a family emoji or a flag is one, "é" written as e + accent is one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import regex

_GRAPHEME = regex.compile(r"\X")
_URL = regex.compile(r"https?://[^\s<>\"]+", regex.IGNORECASE)
# Mastodon's mention syntax: @user or @user@server (the server part does not count).
_MASTODON_MENTION = regex.compile(r"(?<![\w/])@(\w+)(?:@[\w.-]+\w)?", regex.UNICODE)
URL_WEIGHT = 23
# twitter-text v3: code points in these ranges weigh 1, all others 2; emoji weigh 2.
_X_LIGHT = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))


@dataclass(frozen=True)
class Limit:
    """A platform's maximum length and how it counts (`graphemes`, `weighted`, `chars`)."""

    platform: str
    maximum: int
    unit: str


LIMITS: dict[str, Limit] = {
    "mastodon": Limit("mastodon", 500, "graphemes"),
    "bluesky": Limit("bluesky", 300, "graphemes"),
    "x": Limit("x", 280, "weighted"),
    "linkedin": Limit("linkedin", 3000, "chars"),
    "reddit": Limit("reddit", 10_000, "chars"),
}
# Anywhere else (a blog's comments, Hacker News, a web form): keep it to a LinkedIn post.
DEFAULT = Limit("other", 3000, "chars")

# Hosts that tell where a mention from a feed, a webhook or a file import really lives.
_HOSTS = {
    "x.com": "x",
    "twitter.com": "x",
    "mobile.twitter.com": "x",
    "linkedin.com": "linkedin",
    "www.linkedin.com": "linkedin",
    "bsky.app": "bluesky",
    "reddit.com": "reddit",
    "www.reddit.com": "reddit",
    "old.reddit.com": "reddit",
    "news.ycombinator.com": "hackernews",
}


def target_of(source_type: str, url: str | None) -> str:
    """The platform a reply to this mention would be posted on."""
    if source_type in ("mastodon", "bluesky", "x", "reddit", "hackernews"):
        return source_type
    host = (urlsplit(url).hostname or "").lower() if url else ""
    return _HOSTS.get(host, source_type or "other")


def limit_for(target: str) -> Limit:
    return LIMITS.get(target, DEFAULT)


def graphemes(text: str) -> int:
    """Grapheme clusters (user-perceived characters) in `text`."""
    return len(_GRAPHEME.findall(text))


def mastodon_length(text: str) -> int:
    """Mastodon's count: graphemes, with every URL as 23 and `@user@server` as `@user`."""
    text = _URL.sub("x" * URL_WEIGHT, text)
    text = _MASTODON_MENTION.sub(lambda m: "@" + m.group(1), text)
    return graphemes(text)


def _is_emoji(cluster: str) -> bool:
    return any(
        ord(c) >= 0x1F000 or 0x2600 <= ord(c) <= 0x27BF or c in "\u200d\ufe0f" for c in cluster
    )


def x_length(text: str) -> int:
    """twitter-text's weighted length: NFC, URLs 23, emoji 2, light ranges 1, the rest 2."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for match in _URL.finditer(text):
        total += _x_plain(text[pos : match.start()]) + URL_WEIGHT
        pos = match.end()
    return total + _x_plain(text[pos:])


def _x_plain(text: str) -> int:
    total = 0
    for cluster in _GRAPHEME.findall(text):
        if _is_emoji(cluster):
            total += 2
            continue
        for char in cluster:
            code = ord(char)
            total += 1 if any(lo <= code <= hi for lo, hi in _X_LIGHT) else 2
    return total


def length(text: str, target: str) -> int:
    """The length of `text` as the target platform counts it."""
    unit = limit_for(target).unit
    if target == "mastodon":
        return mastodon_length(text)
    if unit == "graphemes":
        return graphemes(text)
    if unit == "weighted":
        return x_length(text)
    return len(text)
