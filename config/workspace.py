"""The team's workspace file: what to listen for, where to post, who approves.

Loaded once at start from the YAML file named by `HORCH_WORKSPACE`. A wrong value stops the
start with the file, the key and what was expected (`WorkspaceError`).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

Locale = Literal["de", "en"]
TermKind = Literal["brand", "product", "competitor", "keyword", "hashtag"]
SourceType = Literal[
    "rss",
    "mastodon",
    "bluesky",
    "reddit",
    "hackernews",
    "x",
    "discourse",
    "youtube",
    "appstore",
    "lemmy",
    "webhook",
    "files",
]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_WORKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri")
_LOCALES: tuple[Locale, ...] = ("de", "en")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class WorkspaceError(Exception):
    """The workspace file is missing or holds a wrong value."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Named(_Strict):
    """A brand, product or competitor with the other names people use for it."""

    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)


class Brand(Named):
    products: list[Named] = Field(default_factory=list)


class SourceConfig(_Strict):
    """One place to listen. `type` picks the client; the other keys are that client's options."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    type: SourceType
    enabled: bool = True
    interval_seconds: int = Field(default=300, ge=10, le=86_400)
    keep_all: bool = False
    url: str | None = None
    base_url: str | None = None
    query: str | None = None
    hashtags: list[str] = Field(default_factory=list)
    subreddits: list[str] = Field(default_factory=list)
    app_id: str | None = None  # appstore: the app's numeric id (apps.apple.com/…/id123)
    countries: list[str] = Field(default_factory=list)  # appstore: storefronts, e.g. [de, at]
    options: dict[str, Any] = Field(default_factory=dict)


class ChannelRef(_Strict):
    """A chat channel: `platform` slack or teams, and the platform's channel/conversation id."""

    platform: Literal["slack", "teams", "console"]
    id: str = Field(min_length=1)


class Channels(_Strict):
    alerts: list[ChannelRef] = Field(default_factory=list)
    standup: list[ChannelRef] = Field(default_factory=list)
    briefs: list[ChannelRef] = Field(default_factory=list)
    drafts: list[ChannelRef] = Field(default_factory=list)


class Standup(_Strict):
    at: str = "09:30"
    weekdays: list[Weekday] = Field(default_factory=lambda: list(_WORKDAYS))
    grace_minutes: int = Field(default=60, ge=0, le=24 * 60)

    @field_validator("at")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        if not _TIME.match(value):
            raise ValueError("a time of day as HH:MM, for example 09:30")
        return value


class Schedules(_Strict):
    timezone: str = "Europe/Berlin"
    standup: Standup = Field(default_factory=Standup)
    holidays: list[dt.date] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("an IANA time zone such as Europe/Berlin") from exc
        return value


class Voice(_Strict):
    tone: str = "friendly, precise, no hype"
    do: list[str] = Field(default_factory=list)
    dont: list[str] = Field(default_factory=list)
    signature: str = ""
    facts_file: str | None = None
    allowed_link_domains: list[str] = Field(default_factory=list)


class Approvers(_Strict):
    slack_users: list[str] = Field(default_factory=list)
    slack_usergroups: list[str] = Field(default_factory=list)
    teams_aad: list[str] = Field(default_factory=list)
    console: list[str] = Field(default_factory=lambda: ["console"])
    # People (keys of the `people:` section) who approve, with whichever account they use.
    people: list[str] = Field(default_factory=list)
    # How many different people must approve a draft before it is approved.
    required: int = Field(default=1, ge=1, le=10)
    four_eyes: bool = False

    def identities(self) -> frozenset[str]:
        """The approver accounts as platform-neutral identities (`platform:id`, and
        `platform:group:id` for a user group), as core.people compares them."""
        return frozenset(
            [f"slack:{u}" for u in self.slack_users]
            + [f"slack:group:{g}" for g in self.slack_usergroups]
            + [f"teams:{a}" for a in self.teams_aad]
            + [f"console:{c}" for c in self.console]
        )


# An account a person uses: `slack:U0123ABCD`, `teams:<AAD object id>`, `console:anna`.
_IDENTITY = re.compile(r"^(slack|teams|console):[^\s:][^\s]{0,254}$")


class Workspace(_Strict):
    """The whole workspace file."""

    name: str = "Horchposten"
    default_locale: Locale = "de"
    languages: list[Locale] = Field(default_factory=lambda: list(_LOCALES))
    brand: Brand
    competitors: list[Named] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    hashtags: list[str] = Field(default_factory=list)
    exclusions: list[str] = Field(default_factory=list)
    sources: list[SourceConfig] = Field(default_factory=list)
    channels: Channels = Field(default_factory=Channels)
    schedules: Schedules = Field(default_factory=Schedules)
    voice: Voice = Field(default_factory=Voice)
    approvers: Approvers = Field(default_factory=Approvers)
    # A person and the accounts they use on each platform: one person, however they write.
    people: dict[str, list[str]] = Field(default_factory=dict)
    base_dir: Path = Field(default=Path("."), exclude=True)

    @field_validator("people")
    @classmethod
    def _people(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        owner: dict[str, str] = {}
        for person, accounts in value.items():
            if not person.strip() or ":" in person:
                raise ValueError(f"a person's name may not be empty or hold ':' ({person!r})")
            for account in accounts:
                if not _IDENTITY.match(account):
                    raise ValueError(
                        f"{person}: {account!r} is not slack:ID, teams:ID or console:NAME"
                    )
                if owner.setdefault(account, person) != person:
                    raise ValueError(f"{account} is linked to both {owner[account]} and {person}")
        return value

    @model_validator(mode="after")
    def _approving_people_exist(self) -> Workspace:
        unknown = [p for p in self.approvers.people if p not in self.people]
        if unknown:
            raise ValueError(f"approvers.people names no one in people: {', '.join(unknown)}")
        return self

    @field_validator("hashtags")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        return [v if v.startswith("#") else f"#{v}" for v in values]

    def source(self, name: str) -> SourceConfig | None:
        return next((s for s in self.sources if s.name == name), None)

    def watch_terms(self) -> list[tuple[str, TermKind, str]]:
        """The watchlist the file seeds: (term, kind, entity) for every name and alias."""
        out: list[tuple[str, TermKind, str]] = []

        def add(entity: Named, kind: TermKind) -> None:
            out.extend((name, kind, entity.name) for name in (entity.name, *entity.aliases))

        add(self.brand, "brand")
        for product in self.brand.products:
            add(product, "product")
        for comp in self.competitors:
            add(comp, "competitor")
        out += [(k, "keyword", k) for k in self.keywords]
        out += [(h, "hashtag", h) for h in self.hashtags]
        return out

    def resolve(self, path: str) -> Path:
        """A path named in the file, relative to the file's folder."""
        p = Path(path)
        return p if p.is_absolute() else self.base_dir / p


def _format_error(path: Path, exc: ValidationError) -> str:
    lines = [f"{path}: the workspace file has {exc.error_count()} wrong value(s):"]
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key (misspelt?)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def load_workspace(path: Path) -> Workspace:
    """Read and check the workspace file; raise `WorkspaceError` with file, key and expectation."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WorkspaceError(f"{path}: workspace file not found (HORCH_WORKSPACE)") from exc
    except yaml.YAMLError as exc:
        raise WorkspaceError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise WorkspaceError(f"{path}: expected a mapping of keys at the top level")
    try:
        ws = Workspace.model_validate(raw)
    except ValidationError as exc:
        raise WorkspaceError(_format_error(path, exc)) from exc
    ws.base_dir = path.resolve().parent
    return ws
