"""Writing the variants of a draft: the model when one is configured, else the templates."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from config.workspace import Workspace
from core.drafts.errors import ModelError
from core.drafts.facts import Facts
from core.drafts.offline import offline_variants, sign
from core.drafts.prompt import MAX_VARIANTS, Quoted, parse_variants, system_message, user_message
from core.models import Mention
from core.ports import LLM

log = logging.getLogger(__name__)
VARIANTS = 3
# A whole drafting call, retries included (the client has its own per-request timeout).
DEADLINE_SECONDS = 120.0


@dataclass(frozen=True)
class Written:
    """What the writer produced: the variants, and who wrote them (model name or offline)."""

    variants: list[str]
    origin: str  # "model" | "offline"
    model: str | None = None


def mention_data(mention: Mention) -> dict[str, str]:
    """The fields of the mention the model may read (quoted data, never instructions)."""
    return {
        "platform": mention.source_type,
        "author": mention.author or "",
        "author_handle": mention.author_handle or "",
        "language": mention.language or "",
        "title": mention.title or "",
        "text": mention.text,
    }


async def write_variants(
    llm: LLM | None,
    *,
    mention: Mention,
    thread: list[Mention],
    workspace: Workspace,
    facts: Facts,
    target: str,
    language: str,
    intent: str,
    story: str | None = None,
) -> Written:
    """Two or three variants in the mention's language; raises ModelError when the model fails.

    `intent` (complaint, question, praise, purchase, other) decides what kind of answer is
    written; `story` is the label of the topic the mention belongs to, if any.
    """
    voice = workspace.voice
    if llm is None:
        written = offline_variants(
            intent=intent,
            language=language,
            signature=voice.signature,
            text=mention.text,
            brand=workspace.brand,
            facts=facts.lines,
            target=target,
        )
        return Written(written, "offline")
    messages = [
        {
            "role": "system",
            "content": system_message(
                brand=workspace.brand.name,
                voice=voice,
                target=target,
                language=language,
                variants=VARIANTS,
                intent=intent,
            ),
        },
        {
            "role": "user",
            "content": user_message(
                mention=mention_data(mention),
                thread=[Quoted(m.author or m.author_handle or "", m.text) for m in thread],
                facts=facts.for_prompt,
                variants=VARIANTS,
                intent=intent,
                story=story,
            ),
        },
    ]
    try:
        answers = await asyncio.wait_for(
            llm.complete(messages=messages, n=1, max_tokens=900, temperature=0.6),
            timeout=DEADLINE_SECONDS,
        )
    except ModelError:
        raise
    except TimeoutError as exc:
        raise ModelError("timeout") from exc
    except Exception as exc:
        log.exception("the language model failed")
        raise ModelError("server", type(exc).__name__) from exc
    variants: list[str] = []
    for answer in answers:
        for variant in parse_variants(answer or "", limit=MAX_VARIANTS):
            if variant not in variants:
                variants.append(variant)
    if not variants:
        raise ModelError("empty")
    signed = [sign(v, voice.signature) for v in variants[:MAX_VARIANTS]]
    return Written(signed, "model", getattr(llm, "model", None))
