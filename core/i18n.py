"""German and English for every word the bot says.

Catalogs are YAML files `config/locales/<locale>.<family>.yaml` (one family per feature, so
features add words without touching each other's files). Keys are dotted; values are
`str.format` templates. A key missing in one locale is a bug that a test catches; at run
time it falls back to the other locale rather than showing a raw key.

Numbers that decide a word's form are written as plural fields, so no message ever says
"item(s)" or "Eintrag/Einträge": `{count:# new item|# new items}` (one | other) or
`{count:no new items|# new item|# new items}` (zero | one | other). The form is chosen by
CLDR's plural rules for the locale (Babel), and `#` becomes the number in the locale's style.
"""

from __future__ import annotations

import logging
import string
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from babel import Locale
from babel.numbers import format_decimal

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


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)


def plural_category(locale: str, value: float) -> str:
    """CLDR's plural category of a number in a locale: 'one' or 'other' for de and en."""
    return str(_locale(locale).plural_form(abs(value)))


def format_number(locale: str, value: float, digits: int = 0) -> str:
    """A number in the locale's style with a fixed number of decimals (1.234,5 / 1,234.5)."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return str(format_decimal(round(value, digits), format=pattern, locale=_locale(locale)))


class _Formatter(string.Formatter):
    """`str.format` plus plural fields: a format spec holding `|` picks a form by count."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" not in format_spec:
            return super().format_field(value, format_spec)
        forms = format_spec.split("|")
        if isinstance(value, bool) or not isinstance(value, int | float):
            # Already formatted text (a caller's mistake): the plural form, never a crash.
            return forms[-1].replace("#", str(value))
        if len(forms) == 3 and value == 0:
            chosen = forms[0]
        else:
            one, other = forms[-2], forms[-1]
            chosen = one if plural_category(self.locale, value) == "one" else other
        digits = 0 if float(value).is_integer() else 1
        return chosen.replace("#", format_number(self.locale, value, digits))


@cache
def _formatter(locale: str) -> _Formatter:
    return _Formatter(locale)


def render(locale: str, template: str, values: dict[str, Any]) -> str:
    """Fill a message template for a locale (plural fields included)."""
    return _formatter(locale).vformat(template, (), values)


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
        return render(locale, template, values)
    except (KeyError, IndexError, ValueError, AttributeError):
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
        return format_number(self.locale, value, digits)

    def percent(self, ratio: float, digits: int = 0) -> str:
        sep = "\u202f" if self.locale == "de" else ""
        return f"{self.number(ratio * 100, digits)}{sep}%"
