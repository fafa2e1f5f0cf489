"""`python -m bot teams-package --out FILE`: the zip to upload to Teams, from the CLI."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.e2e.cli import run_bot

pytestmark = pytest.mark.e2e

APP_ID = "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"


def test_the_cli_writes_the_package_with_the_app_id(db_url: str, tmp_path: Path) -> None:
    out = tmp_path / "dist" / "horchposten-teams.zip"
    result = run_bot(
        ["teams-package", "--out", str(out)],
        db_url=db_url,
        cwd=tmp_path,
        MicrosoftAppId=APP_ID,
        HORCH_WEBSITE_URL="https://lumora.example/horchposten",
        HORCH_PRIVACY_URL="https://lumora.example/privacy",
        HORCH_TERMS_URL="https://lumora.example/terms",
    )
    assert result.returncode == 0, result.stderr
    assert str(out) in result.stdout
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert {"color.png", "outline.png"} <= set(zf.namelist())
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["developer"]["privacyUrl"] == "https://lumora.example/privacy"
