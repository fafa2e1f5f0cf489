"""How a backlog item looks in a reply: its card, ICE parts with their basis, evidence.

Shared by `backlog`, `sprint` and `standup`; handlers return data, adapters render it.
"""

from __future__ import annotations

import json

from core.backlog import ice, states
from core.models_backlog import BacklogItem
from core.reply import Action, Actor, Fact, Item
from handlers.context import Context


def format_label(ctx: Context, fmt: str) -> str:
    return ctx.t(f"backlog.format.{fmt}") if fmt in ice.EASE else (fmt or "–")


def channel_label(ctx: Context, channel: str) -> str:
    known = ("linkedin", "blog", "instagram", "website")
    return ctx.t(f"backlog.channel.{channel}") if channel in known else (channel or "–")


def ice_fact(ctx: Context, item: BacklogItem) -> Fact:
    return Fact(
        ctx.t("backlog.ice"),
        ctx.t("backlog.ice_value", score=item.score, i=item.impact, c=item.confidence, e=item.ease),
    )


# Where an item's card sits, carried in its buttons' value ("4@sprint"), so a click can
# redraw the whole message it came from: a single card, the backlog list, the sprint board.
VIEWS = ("card", "list", "sprint")


def button_value(item_id: int | None, view: str) -> str:
    return str(item_id) if view == "card" else f"{item_id}@{view}"


def parse_button_value(value: str) -> tuple[str, str]:
    """`4@sprint` → ("4", "sprint"); a bare id is a single card."""
    ref, _, view = value.partition("@")
    return ref, view if view in VIEWS else "card"


def item_actions(
    ctx: Context, item: BacklogItem, actor: Actor | None = None, view: str = "card"
) -> tuple[Action, ...]:
    """The buttons an item shows in its state (and Take, unless it is the clicker's)."""
    value = button_value(item.id, view)
    out = [
        Action(
            f"backlog.{verb}",
            ctx.t(f"backlog.button.{verb}"),
            value,
            style="danger" if verb == "drop" else ("primary" if verb == "done" else "default"),
        )
        for verb in states.BUTTONS_FOR.get(item.state, ())
    ]
    mine = actor is not None and item.owner in (actor.name, actor.id)
    if states.is_open(item.state) and not mine:
        out.append(Action("backlog.take", ctx.t("backlog.button.take"), value))
    out.append(Action("backlog.show", ctx.t("backlog.button.show"), str(item.id)))
    return tuple(out)


def item_card(
    ctx: Context, item: BacklogItem, actor: Actor | None = None, view: str = "card"
) -> Item:
    """A backlog item as a list entry: story, ICE, state, owner, points, format — and buttons."""
    t = ctx.t
    facts = [
        ice_fact(ctx, item),
        Fact(t("backlog.state"), t(f"backlog.states.{item.state}")),
        Fact(t("backlog.owner"), item.owner or t("backlog.nobody")),
        Fact(t("backlog.points"), str(item.points) if item.points is not None else "–"),
    ]
    if item.format or item.channel:
        facts.append(
            Fact(
                t("backlog.format_channel"),
                f"{format_label(ctx, item.format)} · {channel_label(ctx, item.channel)}",
            )
        )
    if item.sprint_id:
        facts.append(Fact(t("backlog.sprint"), f"#{item.sprint_id}"))
    return Item(
        title=f"#{item.id} {item.title}",
        text=item.story,
        facts=tuple(facts),
        actions=item_actions(ctx, item, actor, view),
    )


def ice_basis_facts(ctx: Context, item: BacklogItem) -> list[Fact]:
    """Each ICE part with what it was computed from."""
    t = ctx.t
    basis = json.loads(item.ice_basis or "{}")
    if item.kind == "manual":
        why = t("backlog.basis.manual")
        return [
            Fact(t("backlog.impact"), f"{item.impact} — {why}"),
            Fact(t("backlog.confidence"), f"{item.confidence} — {why}"),
            Fact(t("backlog.ease"), f"{item.ease} — {format_label(ctx, item.format)}"),
        ]
    return [
        Fact(
            t("backlog.impact"),
            t(
                "backlog.basis.impact",
                value=item.impact,
                volume=t.number(int(basis.get("volume", 0))),
                reach=t.number(int(basis.get("reach", 0))),
            ),
        ),
        Fact(
            t("backlog.confidence"),
            t(
                "backlog.basis.confidence",
                value=item.confidence,
                amount=t.number(int(basis.get("amount", 0))),
                consistency=t.percent(float(basis.get("consistency", 0.0))),
            ),
        ),
        Fact(
            t("backlog.ease"),
            t("backlog.basis.ease", value=item.ease, format=format_label(ctx, item.format)),
        ),
    ]


def evidence_facts(ctx: Context, item: BacklogItem) -> list[Fact]:
    evidence = json.loads(item.evidence or "{}")
    figures = evidence.get("counts") or {}
    if not figures:
        return []
    parts = [
        ctx.t(f"backlog.evidence.{k}", value=_figure(ctx, k, v))
        for k, v in figures.items()
        if f"backlog.evidence.{k}" in _EVIDENCE_KEYS
    ]
    days = evidence.get("window_days")
    label = ctx.t("backlog.evidence.title", days=days) if days else ctx.t("backlog.evidence.label")
    return [Fact(label, ", ".join(parts))]


_EVIDENCE_KEYS = {
    f"backlog.evidence.{k}"
    for k in (
        "mentions",
        "usual",
        "ratio",
        "reach",
        "negative",
        "positive",
        "active_days",
        "authors",
        "cohesion",
        "negative_share",
        "usual_negative_share",
        "complaint",
        "question",
        "praise",
        "purchase",
    )
}


def _figure(ctx: Context, key: str, value: object) -> str:
    number = float(value) if isinstance(value, int | float) else 0.0
    if key in ("cohesion", "negative_share", "usual_negative_share"):
        return ctx.t.percent(number)
    if key in ("usual", "ratio"):
        return ctx.t.number(number, 1)
    return ctx.t.number(number)
