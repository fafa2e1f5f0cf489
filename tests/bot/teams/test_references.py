"""Conversation references survive in the database: channel-keyed, thread-free, with tenant."""

from __future__ import annotations

from typing import Any

from botbuilder.schema import Activity

from bot.teams.references import in_thread, is_channel, recall, remember
from tests.bot.teams import activities as act

URL = "https://smba.trafficmanager.net/amer/"
CHANNEL = "19:6848757105754c8981c67612732d9aa7@thread.tacv2"


async def test_a_thread_message_stores_its_channel_and_recall_can_aim_at_a_thread(
    services: Any,
) -> None:
    await remember(services.sessions, Activity().deserialize(act.channel_message("x", URL)))
    reference = await recall(services.sessions, CHANNEL)
    assert reference is not None and is_channel(reference)
    assert reference.conversation.id == CHANNEL and reference.activity_id is None
    assert reference.service_url == URL
    assert reference.bot.id == "28:0b6fe6d1-fece-44f7-9a48-56465e2d5ab8"
    assert reference.conversation.additional_properties["tenantId"] == (
        "50612dbb-0237-4969-b378-8d42590f9c00"
    )
    threaded = await recall(services.sessions, CHANNEL, "99")
    assert threaded is not None and threaded.conversation.id == f"{CHANNEL};messageid=99"
    assert in_thread(threaded, None).conversation.id == CHANNEL
    assert await recall(services.sessions, "19:unknown@thread.tacv2") is None


async def test_a_later_message_refreshes_the_service_url(services: Any) -> None:
    await remember(services.sessions, Activity().deserialize(act.personal_message("x", URL)))
    moved = "https://smba.trafficmanager.net/emea/"
    await remember(services.sessions, Activity().deserialize(act.personal_message("y", moved)))
    conversation = act.fixture(act.PERSONAL_MESSAGE)["conversation"]["id"]
    reference = await recall(services.sessions, conversation)
    assert reference is not None and reference.service_url == moved
    assert not is_channel(reference)


async def test_an_unchanged_reference_is_not_written_again(services: Any) -> None:
    from bot.teams.references import Remembered
    from core.storage.conversations import get_conversation

    written = Remembered()
    conversation = act.fixture(act.PERSONAL_MESSAGE)["conversation"]["id"]

    async def stamp() -> Any:
        async with services.sessions() as session:
            row = await get_conversation(
                session=session, platform="teams", conversation_id=conversation
            )
        return row.updated_at if row else None

    await remember(
        services.sessions, Activity().deserialize(act.personal_message("x", URL)), written
    )
    first = await stamp()
    await remember(
        services.sessions, Activity().deserialize(act.personal_message("y", URL)), written
    )
    assert await stamp() == first  # same reference: no write
    moved = act.personal_message("z", "https://smba.trafficmanager.net/emea/")
    await remember(services.sessions, Activity().deserialize(moved), written)
    assert await stamp() != first
