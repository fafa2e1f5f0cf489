"""Signed, expiring download links for the files the bot hands over (Teams cannot take a
file upload from a bot into a channel): `GET /files/{name}?exp=…&sig=…`.

The signature is HMAC-SHA256 over the file name and the expiry (Unix seconds) with
HORCH_FILES_SECRET; a wrong or missing signature answers 403, an expired link 410, a file
that is gone 404. Only files directly in the files folder are served, by name (no paths).
With several replicas, set the same secret on each and share the folder between them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from aiohttp import web

from config.settings import Settings
from core.clock import utcnow
from core.reply import File
from handlers.context import Services

log = logging.getLogger(__name__)
ROUTE = "/files/{name}"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$")
MIMES = {
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class FileLinks:
    """Makes and checks the links; `base_url` is the bot's public address."""

    folder: Path
    base_url: str
    secret: bytes
    ttl: dt.timedelta
    clock: Callable[[], dt.datetime] = field(default=utcnow)

    @classmethod
    def from_settings(cls, settings: Settings) -> FileLinks:
        secret = settings.files_secret.encode()
        if not secret:
            # A link then works only on the replica that made it, until it restarts.
            secret = secrets.token_bytes(32)
            if settings.public_url:
                log.warning(
                    "HORCH_FILES_SECRET is not set: download links are signed with a random "
                    "key of this process (they stop working when it restarts, and on other "
                    "replicas)"
                )
        return cls(
            folder=Path(settings.files_dir),
            base_url=settings.public_url.rstrip("/"),
            secret=secret,
            ttl=dt.timedelta(hours=settings.files_link_hours),
        )

    def _signature(self, name: str, expires: int) -> str:
        message = f"{name}\n{expires}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).hexdigest()

    def expires(self) -> dt.datetime:
        return self.clock().replace(microsecond=0) + self.ttl

    def url(self, file: File) -> str | None:
        """The download link of a file in the folder; None without a public address (or
        for a file that is not in the folder)."""
        if not self.base_url or file.path is None:
            return None
        if file.path.resolve().parent != self.folder.resolve() or not _NAME.match(file.path.name):
            return None
        expires = int(self.expires().replace(tzinfo=dt.UTC).timestamp())
        name = file.path.name
        sig = self._signature(name, expires)
        return f"{self.base_url}/files/{quote(name)}?exp={expires}&sig={sig}"

    def check(self, name: str, exp: str, sig: str) -> int:
        """200 when the link is good; else the status to answer (403, 410)."""
        if not _NAME.match(name) or not exp.isdigit() or len(exp) > 12:
            return 403
        if not hmac.compare_digest(self._signature(name, int(exp)), sig):
            return 403
        now = self.clock().replace(tzinfo=dt.UTC).timestamp()
        return 410 if int(exp) < now else 200

    async def serve(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        status = self.check(name, request.query.get("exp", ""), request.query.get("sig", ""))
        if status == 403:
            return web.Response(status=403, text="this download link is not valid\n")
        if status == 410:
            return web.Response(status=410, text="this download link has expired; ask again\n")
        path = self.folder / name
        if not path.is_file():
            return web.Response(status=404, text="this file is no longer kept; ask again\n")
        headers = {
            "Content-Type": MIMES.get(path.suffix.lower(), "application/octet-stream"),
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        }
        return web.FileResponse(path, headers=headers)


# The link maker, for the platforms that link to files instead of uploading them (Teams).
FILE_LINKS = web.AppKey("file_links", FileLinks)


def setup(app: web.Application, services: Services) -> None:
    """Serve GET /files/{name} and share the link maker (`app[FILE_LINKS]`, for Teams)."""
    links = FileLinks.from_settings(services.settings)
    app[FILE_LINKS] = links
    app.router.add_get(ROUTE, links.serve)
