"""People, not platform accounts: who someone is, whichever platform they write from.

The workspace file may link the accounts a person uses (`people: {anna: [slack:U…,
teams:…, console:anna]}`). Core compares identities only as opaque `platform:id` strings
(the platform is the label the adapter put on the actor); it names no platform itself.
An account the file links to nobody is a person of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.reply import Actor


def identity(platform: str, user_id: str) -> str:
    """One account as a platform-neutral string: `platform:id`."""
    return f"{platform}:{user_id}"


def identities(actor: Actor) -> set[str]:
    """The actor's account, and the groups its platform says it belongs to
    (`platform:group:id`)."""
    return {identity(actor.platform, actor.id)} | {
        identity(actor.platform, f"group:{g}") for g in actor.groups
    }


class People:
    """Who is who: the accounts each person of the workspace file links."""

    def __init__(self, links: Mapping[str, Iterable[str]] | None = None) -> None:
        self._person: dict[str, str] = {}
        self._accounts: dict[str, set[str]] = {}
        for person, accounts in (links or {}).items():
            self._accounts[person] = set(accounts)
            for account in accounts:
                self._person[account] = person

    def person(self, platform: str, user_id: str) -> str:
        """The person behind an account: their name in the file, else the account itself."""
        account = identity(platform, user_id)
        return self._person.get(account, account)

    def of(self, actor: Actor) -> str:
        """The person behind the actor."""
        return self.person(actor.platform, actor.id)

    def accounts(self, person: str) -> set[str]:
        """Every account of this person (an unlinked account: just itself)."""
        return self._accounts.get(person, {person})

    def accounts_of(self, actor: Actor) -> list[tuple[str, str]]:
        """Every account of the actor's person, as (platform, id) pairs, the actor's first."""
        pairs: list[tuple[str, str]] = [(actor.platform, actor.id)]
        for account in sorted(self.accounts(self.of(actor)) - {identity(*pairs[0])}):
            platform, _, user_id = account.partition(":")
            pairs.append((platform, user_id))
        return pairs

    def same(self, actor: Actor, platform: str | None, user_id: str | None) -> bool:
        """Whether the actor is the person behind the account (platform, user_id)."""
        if not platform or not user_id:
            return False
        return self.of(actor) == self.person(platform, user_id)
