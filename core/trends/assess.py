"""Should we engage? Four questions answered from the data, then engage, watch or leave alone.

1. Is it discussed often? Volume per day, its share of all mentions, the trend over the
   last week, a burst or climb right now.
2. Can we influence the discussion? Questions and complaints, open threads, how much the
   sentiment swings from day to day, and whether many voices talk or a few dominate.
3. Do we stand apart from the competitors? Share of voice, words only our side's mentions
   use, and the sentiment gap.
4. Can dialogue win or keep customers? Buying intent, churn signals, complaints and
   questions we could answer.

Each answer is yes, partly or no with the reasons (codes that the chat words with the
figures). Engage when people talk about it and we can influence it, and the four answers
together are strong; leave it alone when hardly anyone talks about it, or when there is
neither influence nor dialogue to be had; watch otherwise.
"""

from __future__ import annotations

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
LEADING_SOV = 0.5
GAP = 0.1
OWN_TERMS = 3
DIALOGUE_SIGNALS = 5
DIALOGUE_SHARE = 0.05
COMPLAINT_SHARE = 0.1


@dataclass(frozen=True)
class Rival:
    name: str
    n: int
    net: float | None


@dataclass
class Figures:
    """Everything the four answers rest on, over `days` days (mention figures over `sample`)."""

    subject: str
    days: int
    n: int
    prev_n: int
    week: int
    prev_week: int
    share_all: float | None
    reach: int
    signal: str | None  # burst | climb | drop right now, if any
    sample: int
    capped: bool
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
    own_terms: list[str] = field(default_factory=list)
    buying: int = 0
    churn: int = 0

    @property
    def per_day(self) -> float:
        return self.n / self.days if self.days else 0.0

    @property
    def week_change(self) -> float | None:
        return (self.week - self.prev_week) / self.prev_week if self.prev_week else None

    def share(self, count: int) -> float | None:
        return count / self.sample if self.sample else None

    @property
    def voice_share(self) -> float | None:
        """Our share of the talk against the competitors together (None without any)."""
        if not self.rivals:
            return None
        total = self.n + sum(r.n for r in self.rivals)
        return self.n / total if total else None

    @property
    def gap(self) -> float | None:
        """Net sentiment minus the competitors' mention-weighted net sentiment."""
        scored = [(r.net, r.n) for r in self.rivals if r.net is not None and r.n]
        if self.net is None or not scored:
            return None
        theirs = sum(net * n for net, n in scored) / sum(n for _, n in scored)
        return self.net - theirs


@dataclass(frozen=True)
class Answer:
    question: str  # volume | influence | distinct | dialogue
    grade: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    decision: str  # engage | watch | leave
    reason: str
    answers: tuple[Answer, ...]


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
    change = f.week_change
    if f.week >= BUSY_PER_DAY and (change is None or change >= RISING):
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
    return Answer("influence", _grade(sum(checks.values()), 3), tuple(reasons))


def distinct(f: Figures) -> Answer:
    if not f.rivals:
        return Answer("distinct", PARTLY, ("no_rivals",))
    points = 0
    reasons: list[str] = []
    share = f.voice_share
    if share is not None and share >= LEADING_SOV:
        points, reasons = points + 1, [*reasons, "leading"]
    else:
        reasons.append("trailing")
    gap = f.gap
    if gap is not None and gap >= GAP:
        points, reasons = points + 1, [*reasons, "warmer"]
    elif gap is not None and gap <= -GAP:
        points, reasons = points - 1, [*reasons, "colder"]
    else:
        reasons.append("even")
    if len(f.own_terms) >= OWN_TERMS:
        points, reasons = points + 1, [*reasons, "own_terms"]
    else:
        reasons.append("few_own_terms")
    return Answer("distinct", _grade(points, 2), tuple(reasons))


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
    """The four answers and the decision."""
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
