"""The one place that reads the environment.

Everything else receives a `Settings` instance. Tests build one explicitly with
`Settings.for_tests(...)`, which ignores the environment and any `.env` file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_WORKSPACE = ROOT / "config" / "workspace.example.yaml"
DEFAULT_DB = ROOT / "var" / "horchposten.db"
DEFAULT_FILES = ROOT / "var" / "reports"


def _alias(*names: str) -> Any:
    return AliasChoices(*names)


def normalize_database_url(url: str) -> str:
    """Map plain URLs to the async drivers we ship (aiosqlite, asyncpg)."""
    if url.startswith("sqlite:///") or url == "sqlite://":
        return "sqlite+aiosqlite" + url[len("sqlite") :]
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


class Settings(BaseSettings):
    """Every setting of the bot; the names in the environment are the stable contract."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    database_url: str = Field(
        default=f"sqlite+aiosqlite:///{DEFAULT_DB}", validation_alias=_alias("DATABASE_URL")
    )
    workspace_path: Path = Field(
        default=DEFAULT_WORKSPACE, validation_alias=_alias("HORCH_WORKSPACE")
    )
    host: str = Field(default="0.0.0.0", validation_alias=_alias("HOST", "HORCH_HOST"))
    port: int = Field(default=3978, validation_alias=_alias("PORT"))
    log_level: str = Field(default="INFO", validation_alias=_alias("HORCH_LOG_LEVEL"))
    seed_demo: bool = Field(default=True, validation_alias=_alias("HORCH_SEED_DEMO"))
    instance_id: str = Field(default="", validation_alias=_alias("HORCH_INSTANCE_ID"))
    # The console's line history, kept across runs.
    console_history: Path = Field(
        default=ROOT / "var" / "console_history", validation_alias=_alias("HORCH_CONSOLE_HISTORY")
    )

    # Slack
    slack_bot_token: str = Field(default="", validation_alias=_alias("SLACK_BOT_TOKEN"))
    slack_signing_secret: str = Field(default="", validation_alias=_alias("SLACK_SIGNING_SECRET"))
    slack_app_token: str = Field(default="", validation_alias=_alias("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(
        default="https://slack.com/api/", validation_alias=_alias("SLACK_API_URL")
    )

    # Files the bot hands over (reports, exports): where they are written, and for Teams,
    # which cannot take an upload from a bot in a channel, a signed download link
    # (HORCH_PUBLIC_URL + /files/…, HMAC-SHA256 with HORCH_FILES_SECRET) valid this long.
    files_dir: Path = Field(default=DEFAULT_FILES, validation_alias=_alias("HORCH_FILES_DIR"))
    public_url: str = Field(default="", validation_alias=_alias("HORCH_PUBLIC_URL"))
    # The Teams app's developer links (python -m bot teams-package): the team's own pages.
    app_website_url: str = Field(default="", validation_alias=_alias("HORCH_WEBSITE_URL"))
    app_privacy_url: str = Field(default="", validation_alias=_alias("HORCH_PRIVACY_URL"))
    app_terms_url: str = Field(default="", validation_alias=_alias("HORCH_TERMS_URL"))
    files_secret: str = Field(default="", validation_alias=_alias("HORCH_FILES_SECRET"))
    files_link_hours: int = Field(
        default=72, ge=1, le=24 * 30, validation_alias=_alias("HORCH_FILES_LINK_HOURS")
    )

    # Microsoft Teams (Bot Framework); names as Azure's own samples spell them
    microsoft_app_id: str = Field(default="", validation_alias=_alias("MicrosoftAppId"))
    microsoft_app_password: str = Field(default="", validation_alias=_alias("MicrosoftAppPassword"))
    microsoft_app_type: str = Field(
        default="SingleTenant", validation_alias=_alias("MicrosoftAppType")
    )
    microsoft_app_tenant_id: str = Field(
        default="", validation_alias=_alias("MicrosoftAppTenantId")
    )
    # Without MicrosoftAppId, /api/messages checks no token (the Bot Framework Emulator on
    # this machine): only when asked for, so a Slack-only deployment exposes no such endpoint.
    teams_emulator: bool = Field(default=False, validation_alias=_alias("HORCH_TEAMS_EMULATOR"))

    # OpenAI-compatible model (OpenAI, Azure OpenAI, Ollama, vLLM, ...)
    openai_api_key: str = Field(default="", validation_alias=_alias("OPENAI_API_KEY"))
    openai_base_url: str = Field(default="", validation_alias=_alias("OPENAI_BASE_URL"))
    openai_model: str = Field(default="gpt-4o-mini", validation_alias=_alias("OPENAI_MODEL"))

    # Sources and ingest
    webhook_secret: str = Field(default="", validation_alias=_alias("HORCH_WEBHOOK_SECRET"))
    mastodon_access_token: str = Field(default="", validation_alias=_alias("MASTODON_ACCESS_TOKEN"))
    bluesky_handle: str = Field(default="", validation_alias=_alias("BLUESKY_HANDLE"))
    bluesky_app_password: str = Field(default="", validation_alias=_alias("BLUESKY_APP_PASSWORD"))
    reddit_client_id: str = Field(default="", validation_alias=_alias("REDDIT_CLIENT_ID"))
    reddit_client_secret: str = Field(default="", validation_alias=_alias("REDDIT_CLIENT_SECRET"))
    x_bearer_token: str = Field(default="", validation_alias=_alias("X_BEARER_TOKEN"))
    youtube_api_key: str = Field(default="", validation_alias=_alias("YOUTUBE_API_KEY"))

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str) -> str:
        return normalize_database_url(value)

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def llm_configured(self) -> bool:
        return bool(self.openai_api_key or self.openai_base_url)

    @classmethod
    def for_tests(cls, **values: Any) -> Settings:
        """Settings that ignore the environment and `.env`: what tests use. Like the local
        demo (`make run`), tests talk to Teams in emulator mode unless they say otherwise."""
        return _IsolatedSettings(**{"seed_demo": False, "teams_emulator": True, **values})


class _IsolatedSettings(Settings):
    """Settings built from explicit values only (no environment, no `.env`)."""

    @classmethod
    def settings_customise_sources(  # type: ignore[override]
        cls, settings_cls: Any, init_settings: Any, *args: Any, **kwargs: Any
    ) -> tuple[Any, ...]:
        return (init_settings,)


def load_settings() -> Settings:
    """Read the environment (and `.env`) once, at start."""
    return Settings()
