"""The platforms' published manifest definitions, installed from npm for the manifest tests.

tests/schemas/package.json names them and tests/schemas/package-lock.json pins each with its
integrity hash; `make test` installs them (`npm ci --prefix tests/schemas --ignore-scripts`).
Nothing here reaches the network: a test reads the installed files or runs Node.js on them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from config.settings import ROOT

SCHEMAS = ROOT / "tests" / "schemas"
INSTALL = "run `make test`, or `npm ci --prefix tests/schemas --ignore-scripts`"


def installed_package(name: str) -> Path:
    """The npm package's folder, at the version the lock pins; skips only where npm is missing.

    Where npm exists, `make test` has installed the packages: a missing or stale one fails.
    """
    root = SCHEMAS / "node_modules" / name
    if not (root / "package.json").exists():
        if shutil.which("npm") is None:
            pytest.skip(f"npm is not installed: this test needs the npm package {name}")
        pytest.fail(f"the npm package {name} is not installed: {INSTALL}")
    lock = json.loads((SCHEMAS / "package-lock.json").read_text(encoding="utf-8"))
    pinned = lock["packages"][f"node_modules/{name}"]["version"]
    installed = json.loads((root / "package.json").read_text(encoding="utf-8"))["version"]
    assert installed == pinned, (
        f"{name} {installed} is installed, the lock pins {pinned}: {INSTALL}"
    )
    return root


def node() -> str:
    """The Node.js binary (npm brings it), or a skip."""
    found = shutil.which("node")
    if found is None:
        pytest.skip("node is not installed: this test runs a published tool on Node.js")
    return found
