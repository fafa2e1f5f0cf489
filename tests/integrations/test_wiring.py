"""build_ports: the model and the publishers from Settings and the workspace."""

from __future__ import annotations

from pathlib import Path

from config.settings import Settings
from config.workspace import SourceConfig, Workspace, load_workspace
from integrations.llm import OpenAIChat
from integrations.publishers.bluesky import BlueskyPublisher
from integrations.publishers.mastodon import MastodonPublisher
from integrations.wiring import build_ports

ROOT = Path(__file__).resolve().parents[2]


def workspace(*sources: SourceConfig) -> Workspace:
    ws = load_workspace(ROOT / "config" / "workspace.example.yaml")
    ws.sources = list(sources)
    return ws


def test_nothing_configured_means_offline_and_ready_to_post() -> None:
    llm, publishers = build_ports(Settings.for_tests(), workspace())
    assert llm is None and publishers == {}


def test_model_and_both_publishers() -> None:
    ws = workspace(
        SourceConfig(name="a", type="mastodon", base_url="https://one.example", hashtags=["x"]),
        SourceConfig(
            name="b",
            type="mastodon",
            base_url="https://two.example/",
            options={"publish": True, "reply_visibility": "unlisted"},
        ),
        SourceConfig(name="c", type="bluesky", base_url="https://public.api.bsky.app"),
    )
    settings = Settings.for_tests(
        openai_api_key="sk",
        openai_model="llama3.1",
        mastodon_access_token="t",
        bluesky_handle="@lumora.bsky.social",
        bluesky_app_password="p",
    )
    llm, publishers = build_ports(settings, ws)
    assert isinstance(llm, OpenAIChat) and llm.model == "llama3.1"
    mastodon = publishers["mastodon"]
    assert isinstance(mastodon, MastodonPublisher)
    assert mastodon.base_url == "https://two.example" and mastodon.visibility == "unlisted"
    bluesky = publishers["bluesky"]
    assert isinstance(bluesky, BlueskyPublisher)
    assert bluesky.service == "https://bsky.social"  # an AppView holds no repository
    assert bluesky.identifier == "lumora.bsky.social"


def test_a_token_without_an_instance_publishes_nowhere() -> None:
    _, publishers = build_ports(Settings.for_tests(mastodon_access_token="t"), workspace())
    assert "mastodon" not in publishers
