"""A competitor's talk as an opening for us (core.assess.verdict): are their customers
unhappy or asking, are we part of their conversation, can dialogue win them."""

from __future__ import annotations

from core.assess.figures import NO, PARTLY, YES, Answer, Figures, Verdict, grade

UNHAPPY_SHARE = 0.15
LEAVING_SHARE = 0.02
FALLING = -0.3
# We are part of a competitor's conversation when this share of it names us too.
PRESENT = 0.05
MIN_NAMED = 5
OPEN_THREADS = 3
GAP = 0.1
DIALOGUE_SIGNALS = 5
DIALOGUE_SHARE = 0.05


def unhappy(f: Figures) -> Answer:
    """A competitor's customers: unhappy, leaving or asking?"""
    reasons: list[str] = []
    complaints, leaving = f.share(f.complaints), f.share(f.churn)
    points = 0
    if complaints is not None and complaints >= UNHAPPY_SHARE:
        points, reasons = points + 1, [*reasons, "their_complaints"]
    if leaving is not None and leaving >= LEAVING_SHARE and f.churn >= MIN_NAMED:
        points, reasons = points + 1, [*reasons, "their_churn"]
    change = f.week_change
    if change is not None and change <= FALLING:
        # Less talk is context, not unhappiness: it tells nothing of why.
        reasons.append("their_fall")
    if f.open_questions >= OPEN_THREADS:
        reasons.append("their_questions")
    if not points:
        # Asking is no unhappiness: the answer says so first, with its figures.
        reasons.insert(0, "their_content")
    return Answer("unhappy", grade(points, 2), tuple(reasons))


def presence(f: Figures) -> Answer:
    """Are we part of a competitor's conversation, and how do we sound beside them?"""
    share = f.share(f.named_ours)
    reasons: list[str] = []
    points = 0
    if share is not None and share >= PRESENT and f.named_ours >= MIN_NAMED:
        points, reasons = points + 1, [*reasons, "named_with_them"]
    else:
        reasons.append("not_named_with_them")
    gap = f.gap
    if gap is not None and gap >= GAP:
        points, reasons = points + 1, [*reasons, "warmer_than_them"]
    elif gap is not None and gap <= -GAP:
        points, reasons = points - 1, [*reasons, "colder_than_them"]
    elif gap is not None:
        reasons.append("even_with_them")
    return Answer("presence", grade(points, 2), tuple(reasons))


def win(f: Figures) -> Answer:
    """Can dialogue in a competitor's talk win customers for us?"""
    reasons = []
    if f.churn:
        reasons.append("churn")
    if f.buying:
        reasons.append("buying")
    if f.open_questions:
        reasons.append("questions")
    if not reasons:
        return Answer("win", NO, ("no_dialogue",))
    signals = f.churn + f.buying + f.open_questions
    strong = signals >= DIALOGUE_SIGNALS and (f.share(signals) or 0.0) >= DIALOGUE_SHARE
    return Answer("win", YES if strong else PARTLY, tuple(reasons))


def judge_competitor(f: Figures, talked: Answer) -> Verdict:
    """The four answers for a competitor (`talked`: how much they are discussed, as for any
    subject) and whether their talk is an opening for us."""
    answers = (talked, unhappy(f), presence(f), win(f))
    grades = {a.question: a.grade for a in answers}
    if grades["volume"] == NO:
        return Verdict("leave", "quiet", answers)
    if grades["unhappy"] == NO and grades["win"] == NO:
        return Verdict("leave", "no_opening", answers)
    if grades["unhappy"] != NO and grades["win"] == YES:
        return Verdict("opening", "opening", answers)
    return Verdict("watch", "mixed", answers)
