"""The Teams package's manifest passes Microsoft's published v1.17 JSON schema.

The schema is not copied into the project: it comes from the npm package
@microsoft/app-manifest, pinned with its integrity hash in tests/schemas/package-lock.json,
which `make test` installs (`npm ci --prefix tests/schemas --ignore-scripts`). Validation
runs offline: every `$ref` must resolve inside the schema, a remote one fails the test.

Slack publishes its manifest JSON schema in a repository only, in no package registry:
tests/bot/slack/test_manifest_types.py checks manifests/slack.yml against the typed manifest
that Slack's SDK publishes on npm instead.
"""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
import referencing
import referencing.exceptions
from jsonschema import Draft4Validator, Draft7Validator, validators
from jsonschema.protocols import Validator

from bot.teams.package import build_manifest, write_package
from config.settings import Settings
from tests.published import SCHEMAS, installed_package, node

PACKAGE = "@microsoft/app-manifest"
TEAMS_SCHEMA = "build/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
LINKS = {
    "microsoft_app_id": "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8",
    "app_website_url": "https://lumora.example/horchposten",
    "app_privacy_url": "https://lumora.example/privacy",
    "app_terms_url": "https://lumora.example/terms",
}

# Microsoft validates with Ajv's draft-04 dialect, which also knows `const` (the schema
# pins "manifestVersion" with it); plain draft 4 would ignore that keyword.
TeamsValidator = validators.extend(
    Draft4Validator, {"const": Draft7Validator.VALIDATORS["const"]}, version="teams-draft4"
)


def refuse_remote(uri: str) -> referencing.Resource[Any]:
    raise referencing.exceptions.NoSuchResource(uri)  # type: ignore[call-arg]


def offline() -> referencing.Registry[Any]:
    """A registry that resolves references inside the schema and never fetches one."""
    return referencing.Registry(retrieve=refuse_remote)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def schema_file() -> Path:
    return installed_package(PACKAGE) / TEAMS_SCHEMA


@pytest.fixture(scope="module")
def validator(schema_file: Path) -> Validator:
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    TeamsValidator.check_schema(schema)
    return TeamsValidator(schema, registry=offline(), format_checker=Draft4Validator.FORMAT_CHECKER)


def errors(validator: Validator, manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(JSON pointer of the offending value, message) for every violation."""
    return [
        ("/" + "/".join(map(str, e.absolute_path)), e.message)
        for e in validator.iter_errors(manifest)
    ]


def microsoft_errors(schema_file: Path, manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The same, from Microsoft's validator setup (Ajv draft-04) in tests/schemas/validate.js."""
    result = subprocess.run(
        [node(), str(SCHEMAS / "validate.js"), str(schema_file)],
        input=json.dumps(manifest),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [(path or "/", message) for path, message in json.loads(result.stdout)]


def packaged_manifest(tmp_path: Path) -> dict[str, Any]:
    out = write_package(Settings.for_tests(**LINKS), tmp_path / "teams.zip")
    with zipfile.ZipFile(out) as zf:
        manifest: dict[str, Any] = json.loads(zf.read("manifest.json"))
    return manifest


def broken_manifest() -> tuple[dict[str, Any], set[str]]:
    """Our manifest with seven faults Teams refuses, and where each one is."""
    broken = build_manifest(Settings.for_tests(**LINKS))
    broken["name"]["short"] = "H" * 31  # Teams allows 30
    broken["manifestVersion"] = "1.16"  # `const` in the schema
    broken["bots"][0]["commandLists"][0]["commands"][0]["title"] = "x" * 33  # 32 at most
    broken["developer"]["privacyUrl"] = "lumora.example/privacy"  # no scheme
    broken["accentColor"] = "teal"
    broken["webApplicationInfo"] = {"id": "not-a-guid"}
    broken["unknownField"] = True  # additionalProperties: false
    return broken, {
        "/name/short",
        "/manifestVersion",
        "/bots/0/commandLists/0/commands/0/title",
        "/developer/privacyUrl",
        "/accentColor",
        "/webApplicationInfo/id",
        "/",
    }


def test_the_packaged_manifest_passes_the_teams_schema(
    validator: Validator, tmp_path: Path
) -> None:
    manifest = packaged_manifest(tmp_path)
    assert manifest["$schema"].endswith("/teams/v1.17/MicrosoftTeams.schema.json")
    assert errors(validator, manifest) == []


def test_the_schema_check_catches_what_teams_would_refuse(validator: Validator) -> None:
    broken, where = broken_manifest()
    found = errors(validator, broken)
    assert {path for path, _ in found} == where, found


def test_microsofts_own_validator_agrees(schema_file: Path, tmp_path: Path) -> None:
    assert microsoft_errors(schema_file, packaged_manifest(tmp_path)) == []
    broken, where = broken_manifest()
    found = microsoft_errors(schema_file, broken)
    assert {path for path, _ in found} == where, found


def test_a_remote_reference_is_refused_not_fetched() -> None:
    remote = TeamsValidator({"$ref": "https://lumora.example/schema.json"}, registry=offline())
    with pytest.raises(referencing.exceptions.Unresolvable):
        remote.validate({})
