"""The offline drafter: replies from templates per intent and language, when no model is set.

The templates live in the locale files (drafts.offline.<intent>.<n>), so German and English
always exist together; the draft card says that a template wrote it.
"""

from __future__ import annotations

from core.drafts.intent import INTENTS
from core.i18n import translate

VARIANTS = 2


def offline_variants(*, intent: str, language: str, signature: str) -> list[str]:
    """Two template replies for the intent, in the mention's language, signed."""
    intent = intent if intent in INTENTS else "other"
    out = []
    for n in range(1, VARIANTS + 1):
        text = translate(language, f"drafts.offline.{intent}.{n}")
        out.append(sign(text, signature))
    return out


def sign(text: str, signature: str) -> str:
    """The text with the brand's signature on its own line, unless it already ends with it."""
    text = text.strip()
    signature = signature.strip()
    if not signature or text.endswith(signature):
        return text
    return f"{text}\n{signature}"
