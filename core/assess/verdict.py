"""Should we engage? Four questions answered from the data, then a verdict whose reasons are
the figures shown.

Every figure is over one period (`Figures.start`…`end`, the last 30 days or since listening
began), and the answer says which.

For our brand, a product of ours, a topic or a hashtag:

1. Is it discussed often? Mentions a day over the period, their share of all mentions, the
   last seven days against the seven before, an event in the period, a move right now.
2. Can we influence the discussion? Questions and complaints, open threads, how much the
   sentiment swings from day to day, whether many voices talk or a few dominate.
3. Do we stand apart? For our brand or product: our share of the talk against the
   competitors, words only our mentions use, the sentiment gap. For a topic: who is named
   in it — our share of the mentions that name a brand, and how those naming us sound
   against those naming a competitor.
4. Can dialogue win or keep customers? Buying intent, churn signals, complaints, open
   questions.

For a competitor the question is whether their talk is an opening for us:

1. Is it discussed often? (as above)
2. Are their customers unhappy or asking? Complaints, churn signals and questions about
   them, and whether their volume is falling.
3. Are we part of their conversation? The share of their mentions that also name us, and
   our net sentiment against theirs.
4. Can dialogue win customers? Churn signals and buying intent in their talk, questions
   nobody answered.

Each answer is yes, partly or no with the reasons (codes the chat words with the figures).
"""

from __future__ import annotations

from core.assess.figures import (
    AGAINST,
    NO,
    PARTLY,
    YES,
    Answer,
    Figures,
    Rival,
    Verdict,
    grade,
)

__all__ = ["AGAINST", "Answer", "Figures", "Rival", "Verdict", "judge"]

POINTS = {YES: 2, PARTLY: 1, NO: 0}
ENGAGE_POINTS = 6

BUSY_PER_DAY = 5.0
SOME_PER_DAY = 1.0
BIG_SHARE = 0.05
RISING = 0.5
ASKS_SHARE = 0.2
OPEN_THREADS = 3
VOLATILE = 0.3
BROAD_AUTHORS = 10
NARROW_TOP5 = 0.5
LEADING = 0.5
HEARD = 0.25
GAP = 0.1
OWN_TERMS = 3
DIALOGUE_SIGNALS = 5
DIALOGUE_SHARE = 0.05
COMPLAINT_SHARE = 0.1


def volume(f: Figures) -> Answer:
    reasons = []
    if f.per_day >= BUSY_PER_DAY:
        reasons.append("busy")
    elif f.per_day >= SOME_PER_DAY:
        reasons.append("some")
    if f.share_all is not None and f.share_all >= BIG_SHARE:
        reasons.append("big_share")
    if f.first_seen is not None and f.n:
        reasons.append("new")
    elif f.week is not None and f.week >= BUSY_PER_DAY:
        change = f.week_change
        if change is not None and change >= RISING:
            reasons.append("rising")
    if f.signal in ("burst", "climb"):
        reasons.append(f"signal_{f.signal}")
    if not reasons:
        return Answer("volume", NO, ("quiet",))
    strong = {"busy", "big_share"} & set(reasons)
    return Answer("volume", YES if strong else PARTLY, tuple(reasons))


def influence(f: Figures) -> Answer:
    asks = f.share(f.questions + f.complaints)
    checks = {
        "asks": asks is not None and asks >= ASKS_SHARE,
        "open": f.open_threads >= OPEN_THREADS,
        "volatile": f.volatility is not None and f.volatility >= VOLATILE,
        "broad": f.authors >= BROAD_AUTHORS
        and (f.top5_share is None or f.top5_share <= NARROW_TOP5),
    }
    negatives = {"asks": "few_asks", "open": "no_open", "volatile": "steady", "broad": "narrow"}
    if f.volatility is None:
        negatives["volatile"] = "few_days"  # too few busy days to tell
    if not f.authors:
        negatives["broad"] = "no_authors"  # the sources named no authors
    reasons = [k if ok else negatives[k] for k, ok in checks.items()]
    # The strongest first: what the verdict quotes.
    reasons.sort(key=lambda r: r not in checks or not checks[r])
    return Answer("influence", grade(sum(checks.values()), 3), tuple(reasons))


def _voice_reason(f: Figures) -> tuple[str, int]:
    share = f.voice_share
    if share is None:
        return ("nobody_named" if f.kind != "ours" else "no_rivals"), 0
    if f.kind != "ours" and not f.named_theirs:
        return "only_us", 1  # the talk is about us alone: nobody to stand apart from
    if f.kind != "ours" and not f.named_ours:
        return "only_them", -1
    if share >= LEADING:
        return "leading", 1
    if share >= HEARD:
        return "heard", 0
    return "trailing", -1


def distinct(f: Figures) -> Answer:
    """Do we stand apart? The grade follows the share of voice: a minority share is never
    a yes, whatever the words and the mood."""
    if f.kind == "ours" and not f.rivals:
        return Answer("distinct", PARTLY, ("no_rivals",))
    voice, points = _voice_reason(f)
    reasons = [voice]
    gap = f.gap
    if gap is not None and gap >= GAP:
        points, reasons = points + 1, [*reasons, "warmer"]
    elif gap is not None and gap <= -GAP:
        points, reasons = points - 1, [*reasons, "colder"]
    elif gap is not None:
        reasons.append("even")
    if f.kind == "ours":
        if len(f.own_terms) >= OWN_TERMS:
            points, reasons = points + 1, [*reasons, "own_terms"]
        else:
            reasons.append("few_own_terms")
    result = grade(points, 2)
    if voice not in ("leading", "only_us") and result == YES:
        result = PARTLY
    if voice == "nobody_named":
        result = PARTLY if result == NO else result
    return Answer("distinct", result, tuple(reasons))


def dialogue(f: Figures) -> Answer:
    reasons = []
    if f.buying:
        reasons.append("buying")
    if f.churn:
        reasons.append("churn")
    complaints = f.share(f.complaints)
    if complaints is not None and complaints >= COMPLAINT_SHARE:
        reasons.append("complaints")
    if f.open_questions:
        reasons.append("questions")
    signals = f.buying + f.churn + f.open_questions
    if not reasons:
        return Answer("dialogue", NO, ("no_dialogue",))
    strong = signals >= DIALOGUE_SIGNALS and (f.share(signals) or 0.0) >= DIALOGUE_SHARE
    return Answer("dialogue", YES if strong else PARTLY, tuple(reasons))


def judge(f: Figures) -> Verdict:
    """The four answers and the decision (a competitor: whether its talk is an opening)."""
    if f.kind == "competitor":
        from core.assess.competitor import judge_competitor

        return judge_competitor(f, volume(f))
    answers = (volume(f), influence(f), distinct(f), dialogue(f))
    grades = {a.question: a.grade for a in answers}
    total = sum(POINTS[a.grade] for a in answers)
    if grades["volume"] == NO:
        return Verdict("leave", "quiet", answers)
    if grades["influence"] == NO and grades["dialogue"] == NO:
        return Verdict("leave", "no_lever", answers)
    if total >= ENGAGE_POINTS and grades["influence"] != NO and grades["dialogue"] != NO:
        return Verdict("engage", "strong", answers)
    return Verdict("watch", "mixed", answers)
