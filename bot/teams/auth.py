"""Who may post to /api/messages: the Bot Framework, proven by a signed JWT.

The SDK's `ConfigurationBotFrameworkAuthentication` gets a configuration object built from
Settings (it never reads the environment itself). Without an app id the endpoint runs
unauthenticated, for the Bot Framework Emulator — the endpoint then only answers loopback
clients (bot.teams.endpoint).

The SDK fetches the Bot Framework's signing keys with blocking `requests` calls inside its
async validation; validation therefore runs in a worker thread with its own event loop,
so a slow key download never stalls the bot's other turns. Every way a token can be wrong
(missing, malformed, unknown key, bad signature, wrong audience or service URL) is a 401;
only a failure to reach the key service is a 503.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from botbuilder.integration.aiohttp import (
    ConfigurationBotFrameworkAuthentication,
    ConfigurationServiceClientCredentialFactory,
)
from botbuilder.schema import Activity
from botframework.connector.auth import AuthenticateRequestResult, BotFrameworkAuthentication

from bot.teams.sdk_workarounds import LeanAuthentication
from config.settings import Settings

log = logging.getLogger(__name__)
APP_TYPES = {
    "singletenant": "SingleTenant",
    "multitenant": "MultiTenant",
    "userassignedmsi": "UserAssignedMSI",
}
AUTH_TIMEOUT = 15.0


class Unauthorized(Exception):
    """The request does not prove it comes from the Bot Framework (HTTP 401)."""


class AuthUnavailable(Exception):
    """The signing keys could not be fetched, so nothing can be verified now (HTTP 503)."""


@dataclass(frozen=True)
class SdkConfig:
    """The attributes `ConfigurationBotFrameworkAuthentication` looks up, from Settings."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def settings_problem(settings: Settings) -> str | None:
    """Why these Teams settings cannot work, or None when they can."""
    app_type = APP_TYPES.get(settings.microsoft_app_type.strip().lower())
    if app_type is None:
        return (
            f"MicrosoftAppType={settings.microsoft_app_type!r} is not one of "
            "SingleTenant, MultiTenant, UserAssignedMSI"
        )
    if not settings.microsoft_app_id:
        return None
    if app_type in ("SingleTenant", "UserAssignedMSI") and not settings.microsoft_app_tenant_id:
        return f"MicrosoftAppType={app_type} needs MicrosoftAppTenantId"
    if app_type != "UserAssignedMSI" and not settings.microsoft_app_password:
        return "MicrosoftAppId is set but MicrosoftAppPassword is empty"
    return None


def sdk_config(settings: Settings) -> SdkConfig:
    app_type = APP_TYPES.get(settings.microsoft_app_type.strip().lower(), "SingleTenant")
    if not settings.microsoft_app_id:
        # The SDK's "auth disabled" path is its multi-tenant factory without an app id.
        app_type = "MultiTenant"
    return SdkConfig(
        APP_ID=settings.microsoft_app_id,
        APP_PASSWORD=settings.microsoft_app_password,
        APP_TYPE=app_type,
        APP_TENANTID=settings.microsoft_app_tenant_id,
    )


def build_authentication(settings: Settings) -> LeanAuthentication:
    """The SDK's configuration-based authentication, without its unused HTTP clients."""
    config = sdk_config(settings)
    credentials = ConfigurationServiceClientCredentialFactory(config)
    inner = ConfigurationBotFrameworkAuthentication(config, credentials_factory=credentials)
    return LeanAuthentication(inner, credentials, config.APP_ID)


class Authenticator:
    """Checks the Authorization header of an inbound activity."""

    def __init__(
        self,
        authentication: BotFrameworkAuthentication,
        *,
        enabled: bool,
        timeout: float = AUTH_TIMEOUT,
    ) -> None:
        self.authentication = authentication
        self.enabled = enabled
        self.timeout = timeout

    async def authenticate(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        if not self.enabled:
            # Emulator mode: no token is checked (and none would be sent).
            return await self.authentication.authenticate_request(activity, "")
        if not header.strip():
            raise Unauthorized("no Authorization header")
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._in_thread, activity, header), timeout=self.timeout
            )
        except PermissionError as exc:
            raise Unauthorized(str(exc) or "not authorized") from exc
        except (OSError, TimeoutError) as exc:  # requests' errors are OSErrors
            raise AuthUnavailable(type(exc).__name__) from exc
        except Exception as exc:  # a malformed token: the SDK raises whatever jwt raised
            raise Unauthorized(f"invalid token ({type(exc).__name__})") from exc

    def _in_thread(self, activity: Activity, header: str) -> AuthenticateRequestResult:
        return asyncio.run(self.authentication.authenticate_request(activity, header))
