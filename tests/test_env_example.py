"""`.env.example` is where the README sends a reader for every setting: each variable the
settings read appears there (at least one of its names), so a new setting cannot ship
undocumented."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import AliasChoices

from config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_listed_in_env_example() -> None:
    listed = set(
        re.findall(r"^#?\s*([A-Za-z][A-Za-z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M)
    )
    missing = []
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names = (
            [str(n) for n in alias.choices]
            if isinstance(alias, AliasChoices)
            else [str(alias) if alias else name.upper()]
        )
        if not listed & set(names):
            missing.append(names[0])
    assert not missing, f"not in .env.example: {missing}"
