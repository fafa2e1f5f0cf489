"""What an assessment rests on and what it answers (core.assess.verdict): the figures of one
period, each answer's grade and reasons, and the verdict."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

YES, PARTLY, NO = "yes", "partly", "no"

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
    searched: bool = False  # found by full-text search (else counted under a key)
    share_all: float | None = None
    reach: int = 0
    # The period before, when listening covered it (else None: nothing to compare).
    prev_n: int | None = None
    # The last 7 days and the 7 before, when the period holds both.
    week: int | None = None
    prev_week: int | None = None
    # When the subject was first mentioned, if within the period after days of silence.
    first_seen: dt.datetime | None = None
    # When listening began (the period before is compared only when it was listened to).
    listening: dt.datetime | None = None
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


def grade(points: int, yes: int, partly: int = 1) -> str:
    """Yes from `yes` points, partly from `partly`, else no."""
    return YES if points >= yes else PARTLY if points >= partly else NO
