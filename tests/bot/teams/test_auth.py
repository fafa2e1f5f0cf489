"""Teams settings: what the SDK gets, and which combinations cannot work."""

from __future__ import annotations

import pytest

from bot.teams.auth import sdk_config, settings_problem
from config.settings import Settings

APP = "0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
TENANT = "50612dbb-0237-4969-b378-8d42590f9c00"


def test_without_an_app_id_the_sdk_runs_unauthenticated() -> None:
    settings = Settings.for_tests()
    assert settings.microsoft_app_type == "SingleTenant"  # the default for new bots
    assert settings_problem(settings) is None
    config = sdk_config(settings)
    assert (config.APP_ID, config.APP_TYPE) == ("", "MultiTenant")  # the SDK's "auth off"


def test_a_single_tenant_bot_gets_its_tenant() -> None:
    settings = Settings.for_tests(
        MicrosoftAppId=APP, MicrosoftAppPassword="s", MicrosoftAppTenantId=TENANT
    )
    assert settings_problem(settings) is None
    config = sdk_config(settings)
    assert (config.APP_ID, config.APP_PASSWORD, config.APP_TYPE, config.APP_TENANTID) == (
        APP,
        "s",
        "SingleTenant",
        TENANT,
    )


@pytest.mark.parametrize(
    "values,problem",
    [
        ({"microsoft_app_password": "s"}, "MicrosoftAppTenantId"),
        ({"microsoft_app_tenant_id": TENANT}, "MicrosoftAppPassword"),
        ({"microsoft_app_type": "Whatever", "microsoft_app_password": "s"}, "MicrosoftAppType"),
        ({"microsoft_app_type": "UserAssignedMSI"}, "MicrosoftAppTenantId"),
    ],
)
def test_settings_that_cannot_work_are_named(values: dict[str, str], problem: str) -> None:
    reason = settings_problem(Settings.for_tests(microsoft_app_id=APP, **values))
    assert reason is not None and problem in reason


def test_multi_tenant_and_managed_identity_are_accepted() -> None:
    multi = Settings.for_tests(
        microsoft_app_id=APP, microsoft_app_password="s", microsoft_app_type="multitenant"
    )
    assert settings_problem(multi) is None and sdk_config(multi).APP_TYPE == "MultiTenant"
    msi = Settings.for_tests(
        microsoft_app_id=APP, microsoft_app_type="UserAssignedMSI", microsoft_app_tenant_id=TENANT
    )
    assert settings_problem(msi) is None


async def test_turns_get_the_bots_credentials_for_its_tenant_and_no_sdk_clients() -> None:
    from bot.teams.auth import build_authentication

    settings = Settings.for_tests(
        microsoft_app_id=APP, microsoft_app_password="s", microsoft_app_tenant_id=TENANT
    )
    authentication = build_authentication(settings)
    holder = await authentication.create_connector_factory(None).create(  # type: ignore[arg-type]
        "https://smba.trafficmanager.net/amer/",
        None,  # type: ignore[arg-type]
    )
    credentials = holder.config.credentials
    assert credentials.microsoft_app_id == APP
    assert credentials.oauth_endpoint == f"https://login.microsoftonline.com/{TENANT}"
    assert credentials.oauth_scope == "https://api.botframework.com"
    assert await authentication.create_user_token_client(None) is None  # type: ignore[arg-type]
    anonymous = await build_authentication(Settings.for_tests()).factory.create("http://x/", None)  # type: ignore[arg-type]
    assert not anonymous.config.credentials.microsoft_app_id
