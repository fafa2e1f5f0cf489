"""The language model: the openai package's async client against any OpenAI-compatible server.

`OPENAI_BASE_URL` points it at Azure OpenAI (`https://RESOURCE.openai.azure.com/openai/v1/`),
Ollama (`http://localhost:11434/v1`), vLLM or any compatible server; `OPENAI_API_KEY` and
`OPENAI_MODEL` complete it. Without either key or base URL there is no model, and the
offline template drafter (core.drafts.offline) writes instead.

Each request has a timeout and the client retries connection errors, 408/409/429 and 5xx
answers with backoff (the openai package's own policy); what still fails is raised as
`core.drafts.errors.ModelError` with a kind the chat can explain.
"""

from __future__ import annotations

import logging
from typing import cast

import openai
from openai import AsyncOpenAI, omit
from openai.types.chat import ChatCompletionMessageParam

from config.settings import Settings
from core.drafts.errors import ModelError

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 30.0
MAX_RETRIES = 2
# Ollama and other local servers need no key, but the client insists on one.
NO_KEY = "not-needed"


class OpenAIChat:
    """The `LLM` port over chat completions."""

    def __init__(
        self,
        *,
        model: str,
        api_key: str = "",
        base_url: str | None = None,
        timeout: float = TIMEOUT_SECONDS,
        max_retries: int = MAX_RETRIES,
        client: AsyncOpenAI | None = None,
    ) -> None:
        self.model = model
        self._client = client or AsyncOpenAI(
            api_key=api_key or NO_KEY,
            base_url=base_url or None,
            timeout=timeout,
            max_retries=max_retries,
        )
        # Newer OpenAI models take `max_completion_tokens` and a fixed temperature; older
        # and local servers take `max_tokens`. Learn from a 400 once, then remember.
        self._completion_tokens = False
        self._temperature = True

    async def complete(
        self,
        *,
        messages: list[dict[str, str]],
        n: int = 1,
        max_tokens: int = 600,
        temperature: float = 0.4,
    ) -> list[str]:
        """`n` answers to the chat `messages` (role/content pairs)."""
        for _ in range(3):
            try:
                return await self._create(messages, n, max_tokens, temperature)
            except openai.BadRequestError as exc:
                text = str(exc).lower()
                if "max_tokens" in text and not self._completion_tokens:
                    self._completion_tokens = True
                    continue
                if "temperature" in text and self._temperature:
                    self._temperature = False
                    continue
                raise ModelError("bad_request", _short(exc)) from exc
            except openai.APITimeoutError as exc:
                raise ModelError("timeout") from exc
            except openai.RateLimitError as exc:
                raise ModelError("rate_limit", _short(exc)) from exc
            except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
                raise ModelError("auth", _short(exc)) from exc
            except openai.NotFoundError as exc:
                raise ModelError("bad_request", _short(exc)) from exc
            except openai.APIConnectionError as exc:
                raise ModelError("connection", _short(exc)) from exc
            except openai.APIError as exc:
                raise ModelError("server", _short(exc)) from exc
        raise ModelError("bad_request", "the server refused every parameter variant")

    async def _create(
        self, messages: list[dict[str, str]], n: int, max_tokens: int, temperature: float
    ) -> list[str]:
        response = await self._client.chat.completions.create(
            model=self.model,
            messages=cast(list[ChatCompletionMessageParam], messages),
            # Some compatible servers reject `n` altogether: send it only when it matters.
            n=n if n != 1 else omit,
            max_tokens=omit if self._completion_tokens else max_tokens,
            max_completion_tokens=max_tokens if self._completion_tokens else omit,
            temperature=temperature if self._temperature else omit,
        )
        answers = [choice.message.content or "" for choice in response.choices]
        log.info(
            "model %s answered %d choice(s), %s tokens",
            response.model,
            len(answers),
            response.usage.total_tokens if response.usage else "?",
        )
        return answers

    async def close(self) -> None:
        await self._client.close()


def _short(exc: Exception) -> str:
    return str(exc)[:300]


def build_llm(settings: Settings) -> OpenAIChat | None:
    """The model from the settings, or None when neither key nor base URL is set."""
    if not settings.llm_configured:
        return None
    return OpenAIChat(
        model=settings.openai_model,
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url or None,
    )
