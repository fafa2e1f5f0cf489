"""manifests/slack.yml type-checks against the app manifest that Slack's SDK publishes.

Slack publishes its manifest JSON schema in a repository only (slackapi/manifest-schema), in
no package registry, so it cannot be installed here. Its official Node SDK, @slack/web-api on
npm, publishes the manifest as TypeScript types instead: every field and its type, the
required ones, and the known bot scopes and event names. The TypeScript compiler (npm
`typescript`) checks the manifest as an object literal against that `Manifest` type, which
refuses unknown fields below the top level, wrong types, missing required fields and scopes
or events Slack does not know. Both packages are pinned in tests/schemas/package-lock.json.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from config.settings import ROOT
from tests.published import installed_package, node

MANIFEST = ROOT / "manifests" / "slack.yml"
TYPES = "dist/types/request/manifest"  # .d.ts: `export interface Manifest`
ERROR = re.compile(r"^(?P<file>[^(]+)\(\d+,\d+\): error TS\d+: (?P<message>.*)$")


def type_errors(manifests: dict[str, dict[str, Any]], tmp_path: Path) -> dict[str, list[str]]:
    """The compiler's errors for each manifest, by name, from one `tsc --noEmit --strict` run."""
    tsc = installed_package("typescript") / "bin" / "tsc"
    types = installed_package("@slack/web-api") / TYPES
    files = []
    for name, manifest in manifests.items():
        source = tmp_path / f"{name}.ts"
        source.write_text(
            f"import type {{ Manifest }} from {json.dumps(str(types))};\n\n"
            f"export const manifest: Manifest = {json.dumps(manifest, indent=2)};\n",
            encoding="utf-8",
        )
        files.append(source.name)
    options = [
        "--noEmit",
        "--strict",
        "--pretty",
        "false",
        "--target",
        "es2022",
        "--module",
        "commonjs",
    ]
    result = subprocess.run(
        [node(), str(tsc), *options, *files],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    found: dict[str, list[str]] = {name: [] for name in manifests}
    for line in result.stdout.splitlines():
        match = ERROR.match(line)
        if match:
            found[Path(match["file"]).stem].append(match["message"])
        elif line.startswith(" "):  # a continuation of the previous error's explanation
            continue
        else:
            raise AssertionError(f"unexpected compiler output: {result.stdout}{result.stderr}")
    assert result.returncode == (2 if any(found.values()) else 0), result.stdout + result.stderr
    return found


def test_the_slack_manifest_matches_the_slack_sdk_manifest_type(tmp_path: Path) -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    broken: dict[str, dict[str, Any]] = {
        "scope": {"oauth_config": {"scopes": {"bot": ["chat:writ"]}}},
        "event": {"settings": {"event_subscriptions": {"bot_events": ["app_mentioned"]}}},
        "unknown_field": {"settings": {"interactivity": {"is_enabled": True, "enabled": True}}},
        "missing_field": {"features": {"slash_commands": [{"command": "/horch"}]}},
        "wrong_type": {"features": {"app_home": {"messages_tab_enabled": "yes"}}},
    }
    found = type_errors(
        {"ok": manifest} | {name: {**manifest, **part} for name, part in broken.items()}, tmp_path
    )
    assert found.pop("ok") == []
    assert all(found.values()), found
    assert "chat:writ" in found["scope"][0] and "BotScope" in found["scope"][0]
    assert "app_mentioned" in found["event"][0]
    assert (
        "'\"enabled\"' does not exist in type 'ManifestInteractivity'" in found["unknown_field"][0]
    )
    assert "'description' is missing" in found["missing_field"][0]
    assert "'string' is not assignable to type 'boolean" in found["wrong_type"][0]
