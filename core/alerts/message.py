"""The words of an alert and of an emerging trend: what moved, by how much, the evidence,
and the buttons (draft a reply, add to the backlog, useful, noise, mute).

Built in core because alerts are posted without a request (through the Notifier port);
the `trends` command shows its signals with the same pieces.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from core.analysis.bursts import Signal
from core.clock import localize
from core.i18n import Translator
from core.models import Mention
from core.models_alerts import Alert
from core.reply import Action, Fact, Item, Reply
from core.text import truncate
from core.trends import fmt

DRAFT_ACTION = "draft.create"
# The backlog feature has no "add from trend" button of its own (handlers/backlog.py), so
# the trends handler answers this one and stores through core.storage.backlog.
BACKLOG_ACTION = "trends.to_backlog"
SENTIMENTS = ("negative", "neutral", "positive")


@dataclass(frozen=True)
class Movement:
    """The figures of a signal or a stored alert, as the chat shows them."""

    key: str
    kind: str
    bucket: dt.datetime
    observed: float
    expected: float
    z: float
    growth: float
    span_hours: int

    @classmethod
    def of_signal(cls, signal: Signal, span_hours: int) -> Movement:
        return cls(
            signal.key,
            signal.kind,
            signal.bucket_start,
            signal.observed,
            signal.expected,
            signal.z,
            signal.growth,
            span_hours,
        )

    @classmethod
    def of_alert(cls, alert: Alert) -> Movement:
        return cls(
            alert.key,
            alert.kind,
            alert.bucket,
            alert.observed,
            alert.expected,
            alert.z,
            alert.growth,
            alert.span_hours,
        )

    @property
    def since(self) -> dt.datetime:
        """The start of the span the figures cover."""
        return self.bucket - dt.timedelta(hours=self.span_hours - 1)


def what(t: Translator, move: Movement) -> str:
    """'48 mentions in the last hour so far; about 6 would be usual by now.'"""
    span = fmt.span(t, dt.timedelta(hours=move.span_hours), dative=True)
    if move.kind == "drop":
        key = "alerts.what.drop"
    else:
        key = "alerts.what.hour" if move.span_hours == 1 else "alerts.what.rise"
    return t(
        key,
        observed=t.number(move.observed),
        expected=t.number(move.expected, 1 if move.expected < 10 else 0),
        span=span,
    )


def facts(t: Translator, move: Movement, zone: str, factor: float = 1.0) -> list[Fact]:
    growth = None if move.expected <= 0 else move.growth
    out = [
        Fact(t("alerts.fact.change"), fmt.signed_percent(t, growth)),
        Fact(t("alerts.fact.z"), fmt.signed(t, move.z)),
        Fact(t("alerts.fact.since"), localize(move.since, zone).strftime("%H:%M")),
    ]
    if factor != 1.0:
        out.append(
            Fact(t("alerts.fact.feedback"), t("alerts.fact.factor", factor=t.number(factor, 2)))
        )
    return out


def mention_evidence(t: Translator, m: Mention) -> Item:
    """An example mention with its "Draft reply" button."""
    sentiment = m.sentiment if m.sentiment in SENTIMENTS else None
    facts = (Fact(t("alerts.reach"), t.number(m.reach)),) if m.reach else ()
    return Item(
        title=truncate(m.title, 200) if m.title else "",
        text=truncate(m.text, 240),
        url=m.url,
        author=m.author or m.author_handle,
        source=m.source,
        time=m.published_at,
        sentiment=sentiment,  # type: ignore[arg-type]
        facts=facts,
        actions=(Action(DRAFT_ACTION, t("alerts.draft_button"), str(m.id)),),
    )


def backlog_action(t: Translator, key: str, kind: str) -> Action:
    value = json.dumps({"key": key, "kind": kind}, ensure_ascii=False, sort_keys=True)
    return Action(BACKLOG_ACTION, t("alerts.backlog_button"), value)


def alert_reply(
    t: Translator,
    alert: Alert,
    *,
    name: str,
    mentions: list[Mention],
    zone: str,
    factor: float = 1.0,
) -> Reply:
    """The post to a channel subscribed to alerts."""
    move = Movement.of_alert(alert)
    ref = str(alert.id)
    return Reply(
        title=t(f"alerts.title.{alert.kind}", name=name),
        sections=[what(t, move)],
        facts=facts(t, move, zone, factor),
        items=[mention_evidence(t, m) for m in mentions],
        actions=[
            backlog_action(t, alert.key, alert.kind),
            Action("alerts.useful", t("alerts.useful_button"), ref, style="primary"),
            Action("alerts.noise", t("alerts.noise_button"), ref),
            Action("alerts.mute", t("alerts.mute_button"), ref),
        ],
        footnotes=[t("alerts.footnote", id=ref, level=t(f"alerts.level.{alert.level}"))],
    )
