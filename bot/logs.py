"""Logging set-up: one line per record, and no secret ever in a line."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from config.settings import Settings

_SECRET_FIELDS = (
    "slack_bot_token",
    "slack_signing_secret",
    "slack_app_token",
    "microsoft_app_password",
    "openai_api_key",
    "webhook_secret",
    "bluesky_app_password",
    "reddit_client_secret",
    "x_bearer_token",
    "mastodon_access_token",
)
# Token shapes worth hiding even when they are not ours (a user pasting one in a command),
# and credentials in Authorization form (an SDK logging its headers, a server echoing them:
# Basic carries base64 of "id:secret", which matches no configured secret as written).
_TOKEN_SHAPES = re.compile(
    r"\b(xox[abposr]-[\w-]+|xapp-[\w-]+|sk-[\w-]{16,})"
    r"|\b(?:Bearer|Basic)\s+[\w.~+/-]{8,}=*",
    re.IGNORECASE,
)


class RedactingFilter(logging.Filter):
    """Replaces configured secrets and token-shaped strings in every record by '***'."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = sorted({s for s in secrets if len(s) >= 6}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = _TOKEN_SHAPES.sub("***", message)
        for secret in self.secrets:
            clean = clean.replace(secret, "***")
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if clean != message:
            record.msg, record.args = clean, None
        return True

    def _clean(self, text: str) -> str:
        text = _TOKEN_SHAPES.sub("***", text)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def configure_logging(settings: Settings, *, log_file: Path | None = None) -> None:
    """Root logging at the configured level, with secrets redacted.

    With `log_file` (the interactive console is on), the terminal only gets warnings and
    errors, so the chat stays readable; everything else goes to the file.
    """
    redact = RedactingFilter([str(getattr(settings, f)) for f in _SECRET_FIELDS])
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")
    terminal = logging.StreamHandler()
    terminal.setFormatter(formatter)
    terminal.addFilter(redact)
    handlers: list[logging.Handler] = [terminal]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        terminal.setLevel(logging.WARNING)
        to_file = logging.FileHandler(log_file, encoding="utf-8")
        to_file.setFormatter(formatter)
        to_file.addFilter(redact)
        handlers.append(to_file)
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(settings.log_level.upper())
    for noisy in (
        "aiohttp.access",
        "alembic",
        "httpx",
        "httpcore",
        "apscheduler",
        "openai",
        "fontTools",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
