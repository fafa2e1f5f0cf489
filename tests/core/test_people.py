"""People across platforms: the workspace's `people:` links, and approvals that count them."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from config.workspace import Approvers, Workspace
from core.drafts.approval import is_approver, may_reject, refusal
from core.models_drafts import Draft
from core.people import People, identities
from core.reply import Actor

LINKS = {"anna": ["slack:U_ANNA", "teams:aad-anna", "console:anna"], "ben": ["slack:U_BEN"]}
PEOPLE = People(LINKS)


def draft(**who: Any) -> Draft:
    values = {"requested_by": "U_X", "requested_by_platform": "slack", **who}
    return Draft(mention_id=1, target="mastodon", text="Hi", **values)


def test_an_account_is_its_person_and_an_unlinked_one_is_its_own() -> None:
    assert PEOPLE.of(Actor("aad-anna", platform="teams")) == "anna"
    assert PEOPLE.of(Actor("U_ANNA", platform="slack")) == "anna"
    assert PEOPLE.of(Actor("U_ANNA", platform="teams")) == "teams:U_ANNA"  # ids are per platform
    assert PEOPLE.accounts("anna") == set(LINKS["anna"])
    assert identities(Actor("U1", platform="slack", groups=("S1",))) == {
        "slack:U1",
        "slack:group:S1",
    }


def test_an_approver_approves_from_every_account_of_theirs() -> None:
    approvers = Approvers(slack_users=["U_ANNA"], console=[])
    assert is_approver(Actor("aad-anna", platform="teams"), approvers, PEOPLE)
    assert is_approver(Actor("anna", platform="console"), approvers, PEOPLE)
    assert not is_approver(Actor("U_BEN", platform="slack"), approvers, PEOPLE)
    # Named as a person, and through a group (only the platform knows the groups).
    assert is_approver(Actor("U_BEN", platform="slack"), Approvers(people=["ben"]), PEOPLE)
    grouped = Approvers(slack_usergroups=["S1"], console=[])
    assert is_approver(Actor("U_Z", platform="slack", groups=("S1",)), grouped, PEOPLE)
    assert not is_approver(Actor("U_Z", platform="teams", groups=("S1",)), grouped, PEOPLE)


def test_four_eyes_counts_people_not_accounts() -> None:
    approvers = Approvers(people=["anna", "ben"], four_eyes=True)
    asked_in_slack = draft(requested_by="U_ANNA", requested_by_platform="slack")
    anna_in_teams = Actor("aad-anna", platform="teams")
    assert refusal(anna_in_teams, asked_in_slack, approvers, PEOPLE) == "four_eyes"
    assert refusal(Actor("U_BEN", platform="slack"), asked_in_slack, approvers, PEOPLE) is None
    edited_in_console = draft(edited_by="anna", edited_by_platform="console")
    assert refusal(anna_in_teams, edited_in_console, approvers, PEOPLE) == "four_eyes"
    # The requester withdraws their own draft from another platform.
    assert may_reject(anna_in_teams, asked_in_slack, Approvers(console=[]), PEOPLE)


def test_the_workspace_file_checks_its_people(minimal: dict[str, Any]) -> None:
    ok = Workspace.model_validate({**minimal, "people": LINKS, "approvers": {"people": ["anna"]}})
    assert ok.people == LINKS
    bad = [
        {"people": {"anna": ["skype:live:anna"]}},
        {"people": {"anna": ["slack:U1"], "ben": ["slack:U1"]}},
        {"people": {"a:b": ["slack:U1"]}},
        {"approvers": {"people": ["nobody"]}},
        {"approvers": {"required": 0}},
    ]
    for change in bad:
        with pytest.raises(ValidationError):
            Workspace.model_validate({**minimal, **change})


@pytest.fixture
def minimal() -> dict[str, Any]:
    return {"brand": {"name": "Lumora"}}
