"""Events in plain words, in the channel's language: when, how many, against what usual
level, how it sounded and what people wanted.

"Tue 1 Dec, 12:00–20:00: 131 posts about Lumora, about 2× the usual; 46 % complaints." Every
number is the event's own: the count of its key over its hours, the usual count of those
hours from the days before it began (core.analysis.events), the sentiment counted over the
same hours, the intents of its mentions.
"""

from __future__ import annotations

import datetime as dt

from babel.dates import format_date

from core.clock import localize
from core.i18n import Translator, catalog
from core.trends import fmt
from core.trends.events import Event
from core.trends.names import Names
from core.trends.period import HOUR

# An event shorter than this is told with its hours; a longer one by its days.
HOURS_MATTER = dt.timedelta(hours=12)
# Below this usual count the ratio is no figure a reader can use ("525×"): say "hardly".
HARDLY = 2.0
# A key with fewer than this many mentions a day is "hardly mentioned" otherwise.
RARE_DAY = 3.0
# …and with fewer than this, not mentioned at all (a hashtag that did not exist).
NEVER_DAY = 0.1
MAJORITY = 0.5
NOTABLE = 0.3
NEARLY_ALL = 0.95  # "all neutral" / "all questions", not "mostly … (100 %)"
MAX_RELATED = 3


def name(t: Translator, names: Names, key: str) -> str:
    """A count key as people say it: "Lumora Brew", "#latteart", "complaints about Lumora
    Brew", "complaints"."""
    kind, _, value = key.partition(":")
    if kind != "intent":
        return names.of(key)
    intent, _, term = value.partition("|")
    what = intent_words(t, intent)
    if not term:
        return what
    return t("trends.event.intent_about", intent=what, name=names.of(f"term:{term}"))


def intent_words(t: Translator, intent: str) -> str:
    """ "complaints", "questions" (an intent without a word of its own: as stored)."""
    key = f"trends.intent.{intent}"
    return t(key) if key in catalog(t.locale) else intent


def day(t: Translator, value: dt.datetime) -> str:
    """ "Tue 1 Dec" / "Di 01.12." for a local date."""
    weekday = t(f"trends.weekday.{value.weekday()}")
    pattern = "dd.MM." if t.locale == "de" else "d MMM"
    return f"{weekday} {format_date(value.date(), pattern, locale=t.locale)}"


def _clock(prefix: str, value: dt.datetime) -> dict[str, str]:
    """A local time for the templates: "14:00" (German adds "Uhr")."""
    return {f"{prefix}time": value.strftime("%H:%M")}


def when(t: Translator, event: Event, zone: str, *, hours: bool = False) -> str:
    """The event's time in the team's zone: its days, and its hours when it was short (or
    `hours` asks for them); "since …" while it lasts."""
    start = localize(event.start, zone)
    until = localize(event.until, zone)
    if event.ongoing:
        return t("trends.event.since", day=day(t, start), **_clock("", start))
    short = hours or event.until - event.start < HOURS_MATTER
    last_day = localize(event.until - HOUR, zone)
    if start.date() == last_day.date():
        if short:
            return t(
                "trends.event.day_hours",
                day=day(t, start),
                **_clock("start_", start),
                **_clock("end_", until),
            )
        return day(t, start)
    if short:
        return t(
            "trends.event.span_hours",
            first=day(t, start),
            last=day(t, last_day),
            **_clock("start_", start),
            **_clock("end_", until),
        )
    return t("trends.event.span_days", first=day(t, start), last=day(t, last_day))


def size(t: Translator, event: Event) -> str:
    """ "about 4× the usual" / "hardly mentioned before" / "half the usual"."""
    if event.kind == "drop":
        fewer = 1.0 - event.observed / event.usual if event.usual else 0.0
        return t("trends.event.fewer", usual=about(t, event.usual), share=t.percent(fewer))
    if _rare(event):
        if event.usual_day < NEVER_DAY:
            return t("trends.event.never")
        if event.usual_day < RARE_DAY:
            return t("trends.event.hardly", usual=about(t, event.usual_day))
        # A busy key at night: a ratio to a fraction of a mention would mislead.
        return t("trends.event.these_hours", usual=about(t, event.usual))
    return t("trends.event.times", ratio=ratio(t, event.ratio))


def against_usual(t: Translator, event: Event) -> str:
    """The size in a few characters: "×4", "−58 %", "new" for a key hardly seen before."""
    if event.kind == "drop":
        return fmt.signed_percent(t, event.ratio - 1.0)
    if _rare(event):
        if event.usual_day < NEVER_DAY:
            return t("trends.event.never")
        if event.usual_day < RARE_DAY:
            return t("trends.event.hardly_short")
        return t(
            "trends.event.these_hours_short",
            ratio=ratio(t, event.ratio),
            usual=about(t, event.usual),
        )
    return t("trends.event.times_short", ratio=ratio(t, event.ratio))


def _rare(event: Event) -> bool:
    """Too little usual talk for a ratio to mean anything: under `HARDLY` mentions over the
    event, or a rarely named key that grew tenfold — a hashtag of 0.7 posts a day is
    "hardly mentioned otherwise", not "215× the usual", however long its event runs."""
    return event.usual < HARDLY or (event.usual_day < RARE_DAY and event.ratio >= 10)


def about(t: Translator, value: float) -> str:
    """A usual count as people say it: 0,7 / 2 / 38 (a tenth only below ten, and only when
    it is not whole)."""
    digits = 1 if value < 10 and not float(round(value, 1)).is_integer() else 0
    return t.number(value, digits)


def ratio(t: Translator, value: float) -> str:
    """2,5 / 4 — one decimal below 3, whole numbers above (no false precision)."""
    return t.number(value, 1 if value < 3 else 0)


def mood(t: Translator, event: Event) -> str:
    """ "80 % negative" / "70 % positive" / "mixed: 30 % negative, 25 % positive"."""
    neg, pos = event.share("neg"), event.share("pos")
    if neg is None or pos is None:
        return ""
    if neg >= MAJORITY:
        return t("trends.event.negative", share=t.percent(neg))
    if pos >= MAJORITY:
        return t("trends.event.positive", share=t.percent(pos))
    if neg < NOTABLE and pos < NOTABLE:
        if 1.0 - neg - pos >= NEARLY_ALL:
            return t("trends.event.all_neutral")  # not "mostly neutral (100 %)"
        return t("trends.event.neutral", share=t.percent(1.0 - neg - pos))
    return t("trends.event.mixed", neg=t.percent(neg), pos=t.percent(pos))


def wants(t: Translator, event: Event) -> str:
    """ "mostly complaints" / "40 % questions" / "" — the leading intent of its mentions."""
    if not event.sampled:
        return ""
    leading = next(((i, n) for i, n in event.intents.most_common() if i != "other"), None)
    if leading is None:
        return ""
    intent, count = leading
    if event.key.startswith(f"intent:{intent}"):
        return ""  # "complaints about X" need not add "mostly complaints"
    share = count / event.sampled
    words = intent_words(t, intent)
    if share >= MAJORITY:
        return t("trends.event.mostly", intent=words)
    if share >= NOTABLE:
        return t("trends.event.share_of", share=t.percent(share), intent=words)
    return ""


def counted(t: Translator, names: Names, key: str, count: int) -> str:
    """ "131 posts about Lumora" / "38 complaints about Lumora Brew" / "58 complaints"."""
    kind, _, value = key.partition(":")
    if kind != "intent":
        return t("trends.event.posts_about", count=count, name=names.of(key))
    intent, _, term = value.partition("|")
    message = f"trends.intent_count.{intent}"
    if message in catalog(t.locale):
        many = t(message, count=count)
    else:
        many = t("trends.intent_count.other", count=count, intent=intent)
    if not term:
        return many
    return t("trends.event.intent_about", intent=many, name=names.of(f"term:{term}"))


def figures(t: Translator, names: Names, event: Event) -> str:
    """ "131 posts about Lumora, about 2× the usual" (or a drop's "…instead of …")."""
    return t(
        "trends.event.figures",
        counted=counted(t, names, event.key, event.observed),
        size=size(t, event),
    )


def sentence(t: Translator, names: Names, event: Event, zone: str, *, hours: bool = False) -> str:
    """The whole event in one line: when, how many against the usual, mood and intent,
    what moved with it, and what ran beside it."""
    names = names.localized(t.locale)
    details = [d for d in (mood(t, event), wants(t, event)) if d]
    text = t(
        "trends.event.line",
        when=when(t, event, zone, hours=hours),
        figures=figures(t, names, event),
    )
    if details:
        text += "; " + ", ".join(details)
    also = related(names, event)
    if also:
        text += " " + t("trends.event.also", names=", ".join(also[:MAX_RELATED]))
    seen = names.spellings(event.key)
    beside = [figures(t, names, c) for c in event.companions if not names.spellings(c.key) & seen]
    if beside:
        text += ". " + t("trends.event.meanwhile", list="; ".join(beside))
    return text + "."


def related(names: Names, event: Event) -> list[str]:
    """The names that moved with an event, each once: never the event's own name (its story
    under the same label, the same word in the other language or as a hashtag), the brand,
    or an intent (the mood and intent figures tell those)."""
    seen = names.spellings(event.key)
    out = []
    for key in event.related:
        if key.startswith("intent:") or names.is_brand(key):
            continue
        spelled = names.spellings(key)
        if spelled & seen:
            continue
        seen |= spelled
        out.append(names.of(key))
    return out
