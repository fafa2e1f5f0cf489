"""A backlog suggestion: what to make, for whom, where, why (evidence) and its ICE score."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from core.backlog.ice import Ice, points
from core.models_backlog import BacklogItem

# Where each format is usually published (a reply thread goes where the mentions are).
CHANNEL_OF_FORMAT = {
    "linkedin_post": "linkedin",
    "blog_article": "blog",
    "short_video": "instagram",
    "faq_entry": "website",
}


def fingerprint(kind: str, topic_key: str) -> str:
    """A stable name for a suggestion: the same kind and topic give the same fingerprint."""
    digest = hashlib.blake2b(f"{kind}|{topic_key}".encode(), digest_size=10).hexdigest()
    return f"{kind}:{digest}"


@dataclass
class Suggestion:
    """One proposed backlog item, before it is stored."""

    kind: str  # trend | question | complaint | praise | purchase | competitor
    topic_key: str  # topic:<story>, term:…, tag:…
    title: str
    story: str
    audience: str
    channel: str
    format: str
    ice: Ice
    counts: dict[str, float] = field(default_factory=dict)
    mention_ids: list[int] = field(default_factory=list)
    window_days: int = 7
    enriched: bool = False
    # What the suggestion is about, whatever kind of item it is: a story is one item,
    # whether its people complain this week or ask next week.
    identity: str | None = None

    @property
    def fingerprint(self) -> str:
        if self.identity:
            return fingerprint("story", self.identity)
        return fingerprint(self.kind, self.topic_key)

    def evidence(self) -> dict[str, object]:
        return {
            "counts": self.counts,
            "mention_ids": self.mention_ids,
            "window_days": self.window_days,
        }

    def to_item(self, *, locale: str, created_by: str, now: dt.datetime) -> BacklogItem:
        return BacklogItem(
            kind=self.kind,
            topic_key=self.topic_key[:300],
            fingerprint=self.fingerprint,
            title=self.title[:300],
            story=self.story,
            audience=self.audience[:255],
            channel=self.channel[:64],
            format=self.format,
            evidence=json.dumps(self.evidence(), sort_keys=True),
            impact=self.ice.impact,
            confidence=self.ice.confidence,
            ease=self.ice.ease,
            score=self.ice.score,
            ice_basis=json.dumps(self.ice.basis(), sort_keys=True),
            points=points(self.format),
            locale=locale,
            enriched=self.enriched,
            created_by=created_by,
            created_at=now,
            updated_at=now,
            state_changed_at=now,
        )
