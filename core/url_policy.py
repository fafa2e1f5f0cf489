"""The one rule for which URLs the bot turns into something a reader can click.

Every renderer (Slack links and buttons, Teams `Action.OpenUrl`, the console) and the draft
checks ask `safe_url`; a URL it refuses is shown as text or not at all, never as a link.
The rule is the union of what each renderer once checked on its own: an absolute http(s)
URL with a host, at most `MAX_URL` characters, without user info (`https://bank.example@
evil.example/` shows one host and opens another), white space, control, zero-width or bidi
characters (which hide or reorder what the reader sees).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Longer URLs are no link anyone follows (a stored mention's URL has at most 2,048), and
# each would take its length out of a Teams card's ~28 KB.
MAX_URL = 2048
SCHEMES = frozenset({"http", "https"})
# C0/C1 controls, zero-width and bidi controls.
_HIDDEN = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def safe_url(url: str | None) -> str | None:
    """`url` without surrounding white space if a reader may be offered it as a link, else None."""
    if not url:
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL or _HIDDEN.search(url):
        return None
    if any(c.isspace() or not c.isprintable() for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
        has_user = parts.username is not None or parts.password is not None
    except ValueError:
        return None
    if parts.scheme.lower() not in SCHEMES or not host or has_user:
        return None
    return url


def safe_host(url: str | None) -> str | None:
    """The host of a safe URL without `www.`, shown beside links so a label cannot disguise them."""
    safe = safe_url(url)
    if safe is None:
        return None
    return (urlsplit(safe).hostname or "").removeprefix("www.") or None
