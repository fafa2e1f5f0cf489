"""Help and parsing agree: every `--flag` a handler parses is in a usage line that help shows,
and the usage examples in messages name the command they are about."""

from __future__ import annotations

import ast
from pathlib import Path

from core.i18n import catalog
from handlers import register_all

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
# German spellings accepted beside a documented flag.
ALIASES = {"tage": "days"}


def _parsed_options() -> dict[str, set[str]]:
    """{module: option names} from every `parse(..., options=...)` in the handlers."""
    found: dict[str, set[str]] = {}
    for path in sorted(HANDLERS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            t.id: node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign)
            for t in node.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "parse"):
                continue
            for kw in node.keywords:
                if kw.arg != "options":
                    continue
                value = kw.value
                if isinstance(value, ast.Name):
                    value = constants.get(value.id, value)
                names = {e.value for e in getattr(value, "elts", []) if isinstance(e, ast.Constant)}
                found.setdefault(path.stem, set()).update(names)
    return found


def test_every_parsed_flag_is_in_a_usage_line() -> None:
    usages = " ".join(spec.usage for spec in register_all().commands.values())
    options = _parsed_options()
    assert options["mentions"] >= {"since", "sentiment"}  # the scan finds them
    missing = {
        f"{module}: --{name}"
        for module, names in options.items()
        for name in names
        if f"--{ALIASES.get(name, name)}" not in usages
    }
    assert missing == set()


def test_usage_examples_in_messages_name_the_right_sub_command() -> None:
    for locale in ("de", "en"):
        messages = catalog(locale)
        assert "watch remove" in messages["watch.missing_remove_term"]
        assert "watch add" not in messages["watch.missing_remove_term"]


def test_standup_help_says_plain_standup_previews() -> None:
    spec = register_all().find("standup")
    assert spec is not None
    assert "previews" in spec.summary["en"] and "Vorschau" in spec.summary["de"]
