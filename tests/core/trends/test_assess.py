"""The four questions and the verdict, from figures; the buying and churn phrases."""

from __future__ import annotations

import datetime as dt

import pytest

from core.assess import verdict as assess
from core.assess.data import own_terms, volatility
from core.assess.verdict import Figures, Rival
from core.trends import stems
from core.trends.lexicon import buying_intent, churn_signal

START = dt.datetime(2026, 11, 7)
END = dt.datetime(2026, 12, 7)


def figures(**changes: object) -> Figures:
    base: dict[str, object] = {
        "subject": "Lumora Brew",
        "kind": "ours",
        "start": START,
        "end": END,
        "days": 30.0,
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
    assert verdict.answers[2].reasons[0] == "trailing"


def test_a_minority_share_of_voice_is_never_proof_that_we_stand_apart() -> None:
    """8 % of the talk, warmer and with words of our own: at most "partly", worded as such."""
    small = figures(n=80, rivals=[Rival("Kaffeeko", 920, -0.4)])
    answer = assess.distinct(small)
    assert small.voice_share == pytest.approx(0.08)
    assert answer.grade == "partly"
    assert answer.reasons[0] == "trailing"
    assert "trailing" in assess.AGAINST


def test_a_topic_names_who_is_in_it() -> None:
    topic = figures(kind="topic", named_ours=30, named_theirs=90, net_ours=0.2, net_theirs=0.1)
    assert topic.voice_share == pytest.approx(0.25)
    assert assess.distinct(topic).reasons[0] == "heard"
    alone = figures(kind="topic", named_ours=40, named_theirs=0)
    assert assess.distinct(alone).reasons[0] == "only_us"
    nobody = figures(kind="topic", named_ours=0, named_theirs=0)
    assert assess.distinct(nobody).reasons == ("nobody_named",)


def test_a_competitor_is_judged_as_an_opening_for_us() -> None:
    unhappy = figures(
        subject="Kaffeeko",
        kind="competitor",
        n=2000,
        sample=1800,
        complaints=400,
        churn=60,
        buying=200,
        open_questions=80,
        week=300,
        prev_week=600,
        named_ours=450,
        net_ours=0.2,
        net_theirs=0.0,
    )
    verdict = assess.judge(unhappy)
    assert verdict.decision == "opening"
    assert [a.question for a in verdict.answers] == ["volume", "unhappy", "presence", "win"]
    assert verdict.answers[1].reasons[:3] == ("their_complaints", "their_churn", "their_fall")
    assert verdict.pros()[:2] == ("busy", "their_complaints")
    content = figures(
        subject="Kaffeeko",
        kind="competitor",
        complaints=5,
        churn=0,
        buying=0,
        open_questions=0,
        week=200,
        prev_week=190,
    )
    verdict = assess.judge(content)
    assert verdict.decision == "leave" and verdict.reason == "no_opening"
    assert "engage" not in {verdict.decision}


def test_new_only_when_first_seen_within_the_period() -> None:
    fresh = figures(n=366, prev_n=0, week=366, prev_week=0, first_seen=END - dt.timedelta(days=2))
    assert "new" in assess.volume(fresh).reasons
    seen_before = figures(n=523, prev_n=None, week=179, prev_week=99)
    assert "new" not in assess.volume(seen_before).reasons
    assert seen_before.change is None  # nothing compared without a period before


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


@pytest.mark.parametrize(
    "asked,text,found",
    [
        ("Nachhaltigkeit", "Das ist wirklich nachhaltig gebaut", True),
        ("nachhaltig", "Unser Nachhaltigkeitsbericht ist da", True),
        ("Nachhaltigkeit", "Nachhaltige Verpackung, endlich", True),
        ("Lieferung", "Zwei Lieferungen kamen heute", True),
        ("Lieferung", "Der Lieferant ist neu", False),
        ("Mühle", "Die neuen Mühlen mahlen fein", True),
        ("delivery", "three deliveries late again", True),
        ("Kaffeeko", "BeanBox ist günstiger", False),
    ],
)
def test_german_and_english_word_forms_match(asked: str, text: str, found: bool) -> None:
    assert stems.matches(text, asked) is found
    # Full-text search is asked for a prefix that every matching form begins with.
    prefix = stems.search_prefix(asked.split()[0])
    if found:
        assert any(w.lower().startswith(prefix) for w in text.split())
