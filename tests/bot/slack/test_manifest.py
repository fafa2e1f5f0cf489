"""The app manifest asks for what the adapter uses, and points Slack at /slack/events."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.slack.endpoint import PATH

MANIFEST = Path(__file__).resolve().parents[3] / "manifests" / "slack.yml"


def test_manifest_matches_the_adapter() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    settings, features = manifest["settings"], manifest["features"]
    (command,) = features["slash_commands"]
    assert command["command"] == "/horch" and command["should_escape"] is False
    urls = [
        command["url"],
        settings["event_subscriptions"]["request_url"],
        settings["interactivity"]["request_url"],
    ]
    assert all(url.endswith(PATH) for url in urls)
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im"}
    assert settings["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {
        "commands",
        "chat:write",
        "app_mentions:read",
        "im:history",
        "files:write",
        "usergroups:read",
        # check-ins: conversations.members, users.info, conversations.open
        "channels:read",
        "groups:read",
        "users:read",
        "im:write",
    } <= scopes
    assert features["app_home"]["messages_tab_enabled"] is True
