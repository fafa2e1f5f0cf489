"""The Teams app package: manifest with the bot's app id and command menu, and two icons."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from bot.teams.package import MANIFEST_DIR, PackageError, build_manifest, check_icons, write_package
from config.settings import Settings
from handlers import register_all

APP_ID = "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
LINKS = {
    "app_website_url": "https://lumora.example/horchposten",
    "app_privacy_url": "https://lumora.example/privacy",
    "app_terms_url": "https://lumora.example/terms",
}


def settings(**values: str) -> Settings:
    return Settings.for_tests(**{"microsoft_app_id": APP_ID, **LINKS, **values})


def test_the_package_holds_the_filled_manifest_and_both_icons(tmp_path: Path) -> None:
    out = write_package(settings(), tmp_path / "pkg" / "teams.zip")
    assert out == tmp_path / "pkg" / "teams.zip"
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        color = Image.open(io.BytesIO(zf.read("color.png")))
        outline = Image.open(io.BytesIO(zf.read("outline.png")))
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert "${{" not in json.dumps(manifest)
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["bots"][0]["scopes"] == ["team", "groupChat", "personal"]
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert color.size == (192, 192) and outline.size == (32, 32)
    assert list(tmp_path.joinpath("pkg").iterdir()) == [out]  # no temp file left behind


def test_the_command_menu_comes_from_the_handlers() -> None:
    registry = register_all()
    manifest = build_manifest(settings(), registry)
    [menu] = manifest["bots"][0]["commandLists"]
    titles = [c["title"] for c in menu["commands"]]
    # The ten a team uses most, help last; help's line names every other command.
    assert titles == [
        "mentions",
        "brief",
        "trends",
        "drafts",
        "draft",
        "backlog",
        "standup",
        "sprint",
        "watch",
        "help",
    ]
    rest = {spec.name for spec in registry.visible()} - set(titles)
    assert rest and all(name in menu["commands"][-1]["description"] for name in rest)
    assert menu["commands"][-1]["description"].endswith("type help")
    assert all(len(c["description"]) <= 128 and len(c["title"]) <= 32 for c in menu["commands"])


def test_the_outline_icon_is_white_on_transparency() -> None:
    outline = Image.open(MANIFEST_DIR / "outline.png").convert("RGBA")
    pixels: list[tuple[int, ...]] = [
        tuple(outline.getpixel((x, y)))  # type: ignore[arg-type]
        for x in range(32)
        for y in range(32)
    ]
    assert {p[:3] for p in pixels if p[3] > 0} == {(255, 255, 255)}
    assert any(p[3] == 0 for p in pixels) and any(p[3] == 255 for p in pixels)
    check_icons()


@pytest.mark.parametrize("app_id", ["", "  ", "not-a-guid"])
def test_a_package_needs_a_real_app_id(tmp_path: Path, app_id: str) -> None:
    with pytest.raises(PackageError, match="MicrosoftAppId"):
        write_package(settings(microsoft_app_id=app_id), tmp_path / "x.zip")
    assert not (tmp_path / "x.zip").exists()


def test_a_wrong_icon_size_is_reported(tmp_path: Path) -> None:
    Image.new("RGBA", (64, 64)).save(tmp_path / "color.png")
    Image.new("RGBA", (32, 32)).save(tmp_path / "outline.png")
    with pytest.raises(PackageError, match="192×192"):
        check_icons(tmp_path)


def test_the_links_come_from_the_settings(tmp_path: Path) -> None:
    manifest = build_manifest(settings())
    assert manifest["developer"]["websiteUrl"] == "https://lumora.example/horchposten"
    assert manifest["developer"]["privacyUrl"] == "https://lumora.example/privacy"
    assert manifest["developer"]["termsOfUseUrl"] == "https://lumora.example/terms"
    assert "example.com" not in json.dumps(manifest)
    for field, variable in (
        ("app_privacy_url", "HORCH_PRIVACY_URL"),
        ("app_terms_url", "HORCH_TERMS_URL"),
    ):
        with pytest.raises(PackageError, match=variable):
            write_package(settings(**{field: ""}), tmp_path / "x.zip")
        with pytest.raises(PackageError, match=variable):
            build_manifest(settings(**{field: "http://lumora.example/x"}))


def test_the_color_icon_is_a_full_square_with_the_mark_in_the_safe_area() -> None:
    color = Image.open(MANIFEST_DIR / "color.png").convert("RGBA")
    assert color.size == (192, 192)
    background = color.getpixel((0, 0))
    # Solid everywhere (Teams rounds the corners itself): no transparent pixel.
    alpha = color.getchannel("A")
    assert alpha.getextrema() == (255, 255)
    for corner in ((191, 0), (0, 191), (191, 191), (96, 0), (0, 96)):
        assert color.getpixel(corner) == background
    # Every pixel of the mark lies in the central 96×96 (48..143).
    mark = [
        (x, y)
        for x in range(192)
        for y in range(192)
        if max(abs(a - b) for a, b in zip(color.getpixel((x, y)), background, strict=True)) > 8  # type: ignore[arg-type]
    ]
    assert mark, "no mark drawn"
    xs, ys = [x for x, _ in mark], [y for _, y in mark]
    assert min(xs) >= 48 and max(xs) <= 143 and min(ys) >= 48 and max(ys) <= 143
