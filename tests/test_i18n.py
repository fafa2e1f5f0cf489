"""Every word in German and English: catalog parity, and help in both languages."""

from __future__ import annotations

import re
import string

import pytest

from core.i18n import LOCALES, Translator, catalog, normalize_locale
from handlers import register_all


def test_every_message_exists_in_both_languages() -> None:
    keys = {loc: set(catalog(loc)) for loc in LOCALES}
    assert keys["de"] - keys["en"] == set(), "German-only messages"
    assert keys["en"] - keys["de"] == set(), "English-only messages"


def test_placeholders_agree_between_languages() -> None:
    fields = string.Formatter()
    de, en = catalog("de"), catalog("en")
    for key in de:
        de_names = {f for _, f, _, _ in fields.parse(de[key]) if f}
        en_names = {f for _, f, _, _ in fields.parse(en[key]) if f}
        assert de_names == en_names, key


def test_every_command_has_help_in_both_languages() -> None:
    registry = register_all()
    for spec in registry.commands.values():
        assert spec.summary.get("en"), f"{spec.name}: no English summary in its docstring"
        assert spec.summary.get("de"), f"{spec.name}: no 'de:' line in its docstring"
        assert spec.usage.split()[0] == spec.name, f"{spec.name}: Usage line must start with it"


def test_message_keys_used_in_code_exist() -> None:
    """Literal keys passed to t(...) or UsageError(...) are in the catalog."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pattern = re.compile(
        r"""(?:\bt|UsageError|translate\([^,]+,)\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']"""
    )
    known = set(catalog("en"))
    missing = []
    for package in ("handlers", "bot", "core"):
        for path in (root / package).rglob("*.py"):
            for key in pattern.findall(path.read_text(encoding="utf-8")):
                if key not in known:
                    missing.append(f"{path.relative_to(root)}: {key}")
    assert missing == []


@pytest.mark.parametrize(
    "value,expected",
    [("de", "de"), ("DE-de", "de"), ("en_GB", "en"), ("English", "en"), ("fr", None), (None, None)],
)
def test_normalize_locale(value: str | None, expected: str | None) -> None:
    assert normalize_locale(value) == expected


def test_numbers_follow_the_locale() -> None:
    assert Translator("de").number(1234.5, 1) == "1.234,5"
    assert Translator("en").number(1234.5, 1) == "1,234.5"
