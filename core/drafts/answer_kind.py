"""Which kind of answer a mention needs, and in which language to write it."""

from __future__ import annotations

from core.models import Mention

INTENTS = ("question", "complaint", "praise", "purchase", "other")
LANGUAGES = ("de", "en")


def intent_of(mention: Mention) -> str:
    """The analysed intent; without one: a question mark, then the sentiment decide."""
    if mention.intent in INTENTS:
        return str(mention.intent)
    if "?" in mention.text:
        return "question"
    if mention.sentiment == "negative":
        return "complaint"
    if mention.sentiment == "positive":
        return "praise"
    return "other"


def language_of(mention: Mention, default: str) -> str:
    """The mention's language when we write it (de, en), else the workspace's."""
    lang = (mention.language or "").lower()[:2]
    return lang if lang in LANGUAGES else (default if default in LANGUAGES else "en")


def wants_reply(mention: Mention) -> bool:
    """Whether a brief should suggest a draft: open questions and complaints."""
    return intent_of(mention) in ("question", "complaint")
