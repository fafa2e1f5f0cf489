"""The one place that builds the ports drafts use: the model and the publishers.

- The model (`integrations.llm.OpenAIChat`) exists when OPENAI_API_KEY or OPENAI_BASE_URL is
  set; otherwise None, and the offline templates write the drafts.
- Publishers are keyed by the mention's platform ("mastodon", "bluesky"): Mastodon with
  MASTODON_ACCESS_TOKEN on the instance of the workspace's Mastodon source (the one with
  `options: {publish: true}`, else the first), Bluesky with BLUESKY_HANDLE and
  BLUESKY_APP_PASSWORD on the PDS of the workspace's Bluesky source (else bsky.social).
  Without credentials a platform has no publisher, and approved replies to it are marked
  "ready to post" for a person.
"""

from __future__ import annotations

import logging

from config.settings import Settings
from config.workspace import SourceConfig, Workspace
from core.ports import LLM, Publisher
from integrations.llm import build_llm
from integrations.publishers.bluesky import DEFAULT_SERVICE, BlueskyPublisher
from integrations.publishers.mastodon import MastodonPublisher

log = logging.getLogger(__name__)
# Read-only AppViews: they serve searches but hold no repository to post into.
_APPVIEWS = ("public.api.bsky.app", "api.bsky.app")


def _source(workspace: Workspace, kind: str) -> SourceConfig | None:
    candidates = [s for s in workspace.sources if s.type == kind and s.base_url]
    chosen = [s for s in candidates if s.options.get("publish") is True]
    found = chosen or candidates
    return found[0] if found else None


def build_publishers(settings: Settings, workspace: Workspace) -> dict[str, Publisher]:
    """A publisher for each platform whose credentials and instance are configured."""
    out: dict[str, Publisher] = {}
    mastodon = _source(workspace, "mastodon")
    if settings.mastodon_access_token and mastodon is not None and mastodon.base_url:
        out["mastodon"] = MastodonPublisher(
            base_url=mastodon.base_url,
            access_token=settings.mastodon_access_token,
            visibility=str(mastodon.options.get("reply_visibility", "public")),
        )
    elif settings.mastodon_access_token:
        log.warning("MASTODON_ACCESS_TOKEN is set, but no Mastodon source names its base_url")
    if settings.bluesky_handle and settings.bluesky_app_password:
        bluesky = _source(workspace, "bluesky")
        service = bluesky.base_url if bluesky is not None and bluesky.base_url else ""
        if not service or any(host in service for host in _APPVIEWS):
            service = DEFAULT_SERVICE
        out["bluesky"] = BlueskyPublisher(
            handle=settings.bluesky_handle,
            app_password=settings.bluesky_app_password,
            service_url=service,
        )
    return out


def build_ports(
    settings: Settings, workspace: Workspace
) -> tuple[LLM | None, dict[str, Publisher]]:
    """The model (or None: offline drafting) and the publishers by platform."""
    llm = build_llm(settings)
    publishers = build_publishers(settings, workspace)
    log.info(
        "drafts: %s; publishing to %s",
        f"model {settings.openai_model}" if llm is not None else "offline templates",
        ", ".join(sorted(publishers)) or "no platform (ready-to-post only)",
    )
    return llm, publishers
