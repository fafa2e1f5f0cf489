"""Every message of every family renders with counts 0, 1 and 2 in both languages: no
field that does not fit a number, no hedged plural ("item(s)"), no leftover braces."""

from __future__ import annotations

import string

import pytest

from core.i18n import LOCALES, catalog, render
from tests.core.test_plurals import SLASHED


def _fields(template: str) -> set[str]:
    names = set()
    for _, name, _, _ in string.Formatter().parse(template):
        if name:
            names.add(name.split(".")[0].split("[")[0])
    return names


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("count", [0, 1, 2])
def test_every_message_renders_with_a_count(locale: str, count: int) -> None:
    broken: dict[str, str] = {}
    for key, template in catalog(locale).items():
        try:
            text = render(locale, template, dict.fromkeys(_fields(template), count))
        except (KeyError, IndexError, ValueError, AttributeError) as exc:
            broken[key] = f"{type(exc).__name__}: {exc}"
            continue
        if SLASHED.search(text.replace("Europe/", "")):
            broken[key] = f"hedged plural: {text}"
    assert broken == {}


def test_plural_forms_differ_where_the_language_needs_it() -> None:
    de = [
        render("de", catalog("de")["standup.drafts"], {"count": n, "age": "2 Std"}) for n in (1, 2)
    ]
    en = [render("en", catalog("en")["standup.drafts"], {"count": n, "age": "2 h"}) for n in (1, 2)]
    assert de == [
        "1 Antwortentwurf wartet auf Freigabe, seit 2 Std.",
        "2 Antwortentwürfe warten auf Freigabe, der älteste seit 2 Std.",
    ]
    assert en == [
        "1 reply draft has waited for approval for 2 h.",
        "2 reply drafts wait for approval, the oldest for 2 h.",
    ]
