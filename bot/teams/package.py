"""The Teams app package: manifest.json and both icons in a zip, to upload ("sideload").

The manifest in manifests/teams/ is a template: the app id and the bot id become the
Azure Bot's `MicrosoftAppId`, and the command menu is filled from the registered commands
(their English summaries), so it always matches what the bot can do.
"""

from __future__ import annotations

import json
import os
import tempfile
import uuid
import zipfile
from pathlib import Path
from typing import Any

from PIL import Image

from config.settings import ROOT, Settings
from core.text import truncate
from handlers import register_all
from handlers.registry import Registry

MANIFEST_DIR = ROOT / "manifests" / "teams"
PLACEHOLDER = "${{MicrosoftAppId}}"
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}
SCOPES = ["team", "groupChat", "personal"]
MAX_COMMANDS = 10  # Teams shows at most ten commands per scope
# The menu: what a team uses most, day to day (help last, naming the rest).
MOST_USED = (
    "mentions",
    "brief",
    "trends",
    "drafts",
    "draft",
    "backlog",
    "standup",
    "sprint",
    "watch",
)
# Where the manifest's developer links come from (Teams requires all three, as https).
LINKS = {
    "websiteUrl": ("app_website_url", "HORCH_WEBSITE_URL"),
    "privacyUrl": ("app_privacy_url", "HORCH_PRIVACY_URL"),
    "termsOfUseUrl": ("app_terms_url", "HORCH_TERMS_URL"),
}


class PackageError(ValueError):
    """The package cannot be built; the message says which setting or file to fix."""


def build_manifest(settings: Settings, registry: Registry | None = None) -> dict[str, Any]:
    """The manifest for this bot: its app id, and a command menu from the handlers."""
    app_id = settings.microsoft_app_id.strip()
    if not app_id:
        raise PackageError("MicrosoftAppId is not set; the package needs the Azure Bot's app id")
    try:
        app_id = str(uuid.UUID(app_id))
    except ValueError as exc:
        raise PackageError(f"MicrosoftAppId {app_id!r} is not an app (client) id GUID") from exc
    template = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    manifest: dict[str, Any] = json.loads(template.replace(PLACEHOLDER, app_id))
    manifest["developer"].update(developer_links(settings))
    commands = command_menu(registry or register_all())
    for bot in manifest.get("bots", []):
        bot["commandLists"] = [{"scopes": SCOPES, "commands": commands}] if commands else []
    return manifest


def developer_links(settings: Settings) -> dict[str, str]:
    """The website, privacy and terms links, from the settings; each must be https."""
    links: dict[str, str] = {}
    for key, (field, variable) in LINKS.items():
        value = str(getattr(settings, field) or "").strip()
        if not value.startswith("https://"):
            raise PackageError(
                f"{variable} is not set to an https:// address; Teams shows it as the app's "
                f"{key.removesuffix('Url')} link"
            )
        links[key] = value
    return links


def command_menu(registry: Registry) -> list[dict[str, str]]:
    """The ten most used commands; the last, help, names the rest and how to reach them."""
    specs = {spec.name: spec for spec in registry.visible()}
    chosen = [specs[name] for name in MOST_USED if name in specs][: MAX_COMMANDS - 1]
    menu = [
        {"title": spec.name[:32], "description": truncate(spec.summary.get("en", spec.name), 128)}
        for spec in chosen
    ]
    rest = [name for name in specs if name != "help" and specs[name] not in chosen]
    help_line = f"Every command; also {', '.join(rest)}: type help" if rest else "Every command"
    menu.append({"title": "help", "description": truncate(help_line, 128)})
    return menu


def check_icons(directory: Path = MANIFEST_DIR) -> None:
    """Both icons exist with the sizes Teams requires."""
    for name, size in ICONS.items():
        path = directory / name
        try:
            with Image.open(path) as image:
                actual = image.size
        except OSError as exc:
            raise PackageError(f"{path} is missing or not an image") from exc
        if actual != size:
            raise PackageError(
                f"{path} is {actual[0]}×{actual[1]}, Teams wants {size[0]}×{size[1]}"
            )


def write_package(settings: Settings, out: Path) -> Path:
    """Write the zip to `out` (atomically) and return its path."""
    manifest = build_manifest(settings)
    check_icons()
    out = out.expanduser()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".teams-package-", suffix=".zip", dir=out.parent)
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
            for name in ICONS:
                zf.write(MANIFEST_DIR / name, arcname=name)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
