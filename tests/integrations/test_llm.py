"""The openai client over HTTP against a local OpenAI-compatible server."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from config.settings import Settings
from core.drafts.errors import ModelError
from integrations.llm import OpenAIChat, build_llm
from tests.integrations.fake_platforms import FakeOpenAI


def two_variants(_body: dict[str, Any]) -> str:
    return json.dumps({"variants": ["Danke für den Hinweis!", "Vielen Dank, wir prüfen das."]})


@pytest.fixture
async def openai_server() -> AsyncIterator[FakeOpenAI]:
    """A local OpenAI-compatible chat server answering with two variants."""
    server = await FakeOpenAI(two_variants).start()
    yield server
    await server.close()


MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}]


def client(server: FakeOpenAI, **kw: object) -> OpenAIChat:
    return OpenAIChat(
        model="gpt-4o-mini",
        api_key="sk-test",
        base_url=server.url + "/v1",
        **kw,  # type: ignore[arg-type]
    )


async def test_complete_sends_the_chat_and_returns_the_answer(openai_server: FakeOpenAI) -> None:
    llm = client(openai_server)
    try:
        answers = await llm.complete(messages=MESSAGES, max_tokens=123, temperature=0.2)
    finally:
        await llm.close()
    assert len(answers) == 1 and "variants" in answers[0]
    body = openai_server.bodies[0]
    assert body["model"] == "gpt-4o-mini"
    assert body["messages"] == MESSAGES
    assert body["max_tokens"] == 123 and body["temperature"] == 0.2
    assert "n" not in body  # n=1 is not sent: some compatible servers reject it


async def test_n_choices(openai_server: FakeOpenAI) -> None:
    llm = client(openai_server)
    try:
        answers = await llm.complete(messages=MESSAGES, n=3)
    finally:
        await llm.close()
    assert len(answers) == 3 and openai_server.bodies[0]["n"] == 3


async def test_retries_a_server_error_then_succeeds(openai_server: FakeOpenAI) -> None:
    openai_server.fail = [503]
    llm = client(openai_server, max_retries=1)
    try:
        answers = await llm.complete(messages=MESSAGES)
    finally:
        await llm.close()
    assert answers and len(openai_server.bodies) == 2


@pytest.mark.parametrize(
    "status,kind", [(429, "rate_limit"), (500, "server"), (401, "auth"), (404, "bad_request")]
)
async def test_failures_become_model_errors(
    openai_server: FakeOpenAI, status: int, kind: str
) -> None:
    openai_server.fail = [status] * 3
    llm = client(openai_server, max_retries=0)
    try:
        with pytest.raises(ModelError) as info:
            await llm.complete(messages=MESSAGES)
    finally:
        await llm.close()
    assert info.value.kind == kind


async def test_wrong_key_is_an_auth_error(openai_server: FakeOpenAI) -> None:
    llm = OpenAIChat(model="m", api_key="wrong", base_url=openai_server.url + "/v1", max_retries=0)
    try:
        with pytest.raises(ModelError) as info:
            await llm.complete(messages=MESSAGES)
    finally:
        await llm.close()
    assert info.value.kind == "auth"


async def test_unreachable_server_is_a_connection_error() -> None:
    llm = OpenAIChat(model="m", api_key="k", base_url="http://127.0.0.1:9/v1", max_retries=0)
    try:
        with pytest.raises(ModelError) as info:
            await llm.complete(messages=MESSAGES)
    finally:
        await llm.close()
    assert info.value.kind == "connection"


async def test_switches_to_max_completion_tokens_when_the_server_asks(
    openai_server: FakeOpenAI,
) -> None:
    openai_server.reject_params = {"max_tokens", "temperature"}
    llm = client(openai_server, max_retries=0)
    try:
        assert await llm.complete(messages=MESSAGES, max_tokens=50)
        # Learned once: the next call goes straight through.
        assert await llm.complete(messages=MESSAGES, max_tokens=50)
    finally:
        await llm.close()
    accepted = openai_server.bodies[-1]
    assert accepted["max_completion_tokens"] == 50
    assert "max_tokens" not in accepted and "temperature" not in accepted
    assert len(openai_server.bodies) == 4  # two refused, then two accepted


def test_no_model_without_key_or_base_url() -> None:
    assert build_llm(Settings.for_tests()) is None
    llm = build_llm(Settings.for_tests(openai_base_url="http://127.0.0.1:11434/v1"))
    assert llm is not None and llm.model == "gpt-4o-mini"
