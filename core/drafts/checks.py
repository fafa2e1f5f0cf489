"""Checks on a draft before a person approves it: length, links, @-handles, claims.

Model output is untrusted like the mention it answers: a hostile mention may have talked
the model into a link or a ping. Each check yields a `Finding` that the draft card shows;
`block` findings (empty, too long for the platform) stop approval, the others warn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from core.drafts.claims import unsupported_claims
from core.drafts.limits import length, limit_for
from core.url_policy import safe_url

_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"']+|\bwww\.[^\s<>\"']+", re.IGNORECASE)
# A bare domain such as evil.example or bit.ly/x: a dotted name ending in a TLD-like word,
# followed by a path or one of the common TLDs (so "z.B." or "v2.0" are no links).
_BARE = re.compile(
    r"(?<![\w@.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,24})(/[^\s<>\"']*)?",
    re.IGNORECASE,
)
_COMMON_TLDS = frozenset(
    [
        "com",
        "org",
        "net",
        "de",
        "at",
        "ch",
        "eu",
        "io",
        "co",
        "ly",
        "me",
        "app",
        "dev",
        "info",
        "biz",
        "xyz",
        "ru",
        "cn",
        "tk",
        "uk",
        "us",
        "fr",
        "it",
        "nl",
        "es",
        "be",
        "pl",
        "online",
        "site",
        "shop",
        "store",
        "link",
        "click",
        "top",
        "example",
    ]
)
_EMAIL = re.compile(r"(?<![\w.+@-])[\w.+-]+@((?:[\w-]+\.)+[\w-]+)")
_HANDLE = re.compile(r"(?<![\w.@/])@([\w][\w.-]*(?:@[\w.-]+\w)?)")
MASS_PINGS = frozenset({"channel", "here", "everyone", "all", "group"})
_TRAILING = ".,;:!?)]}»”’\"'"


@dataclass(frozen=True)
class Finding:
    """One problem: `code` names the message (drafts.check.<code>), `values` fill it in."""

    code: str
    severity: str  # "block" or "warn"
    values: tuple[tuple[str, str], ...] = ()

    @property
    def blocks(self) -> bool:
        return self.severity == "block"

    def as_dict(self) -> dict[str, str]:
        return dict(self.values)


def _host_allowed(host: str, allowed: list[str]) -> bool:
    host = host.lower().rstrip(".")
    for domain in allowed:
        domain = domain.lower().strip().lstrip(".")
        if domain and (host == domain or host.endswith("." + domain)):
            return True
    return False


def _offered_as_link(link: str) -> bool:
    """Whether a link in a draft is one the renderers would offer (e-mail domains aside)."""
    if "://" not in link and "@" in link:
        return True
    return safe_url(link if "://" in link else "http://" + link) is not None


def links(text: str) -> list[tuple[str, str]]:
    """(link as written, host) for every URL, www. name, bare domain and e-mail domain."""
    out: list[tuple[str, str]] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(_TRAILING)
        full = url if "://" in url else "http://" + url
        try:
            host = urlsplit(full).hostname or ""
        except ValueError:
            host = ""
        out.append((url, host))
    rest = _EMAIL.sub(lambda m: " ", _URL.sub(" ", text))
    for match in _BARE.finditer(rest):
        host, path = match.group(1), match.group(2)
        tld = host.rsplit(".", 1)[-1].lower()
        if path or tld in _COMMON_TLDS:
            out.append(((host + (path or "")).rstrip(_TRAILING), host))
    for match in _EMAIL.finditer(_URL.sub(" ", text)):
        out.append((match.group(0), match.group(1)))
    return out


def handles(text: str) -> list[str]:
    """The @-handles in a text, without the @ (e-mail addresses are not handles)."""
    return [m.group(1).rstrip(".-") for m in _HANDLE.finditer(text)]


def _same_handle(handle: str, author: str | None) -> bool:
    if not author:
        return False
    a = author.lower().lstrip("@")
    h = handle.lower().lstrip("@")
    # Mastodon writes @user@server; a reply may use the short form @user.
    return h == a or h == a.split("@")[0] or (a == h.split("@")[0] and "@" not in a)


def check_draft(
    text: str,
    *,
    target: str,
    allowed_domains: list[str],
    author_handle: str | None,
    facts: str,
    mention_text: str = "",
) -> list[Finding]:
    """Every finding for a draft of `text` answering a mention on `target`."""
    findings: list[Finding] = []
    if not text.strip():
        return [Finding("empty", "block")]
    limit = limit_for(target)
    size = length(text, target)
    if size > limit.maximum:
        values = (("length", str(size)), ("maximum", str(limit.maximum)), ("target", target))
        findings.append(Finding("too_long", "block", values))
    for link, host in dict.fromkeys(links(text)):
        if not host or not _host_allowed(host, allowed_domains) or not _offered_as_link(link):
            findings.append(Finding("link", "warn", (("link", link), ("host", host or link))))
    for handle in dict.fromkeys(handles(text)):
        if handle.lower() in MASS_PINGS:
            findings.append(Finding("mass_ping", "warn", (("handle", "@" + handle),)))
        elif not _same_handle(handle, author_handle):
            findings.append(Finding("handle", "warn", (("handle", "@" + handle),)))
    claims = unsupported_claims(text, facts=facts, mention=mention_text)
    if claims:
        findings.append(Finding("claims", "warn", (("claims", ", ".join(claims)),)))
    return findings


def blocking(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.blocks]
