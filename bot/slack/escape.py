"""Slack mrkdwn escaping: text from outside shows as itself and can never ping or link.

Slack parses `<…>` as links and mentions (`<@U1>`, `<!channel>`, `<!subteam^S1>`,
`<https://evil|https://bank>`), so `&`, `<` and `>` become entities. With `verbatim` text
objects Slack does not turn a bare `@here` into a ping; as a second fence a word joiner goes
after the `@` of the broadcast words, so even a surface that did parse them would not.
Links the bot itself makes (`<url|label>`) pass `safe_url` first: core.url_policy's rule,
and no character that could end the link or start another one.
"""

from __future__ import annotations

import re

from core import url_policy

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_TABLE = str.maketrans(_ENTITIES)
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)
# C0/C1 controls except tab and newline: invisible, and some clients act on them; and the
# zero-width and bidi controls, which hide or reorder what the reader sees (core.text drops
# them from mention text at ingest; here they go from every field).
_CONTROL = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_WORD_JOINER = "\u2060"
ELLIPSIS = "…"


def neutral(text: str) -> str:
    """Plain text without control characters, with broadcast words defused (not escaped)."""
    return _BROADCAST.sub(f"@{_WORD_JOINER}\\1", _CONTROL.sub("", text))


def escape(text: str) -> str:
    """Plain text → mrkdwn that shows exactly this text: no pings, links or markup tags."""
    return neutral(text).translate(_TABLE)


def unescape(text: str) -> str:
    """Slack's entities back to characters (Slack sends message text escaped)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _cost(char: str) -> int:
    return len(_ENTITIES.get(char, char))


def fit(text: str, limit: int) -> str:
    """Escaped text of at most `limit` characters, cut with an ellipsis when it is longer."""
    plain = neutral(text)
    escaped = plain.translate(_TABLE)
    if len(escaped) <= limit:
        return escaped
    budget, out = limit - len(ELLIPSIS), []
    for char in plain:
        budget -= _cost(char)
        if budget < 0:
            break
        out.append(char)
    return "".join(out).rstrip().translate(_TABLE) + ELLIPSIS


def split(text: str, limit: int) -> list[str]:
    """Escaped text in pieces of at most `limit` characters, broken at lines or spaces."""
    plain = neutral(text)
    pieces: list[str] = []
    while plain:
        # Escaping never shortens: only a remainder within the limit can fit, and escaping
        # just that keeps a long text linear (the whole remainder each time was quadratic).
        if len(plain) <= limit and len(escaped := plain.translate(_TABLE)) <= limit:
            pieces.append(escaped)
            break
        size, cut = 0, 0
        for i, char in enumerate(plain):
            size += _cost(char)
            if size > limit:
                cut = i
                break
        head = plain[:cut]
        # Prefer a break at a line, then at a space, in the last third of the piece.
        for sep in ("\n", " "):
            at = head.rfind(sep)
            if at > cut * 2 // 3:
                head = plain[: at + 1]
                break
        pieces.append(head.rstrip().translate(_TABLE))
        plain = plain[len(head) :].lstrip("\n")
    return [p for p in pieces if p] or [""]


def safe_url(url: str | None) -> str | None:
    """A URL fit for `<url|label>`: core.url_policy's safe URL, encoded for mrkdwn, else None."""
    url = url_policy.safe_url(url)
    if url is None:
        return None
    # `|` would end the URL and start the label; `<`/`>` would end or open a link.
    return url.replace("&", "&amp;").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")


host = url_policy.safe_host


def link(url: str | None, label: str, limit: int = 3000) -> str:
    """`<url|label>` for a safe URL (label escaped), else just the escaped label."""
    target = safe_url(url)
    if target is None or len(target) > limit // 2:
        return fit(label, limit)
    return f"<{target}|{fit(label, limit - len(target) - 3)}>"
