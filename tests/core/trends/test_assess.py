"""The four questions and the verdict, from figures; the buying and churn phrases."""

from __future__ import annotations

import pytest

from core.trends import assess
from core.trends.assess import Figures, Rival
from core.trends.assess_data import own_terms, volatility
from core.trends.lexicon import buying_intent, churn_signal


def figures(**changes: object) -> Figures:
    base: dict[str, object] = {
        "subject": "Lumora Brew",
        "days": 30,
        "n": 600,
        "prev_n": 400,
        "week": 180,
        "prev_week": 120,
        "share_all": 0.12,
        "reach": 90_000,
        "signal": None,
        "sample": 600,
        "capped": False,
        "questions": 90,
        "complaints": 60,
        "open_threads": 40,
        "open_questions": 25,
        "volatility": 0.35,
        "authors": 250,
        "top_voices": [("@a", 9)],
        "top5_share": 0.1,
        "net": 0.3,
        "rivals": [Rival("Kaffeeko", 300, 0.05)],
        "own_terms": ["crema", "mühle", "siebträger"],
        "buying": 30,
        "churn": 8,
    }
    base.update(changes)
    return Figures(**base)  # type: ignore[arg-type]


def test_a_busy_open_distinct_subject_says_engage() -> None:
    verdict = assess.judge(figures())
    assert verdict.decision == "engage"
    assert [a.grade for a in verdict.answers] == ["yes", "yes", "yes", "yes"]
    assert verdict.answers[2].reasons == ("leading", "warmer", "own_terms")


def test_hardly_any_talk_says_leave_alone() -> None:
    verdict = assess.judge(figures(n=12, week=2, prev_week=3, share_all=0.001))
    assert verdict.decision == "leave" and verdict.reason == "quiet"
    assert verdict.answers[0].grade == "no"


def test_no_lever_says_leave_alone() -> None:
    quiet_talk = figures(
        questions=2,
        complaints=1,
        open_threads=0,
        open_questions=0,
        volatility=0.05,
        authors=3,
        top5_share=1.0,
        buying=0,
        churn=0,
    )
    verdict = assess.judge(quiet_talk)
    assert [a.grade for a in verdict.answers][1:4:2] == ["no", "no"]
    assert (verdict.decision, verdict.reason) == ("leave", "no_lever")


def test_mixed_answers_say_watch() -> None:
    verdict = assess.judge(
        figures(
            n=60,
            week=14,
            prev_week=14,
            share_all=0.01,
            questions=5,
            complaints=3,
            open_threads=2,
            volatility=0.1,
            rivals=[Rival("Kaffeeko", 900, 0.6)],
            own_terms=[],
            buying=1,
            churn=0,
            open_questions=1,
        )
    )
    assert verdict.decision == "watch"
    assert verdict.answers[2].grade == "no"  # trailing, colder, nothing of our own


def test_without_competitors_distinctness_is_open() -> None:
    answer = assess.distinct(figures(rivals=[]))
    assert (answer.grade, answer.reasons) == ("partly", ("no_rivals",))


def test_unknown_authors_and_few_days_are_said_as_such() -> None:
    answer = assess.influence(figures(authors=0, top5_share=None, volatility=None))
    assert "no_authors" in answer.reasons and "few_days" in answer.reasons


@pytest.mark.parametrize(
    "text,buying,churn",
    [
        ("Lohnt sich die Lumora Brew oder lieber Kaffeeko?", True, False),
        ("Which one should I buy, Brew or Mill?", True, False),
        ("Ich kündige mein Abo und wechsle zu BeanBox", False, True),
        ("Returning it tomorrow, never again", False, True),
        ("Die Crema ist super", False, False),
        ("Rebuy rate is high", False, False),  # no word-part matches
    ],
)
def test_buying_and_churn_phrases(text: str, buying: bool, churn: bool) -> None:
    assert (buying_intent(text), churn_signal(text)) == (buying, churn)


def test_volatility_and_own_terms() -> None:
    import datetime as dt

    from core.models import Mention

    def m(day: int, sentiment: str, text: str = "x") -> Mention:
        return Mention(
            source="t",
            external_id=f"{day}{sentiment}{text}",
            text=text,
            published_at=dt.datetime(2026, 11, day, 10),
            sentiment=sentiment,
        )

    swinging = [
        m(d, "positive" if d % 2 else "negative", str(i)) for d in (1, 2, 3, 4) for i in range(3)
    ]
    assert volatility(swinging) == pytest.approx(1.0)
    assert volatility(swinging[:6]) is None  # two days only
    ours = [
        m(1, "positive", "Die Crema der Lumora"),
        m(2, "neutral", "Crema und Mühle"),
        m(3, "neutral", "Crema!"),
        m(4, "neutral", "Mühle, Mühle, Mühle bei Lumora"),
        m(5, "neutral", "Mühle"),
        m(6, "neutral", "Mühle der Lumora"),
    ]
    theirs = [m(1, "neutral", "Kaffeeko Crema")]
    assert own_terms(ours, theirs, ["Lumora"]) == ["mühle"]
