"""Handlers that exist only in the Teams tests: slow work, in-place approvals, forms, and
replies full of hostile text. Added to the real registry by the harness."""

from __future__ import annotations

import asyncio
import datetime as dt

from core.reply import Action, Fact, Image, Input, Item, Reply, Request
from handlers.context import Context
from handlers.registry import action, command

HOSTILE = {
    "link": "[click me](https://evil.example/login)",
    "ping": "<at>everyone</at> & <at>General</at>",
    "bold": "**urgent** _now_ `rm -rf` # Heading",
    "list": "- first\n1. second\n> quoted\n===",
    "function": "{{DATE(2017-02-14T06:08:39Z, SHORT)}}",
    "image": "![x](https://evil.example/pixel.png)",
}


# The gate of each running bot's services (by id: one bot per test, alive through it).
GATES: dict[int, asyncio.Event] = {}


def gate_of(services: object) -> asyncio.Event:
    """The event a test sets when the 'model' may finish."""
    return GATES.setdefault(id(services), asyncio.Event())


def gate(ctx: Context) -> asyncio.Event:
    """The event a test sets when the 'model' may finish."""
    return gate_of(ctx.services)


@command("teamsslow", order=990, hidden=True)
async def slow_command(request: Request, ctx: Context) -> Reply:
    """A command that takes as long as a model drafting a reply (tests only).

    de: Ein Befehl, der so lange braucht wie ein Modell beim Entwerfen (nur Tests).
    Usage: teamsslow
    """
    await gate(ctx).wait()
    return Reply(title="Draft ready", sections=[f"for {request.actor.name}"])


@command("teamsform", order=991, hidden=True)
async def form_command(request: Request, ctx: Context) -> Reply:
    """A form with a text field, a Save and a Cancel button (tests only).

    de: Ein Formular mit Textfeld, Speichern und Abbrechen (nur Tests).
    Usage: teamsform
    """
    return Reply(
        title="Edit the draft",
        inputs=[Input("note", "Your text", value="first draft", max_length=500)],
        actions=[
            Action("teamstest.approve", "Save and approve", "draft-42", style="primary"),
            Action("teamstest.cancel", "Cancel", "draft-42"),
        ],
    )


@command("teamshostile", order=992, hidden=True)
async def hostile_command(request: Request, ctx: Context) -> Reply:
    """A reply made of outside text that tries to become markup (tests only).

    de: Eine Antwort aus fremdem Text, der Markup werden will (nur Tests).
    Usage: teamshostile
    """
    when = dt.datetime(2026, 11, 20, 8, 0)
    return Reply(
        title=HOSTILE["bold"],
        sections=[HOSTILE["link"], HOSTILE["list"]],
        facts=[Fact(HOSTILE["ping"], HOSTILE["function"])],
        items=[
            Item(
                title=HOSTILE["image"],
                text=HOSTILE["link"],
                url="javascript:alert(1)",
                author=HOSTILE["ping"],
                source="[evil](https://evil.example)",
                time=when,
                sentiment="negative",
                actions=(Action("teamstest.post", HOSTILE["link"], "x"),),
            ),
            Item(title="fine", url="https://news.example/1", time=when, sentiment="positive"),
        ],
        images=[Image(png=b"not a png", alt=HOSTILE["link"], text_fallback="▁▃▅▇")],
        footnotes=[HOSTILE["ping"]],
    )


@action("teamstest.approve")
async def approve(request: Request, ctx: Context) -> Reply:
    """Approve the draft: the card changes in place."""
    note = request.form.get("note", "")
    return Reply(
        title="Approved",
        sections=[f"approved by {request.actor.name}", f"text: {note}"],
        facts=[Fact("draft", request.action_value or "")],
        replace=True,
    )


@action("teamstest.slowapprove")
async def slow_approve(request: Request, ctx: Context) -> Reply:
    """An approval that waits for the gate, then changes the card in place."""
    await gate(ctx).wait()
    return Reply(title="Approved late", sections=[request.action_value or ""], replace=True)


@action("teamstest.post")
async def post_more(request: Request, ctx: Context) -> Reply:
    """A button whose answer is a new message."""
    return Reply(title="More", sections=[f"value {request.action_value}"])


@action("teamstest.cancel")
async def cancel(request: Request, ctx: Context) -> Reply:
    """A button whose answer only the clicker sees."""
    return Reply(sections=["Nothing changed."], ephemeral=True)
