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

import datetime as dt
from dataclasses import dataclass, field

YES, PARTLY, NO = "yes", "partly", "no"
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
# A competitor's customers are unhappy when this share complains, or this share speaks of
# leaving; their talk falls when the last week is this much below the week before.
UNHAPPY_SHARE = 0.15
LEAVING_SHARE = 0.02
FALLING = -0.3
# We are part of a competitor's conversation when this share of it names us too.
PRESENT = 0.05
MIN_NAMED = 5


# Reasons that speak against engaging (the others speak for it).
AGAINST = frozenset(
    {
        "quiet",
        "some",
        "few_asks",
        "no_open",
        "steady",
        "narrow",
        "few_days",
        "no_authors",
        "no_rivals",
        "heard",
        "trailing",
        "only_them",
        "nobody_named",
        "colder",
        "even",
        "few_own_terms",
        "no_dialogue",
        "their_content",
        "not_named_with_them",
        "colder_than_them",
        "even_with_them",
    }
)


@dataclass(frozen=True)
class Rival:
    name: str
    n: int
    net: float | None


@dataclass
class Figures:
    """Everything the four answers rest on, over [start, end) (`days` long); mention
    figures from the newest `sample` mentions of that period."""

    subject: str
    kind: str  # ours | competitor | topic
    start: dt.datetime
    end: dt.datetime
    days: float
    n: int
    sample: int
    capped: bool
    share_all: float | None = None
    reach: int = 0
    # The period before, when listening covered it (else None: nothing to compare).
    prev_n: int | None = None
    # The last 7 days and the 7 before, when the period holds both.
    week: int | None = None
    prev_week: int | None = None
    # When the subject was first mentioned, if within the period after days of silence.
    first_seen: dt.datetime | None = None
    signal: str | None = None  # burst | climb | drop right now, if any
    questions: int = 0
    complaints: int = 0
    open_threads: int = 0
    open_questions: int = 0
    volatility: float | None = None
    authors: int = 0
    top_voices: list[tuple[str, int]] = field(default_factory=list)
    top5_share: float | None = None
    net: float | None = None
    rivals: list[Rival] = field(default_factory=list)
    # Sample mentions naming us, naming a competitor (a topic: who is in it; a competitor:
    # do its mentions name us too), and the net sentiment of each group.
    named_ours: int = 0
    named_theirs: int = 0
    net_ours: float | None = None
    net_theirs: float | None = None
    own_terms: list[str] = field(default_factory=list)
    buying: int = 0
    churn: int = 0

    @property
    def per_day(self) -> float:
        return self.n / self.days if self.days else 0.0

    @property
    def change(self) -> float | None:
        """Against the period before (None: nothing to compare, or nothing before)."""
        return (self.n - self.prev_n) / self.prev_n if self.prev_n else None

    @property
    def week_change(self) -> float | None:
        if self.week is None or not self.prev_week:
            return None
        return (self.week - self.prev_week) / self.prev_week

    def share(self, count: int) -> float | None:
        return count / self.sample if self.sample else None

    @property
    def voice_share(self) -> float | None:
        """Our share: for our brand or product, of the talk with the competitors; for a
        topic or a competitor, of the mentions naming us or a competitor."""
        if self.kind == "ours":
            if not self.rivals:
                return None
            total = self.n + sum(r.n for r in self.rivals)
            return self.n / total if total else None
        named = self.named_ours + self.named_theirs
        return self.named_ours / named if named else None

    @property
    def gap(self) -> float | None:
        """Our net sentiment minus theirs (−2…+2)."""
        if self.kind == "ours":
            scored = [(r.net, r.n) for r in self.rivals if r.net is not None and r.n]
            if self.net is None or not scored:
                return None
            theirs = sum(net * n for net, n in scored) / sum(n for _, n in scored)
            return self.net - theirs
        if self.net_ours is None or self.net_theirs is None:
            return None
        return self.net_ours - self.net_theirs


@dataclass(frozen=True)
class Answer:
    question: str  # volume | influence | distinct | dialogue | unhappy | presence | win
    grade: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    decision: str  # engage | watch | leave (a competitor: opening | watch | leave)
    reason: str
    answers: tuple[Answer, ...]

    def pros(self) -> tuple[str, ...]:
        """What speaks for engaging: the first reason for it of each answer that has one."""
        return tuple(
            next(r for r in a.reasons if r not in AGAINST)
            for a in self.answers
            if a.grade != NO and any(r not in AGAINST for r in a.reasons)
        )

    def cons(self) -> tuple[str, ...]:
        """What speaks against: the first reason against of each answer that has one."""
        return tuple(
            next(r for r in a.reasons if r in AGAINST)
            for a in self.answers
            if a.grade != YES and any(r in AGAINST for r in a.reasons)
        )


def _grade(points: int, yes: int, partly: int = 1) -> str:
    return YES if points >= yes else PARTLY if points >= partly else NO


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
    return Answer("influence", _grade(sum(checks.values()), 3), tuple(reasons))


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
    grade = _grade(points, 2)
    if voice not in ("leading", "only_us") and grade == YES:
        grade = PARTLY
    if voice == "nobody_named":
        grade = PARTLY if grade == NO else grade
    return Answer("distinct", grade, tuple(reasons))


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
        points, reasons = points + 1, [*reasons, "their_fall"]
    if f.open_questions >= OPEN_THREADS:
        reasons.append("their_questions")
    if not reasons:
        return Answer("unhappy", NO, ("their_content",))
    return Answer("unhappy", _grade(points, 2), tuple(reasons))


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
    return Answer("presence", _grade(points, 2), tuple(reasons))


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


def judge(f: Figures) -> Verdict:
    """The four answers and the decision (a competitor: whether its talk is an opening)."""
    if f.kind == "competitor":
        return _judge_competitor(f)
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


def _judge_competitor(f: Figures) -> Verdict:
    answers = (volume(f), unhappy(f), presence(f), win(f))
    grades = {a.question: a.grade for a in answers}
    if grades["volume"] == NO:
        return Verdict("leave", "quiet", answers)
    if grades["unhappy"] == NO and grades["win"] == NO:
        return Verdict("leave", "no_opening", answers)
    if grades["unhappy"] != NO and grades["win"] == YES:
        return Verdict("opening", "opening", answers)
    return Verdict("watch", "mixed", answers)
