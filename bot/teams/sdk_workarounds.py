"""Every override that a defect of botbuilder 4.17.1 forces, in one place.

`tests/bot/teams/test_sdk_workarounds.py` pins the version and shows each defect on the
installed SDK: after an upgrade, a defect test that fails means the SDK fixed it and its
workaround here can go; the version test lists what to check.

1. **Invoke bodies**: `CloudAdapter.process()` passes an already serialized invoke or
   `expectReplies` body to `serializer_helper`, which fails on plain data (every card click
   would get a 500). bot.teams.endpoint calls `process_activity` itself and writes the body
   with `invoke_json`.
2. **Tenant id**: the SDK's schema serializes `conversation.tenantId` as `tenantID`, which
   the Bot Connector ignores; `wire` puts `tenantId` back.
3. **Proactive replies**: a proactive turn (`continue_conversation`) carries a made-up
   activity id, which `apply_conversation_reference` turns into `replyToId`; `is_proactive`
   lets the adapter post to the conversation itself instead.
4. **Per-turn cost**: for every turn the SDK builds an msrest `ConnectorClient` and a
   user-token client, about 12 ms of CPU each (msrest recomputes its retry status list
   every time), although this bot sends through ConnectorApi and signs nobody in.
   `LeanAuthentication` keeps the SDK's request validation as it is and hands out only
   what the adapter uses: the bot's credentials (for its bearer token), through the SDK's
   own credentials factory.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ActivityEventNames, ActivityTypes
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    ServiceClientCredentialsFactory,
)
from msrest.serialization import Model

from bot.teams.inbound import tenant_of

# The botbuilder release these workarounds were written for and tested against.
WRITTEN_FOR = "4.17.1"


# ----- 1. invoke bodies ---------------------------------------------------------------


def invoke_json(body: Any) -> Any:
    """An invoke body as JSON data (it may be an SDK model or plain data)."""
    if isinstance(body, Model):
        return body.serialize()
    if isinstance(body, list):
        return [invoke_json(b) for b in body]
    return body


# ----- 2. tenant id, 3. proactive replies ------------------------------------------------


def wire(activity: Activity, *, keep_reply_to: bool = False) -> dict[str, Any]:
    """The activity as the Bot Connector expects it: `conversation.tenantId` put back (2),
    and no `replyToId` unless `keep_reply_to`."""
    body: dict[str, Any] = activity.serialize()
    tenant = tenant_of(activity) if activity.conversation else None
    if tenant and isinstance(body.get("conversation"), dict):
        body["conversation"]["tenantId"] = tenant
    if not keep_reply_to:
        body.pop("replyToId", None)
    return body


def is_proactive(context: TurnContext) -> bool:
    """Whether the turn is a proactive one, whose activity id is made up (3)."""
    activity = context.activity
    return (
        activity.type == ActivityTypes.event
        and activity.name == ActivityEventNames.continue_conversation
    )


# ----- 4. per-turn cost ---------------------------------------------------------------


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
