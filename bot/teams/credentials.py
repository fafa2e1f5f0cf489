"""The SDK's authentication, minus the SDK's own HTTP clients (which we never call).

For every turn (and every proactive post) the SDK builds an msrest `ConnectorClient` and a
user-token client; building their configuration costs about 12 ms of CPU each in
botbuilder 4.17.1 (msrest recomputes its retry status list every time), although this bot
sends through ConnectorApi and signs nobody in. `LeanAuthentication` keeps the SDK's
request validation as it is and hands out only what the adapter uses: the bot's
credentials (for its bearer token), through the SDK's own credentials factory.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
)


class CredentialsOnly(SimpleNamespace):
    """Stands where the SDK keeps its ConnectorClient: `.config.credentials`, nothing else."""


class LeanConnectorFactory(ConnectorFactory):
    def __init__(self, credentials_factory: ServiceClientCredentialsFactory, app_id: str) -> None:
        self.credentials_factory = credentials_factory
        self.app_id = app_id

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        credentials = await self.credentials_factory.create_credentials(
            self.app_id,
            audience or AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE,
            AuthenticationConstants.TO_CHANNEL_FROM_BOT_LOGIN_URL_PREFIX,
            True,
        )
        return CredentialsOnly(
            config=SimpleNamespace(credentials=credentials, base_url=service_url)
        )


class LeanAuthentication(BotFrameworkAuthentication):
    """Validates like `inner`; connector factories give credentials; no user-token client."""

    def __init__(
        self,
        inner: BotFrameworkAuthentication,
        credentials_factory: ServiceClientCredentialsFactory,
        app_id: str,
    ) -> None:
        self.inner = inner
        self.factory = LeanConnectorFactory(credentials_factory, app_id)

    async def authenticate_request(
        self, activity: Activity, auth_header: str
    ) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_request(activity, auth_header)
        result.connector_factory = self.factory
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        result = await self.inner.authenticate_streaming_request(auth_header, channel_id_header)
        result.connector_factory = self.factory
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self.factory

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        return None  # the bot signs no user in (no OAuth prompts)

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self.inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self.inner.authenticate_channel_request(auth_header)
