"""German and English for every word the bot says.

Catalogs are YAML files `config/locales/<locale>.<family>.yaml` (one family per feature, so
features add words without touching each other's files). Keys are dotted; values are
`str.format` templates. A key missing in one locale is a bug that a test catches; at run
time it falls back to the other locale rather than showing a raw key.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)
LOCALES = ("de", "en")
DEFAULT_LOCALE = "de"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "config" / "locales"


def _flatten(prefix: str, node: Any, out: dict[str, str], origin: Path) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out, origin)
        return
    if prefix in out:
        raise ValueError(f"{origin}: key {prefix!r} is defined twice")
    out[prefix] = str(node)


@cache
def catalog(locale: str) -> dict[str, str]:
    """Every message of a locale, merged from its family files."""
    out: dict[str, str] = {}
    for path in sorted(LOCALE_DIR.glob(f"{locale}.*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        _flatten("", data, out, path)
    return out


def normalize_locale(value: str | None) -> str | None:
    """'de-DE', 'DE', 'german' → 'de'; None for anything we do not speak."""
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    aliases = {"deutsch": "de", "german": "de", "englisch": "en", "english": "en"}
    code = aliases.get(code, code)
    return code if code in LOCALES else None


def translate(locale: str, key: str, /, **values: Any) -> str:
    """The message `key` in `locale`, formatted with `values`."""
    template = catalog(locale).get(key)
    if template is None:
        other = next(loc for loc in LOCALES if loc != locale)
        template = catalog(other).get(key)
        log.error("message %r missing in locale %r", key, locale)
        if template is None:
            return key
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        log.exception("message %r in %r does not fit its values", key, locale)
        return template


class Translator:
    """`t(key, **values)` bound to one locale: what handlers and renderers use."""

    def __init__(self, locale: str) -> None:
        self.locale = normalize_locale(locale) or DEFAULT_LOCALE

    def __call__(self, key: str, /, **values: Any) -> str:
        return translate(self.locale, key, **values)

    def number(self, value: float, digits: int = 0) -> str:
        """A number in the locale's style (1.234,5 in German, 1,234.5 in English)."""
        text = f"{value:,.{digits}f}"
        if self.locale == "de":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text

    def percent(self, ratio: float, digits: int = 0) -> str:
        sep = "\u202f" if self.locale == "de" else ""
        return f"{self.number(ratio * 100, digits)}{sep}%"
