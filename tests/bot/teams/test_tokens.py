"""The bot's bearer token: fetched through the SDK's credentials, kept across turns."""

from __future__ import annotations

from bot.teams.tokens import TokenSource


class Credentials:
    """What the SDK's MicrosoftAppCredentials offers (MSAL stays out of the test)."""

    def __init__(self, app_id: str | None, scope: str = "https://api.botframework.com") -> None:
        self.microsoft_app_id = app_id
        self.oauth_scope = scope
        self.oauth_endpoint = "https://login.microsoftonline.com/tenant"
        self.fetched = 0

    def get_access_token(self, force_refresh: bool = False) -> str:
        self.fetched += 1
        return f"token-{self.fetched}"


async def test_the_token_comes_from_the_first_credentials_of_an_app() -> None:
    tokens = TokenSource()
    first, second = Credentials("app"), Credentials("app")
    assert await tokens.authorization(first) == "Bearer token-1"
    # A new turn brings new credentials; the kept ones (and their MSAL cache) answer.
    assert await tokens.authorization(second) == "Bearer token-2"
    assert (first.fetched, second.fetched) == (2, 0)


async def test_no_app_id_means_no_header() -> None:
    tokens = TokenSource()
    assert await tokens.authorization(None) is None
    assert await tokens.authorization(Credentials(None)) is None
    assert await tokens.authorization(Credentials("")) is None
    assert await tokens.authorization(Credentials("AnonymousSkill")) is None
