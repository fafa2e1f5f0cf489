"""The import rules of ARCHITECTURE.md, enforced on the source tree."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAT_SDKS = ("slack_bolt", "slack_sdk", "botbuilder", "botframework")
HTTP_SDKS = ("aiohttp", "httpx", "requests", "openai")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def _violations(package: str, forbidden: tuple[str, ...], skip: str | None = None) -> list[str]:
    out = []
    for path in _files(package):
        rel = path.relative_to(ROOT).as_posix()
        if skip and rel.startswith(skip):
            continue
        for name in _imports(path):
            if name.split(".")[0] in forbidden or name in forbidden:
                out.append(f"{rel} imports {name}")
    return out


def test_core_imports_no_outer_layer_nor_sdk() -> None:
    outer = ("bot", "handlers", "integrations", "demo")
    assert _violations("core", (*outer, *CHAT_SDKS, *HTTP_SDKS)) == []


def test_integrations_import_core_only() -> None:
    assert _violations("integrations", ("bot", "handlers", *CHAT_SDKS)) == []


def test_handlers_import_no_platform() -> None:
    assert _violations("handlers", ("bot", "integrations", *CHAT_SDKS, *HTTP_SDKS)) == []


@pytest.mark.parametrize(
    "sdk,home",
    [
        ("slack_bolt", "bot/slack/"),
        ("slack_sdk", "bot/slack/"),
        ("botbuilder", "bot/teams/"),
        ("botframework", "bot/teams/"),
    ],
)
def test_chat_sdks_only_in_their_adapter(sdk: str, home: str) -> None:
    bad = []
    for package in ("bot", "core", "handlers", "integrations", "config"):
        bad += _violations(package, (sdk,), skip=home)
    assert bad == []


def test_only_config_reads_the_environment() -> None:
    bad = []
    for package in ("bot", "core", "handlers", "integrations"):
        for path in _files(package):
            text = path.read_text(encoding="utf-8")
            if "os.environ" in text or "os.getenv" in text or "getenv(" in text:
                bad.append(path.relative_to(ROOT).as_posix())
    assert bad == []


def test_no_print_outside_cli_console_and_bench() -> None:
    allowed = ("bot/__main__.py", "bot/commands.py", "bot/console/")
    bad = []
    for package in ("bot", "core", "handlers", "integrations", "config"):
        for path in _files(package):
            rel = path.relative_to(ROOT).as_posix()
            if rel.startswith(allowed) or "/train_" in rel:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                    bad.append(f"{rel}:{node.lineno}")
    assert bad == []


# Calls that read the wall clock. core/clock.py defines `utcnow` for the outer layers (the
# Services clock); models may name it as a `default_factory` (a fallback for bookkeeping
# columns), but no module of core calls it: every computation takes a clock or a `now`.
_WALL_CLOCK = {
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("date", "today"),
    ("time", "time"),
    ("time", "time_ns"),
    ("time", "localtime"),
    ("time", "gmtime"),
}


def _wall_clock_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "utcnow":
            found.append(f"line {node.lineno}: utcnow()")
        elif isinstance(func, ast.Attribute):
            owner = func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if (name, func.attr) in _WALL_CLOCK or func.attr == "utcnow":
                found.append(f"line {node.lineno}: {name}.{func.attr}()")
    return found


def test_no_module_of_core_reads_the_wall_clock() -> None:
    bad = []
    for path in _files("core"):
        rel = path.relative_to(ROOT).as_posix()
        if rel == "core/clock.py":
            continue
        bad += [f"{rel} {call}" for call in _wall_clock_calls(path)]
    assert bad == []
