"""Figures as the team reads them: signed changes, points, spans — in the chat's locale."""

from __future__ import annotations

import datetime as dt

from core.i18n import Translator

MINUS = "−"


# From five times as many on, a factor reads better than a percentage ("about 34×", not
# "+3,277 %"): nobody takes in a four-digit percentage, and its precision is false.
TIMES_FROM = 4.0


def signed_percent(t: Translator, ratio: float | None) -> str:
    """+24 %, −10 %, ±0 %; "about 34×" from five times as many; "new" when there was nothing
    before (ratio None)."""
    if ratio is None:
        return t("trends.fmt.new")
    if ratio >= TIMES_FROM:
        return t("trends.fmt.times", ratio=t.number(1.0 + ratio, 0))
    if round(ratio * 100) == 0:
        return "±" + t.percent(0)
    sign = "+" if ratio > 0 else MINUS
    return sign + t.percent(abs(ratio))


def points(t: Translator, delta: float | None) -> str:
    """A change of a share in percentage points: +5, −3, ±0 (None: not comparable)."""
    if delta is None:
        return t("trends.fmt.no_comparison")
    value = round(delta * 100)
    sign = "±" if value == 0 else "+" if value > 0 else MINUS
    return t("trends.fmt.points", sign=sign, count=abs(value))


def share(t: Translator, value: float | None) -> str:
    return t.percent(value) if value is not None else "–"


def span(t: Translator, value: dt.timedelta, *, dative: bool = False) -> str:
    """24 hours, 7 days; `dative` for "in the last …" (German: "in den letzten 7 Tagen")."""
    hours = int(value / dt.timedelta(hours=1))
    case = "_dative" if dative else ""
    if hours % 24 == 0 and hours >= 48:
        return t(f"trends.fmt.days{case}", count=t.number(hours // 24))
    return t(f"trends.fmt.hours{case}", count=t.number(hours))


def count_change(t: Translator, n: int, prev_n: int) -> str:
    """'48 (before 12, +300 %)'."""
    change = (n - prev_n) / prev_n if prev_n else None
    return t(
        "trends.fmt.count_change",
        n=t.number(n),
        before=t.number(prev_n),
        change=signed_percent(t, change),
    )


def signed(t: Translator, value: float, digits: int = 1) -> str:
    """A number with its sign as typeset: +5,2 / −8,3 / 0 (a z, a net sentiment)."""
    text = t.number(abs(value), digits)
    if round(value, digits) == 0:
        return text
    return ("+" if value > 0 else MINUS) + text
