"""Search-as-RSS presets of the feed source: a query becomes the URL of a news search feed.

- `google_news`: `https://news.google.com/rss/search?q=QUERY&hl=de&gl=DE&ceid=DE:de` (the
  language and country of the edition; Google's search operators work in the query:
  `"Lumora Brew" OR Lumora -job`, `when:7d`, `site:heise.de`).
- `bing_news`: `https://www.bing.com/news/search?q=QUERY&format=rss&setlang=de&cc=DE`.

`base_url` replaces the scheme and host (a proxy, or a local server in tests).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

PRESETS: dict[str, str] = {
    "google_news": "https://news.google.com/rss/search",
    "bing_news": "https://www.bing.com/news/search",
}


def preset_url(
    preset: str, query: str, *, language: str, country: str, base_url: str | None = None
) -> str:
    """The feed URL of `query` in the preset's search, for one language and country."""
    lang, cc = language.strip().lower() or "de", country.strip().upper() or "DE"
    if preset == "google_news":
        params = {"q": query, "hl": lang, "gl": cc, "ceid": f"{cc}:{lang}"}
    else:
        params = {"q": query, "format": "rss", "setlang": lang, "cc": cc}
    url = f"{PRESETS[preset]}?{urlencode(params)}"
    if base_url:
        base = urlsplit(base_url)
        parts = urlsplit(url)
        url = urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
    return url
