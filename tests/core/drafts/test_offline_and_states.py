"""The offline drafter and the draft model's moves."""

from __future__ import annotations

import pytest

from core.clock import utcnow
from core.drafts import states
from core.drafts.intent import intent_of, language_of
from core.drafts.offline import offline_variants, sign
from core.models import Mention


@pytest.mark.parametrize("intent", ["question", "complaint", "praise", "other"])
@pytest.mark.parametrize("language", ["de", "en"])
def test_templates_exist_per_intent_and_language(intent: str, language: str) -> None:
    variants = offline_variants(intent=intent, language=language, signature="– Team Lumora")
    assert len(variants) == 2 and len(set(variants)) == 2
    assert all(v.endswith("\n– Team Lumora") for v in variants)
    assert not any(v.startswith("drafts.") for v in variants)


def test_templates_are_in_the_mentions_language() -> None:
    de = offline_variants(intent="question", language="de", signature="")
    en = offline_variants(intent="question", language="en", signature="")
    assert "Frage" in de[0] and "question" in en[0]


def test_sign_does_not_double_the_signature() -> None:
    assert sign("Hi\n– T", "– T") == "Hi\n– T"
    assert sign("Hi", "") == "Hi"


def mention(**kw: object) -> Mention:
    values: dict = dict(source="t", external_id="1", text="x", published_at=utcnow())
    values.update(kw)
    return Mention(**values)


def test_intent_falls_back_to_question_mark_and_sentiment() -> None:
    assert intent_of(mention(intent="praise")) == "praise"
    assert intent_of(mention(text="Wann kommt sie?")) == "question"
    assert intent_of(mention(sentiment="negative")) == "complaint"
    assert intent_of(mention(sentiment="positive")) == "praise"
    assert intent_of(mention()) == "other"
    assert language_of(mention(language="de"), "en") == "de"
    assert language_of(mention(language="fr"), "de") == "de"


def test_moves() -> None:
    assert states.can_move("proposed", "edited") and states.can_move("edited", "edited")
    assert states.can_move("approved", "published") and states.can_move("approved", "ready_to_post")
    assert not states.can_move("published", "approved") and not states.can_move(
        "rejected", "edited"
    )
    assert not states.can_move("proposed", "published")  # never without approval
    assert set(states.sources_of("approved")) == {"proposed", "edited"}
