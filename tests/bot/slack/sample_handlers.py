"""Handlers the Slack tests add to the real registry: the reply shapes later features use.

They stand in for draft approval (replace), edits (a form), charts, long reports and slow
jobs, so the adapter is tested against every Reply field without depending on them.
"""

from __future__ import annotations

import asyncio

from core.reply import Action, Fact, Image, Input, Item, Reply, Request
from handlers.context import Context
from handlers.registry import action, command

HOSTILE = "<!channel> <!here> @here @channel <@U0ADMIN> <!subteam^S0TEAM> <https://evil.example|https://bank.example> & &amp; *bold*"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@command("sample-hostile", hidden=True)
async def hostile(request: Request, ctx: Context) -> Reply:
    """Every field filled with text an attacker controls."""
    return Reply(
        title=HOSTILE,
        sections=[HOSTILE],
        facts=[Fact(HOSTILE, HOSTILE)],
        items=[
            Item(
                title=HOSTILE,
                text=HOSTILE,
                url="https://news.example/a?b=1&c=<2>|x",
                author=HOSTILE,
                source=HOSTILE,
                facts=(Fact(HOSTILE, HOSTILE),),
                actions=(Action("sample.approve", HOSTILE, "1"),),
            ),
            Item(title="javascript link", url="javascript:alert(1)"),
            Item(title="data link", url="data:text/html,<script>alert(1)</script>"),
        ],
        actions=[Action("sample.approve", HOSTILE, "2"), Action("sample.approve", "again", "3")],
        footnotes=[HOSTILE],
    )


@command("sample-long", hidden=True)
async def long_reply(request: Request, ctx: Context) -> Reply:
    """More than one Slack message: 70 items and a 7,000-character section."""
    items = [Item(title=f"Item {n}", text="x" * 50) for n in range(70)]
    return Reply(title="Long", sections=["word " * 1400], items=items, footnotes=["end"])


@command("sample-chart", hidden=True)
async def chart(request: Request, ctx: Context) -> Reply:
    """A reply with a chart."""
    return Reply(
        title="Chart",
        sections=["Mentions per day"],
        images=[Image(png=PNG, alt="mentions per day", title="Mentions", text_fallback="▁▂▃")],
        ephemeral=request.args == ["private"],
    )


@command("sample-slow", hidden=True)
async def slow(request: Request, ctx: Context) -> Reply:
    """A long job (the adapter says it is working)."""
    await asyncio.sleep(0.5)
    return Reply(sections=["done after a while"])


@command("sample-thread", hidden=True)
async def thread(request: Request, ctx: Context) -> Reply:
    return Reply(sections=["in the thread"], in_thread=True)


@command("sample-private", hidden=True)
async def private(request: Request, ctx: Context) -> Reply:
    return Reply(sections=["only you"], ephemeral=True)


@command("sample-form", hidden=True)
async def form(request: Request, ctx: Context) -> Reply:
    """A form (as the draft edit will be)."""
    return _form("42")


@command("sample-approvable", hidden=True)
async def approvable(request: Request, ctx: Context) -> Reply:
    return Reply(
        sections=["Draft 42 waits for approval"],
        actions=[
            Action("sample.approve", "Approve", "42", "primary"),
            Action("sample.edit", "Edit", "42"),
        ],
    )


@action("sample.approve")
async def approve(request: Request, ctx: Context) -> Reply:
    """The clicked message becomes the decision."""
    return Reply(
        sections=[
            f"approved {request.action_value} by {request.actor.name} ({request.message_ref})"
        ],
        replace=True,
    )


@action("sample.edit")
async def edit(request: Request, ctx: Context) -> Reply:
    return _form(request.action_value or "")


@action("sample.save")
async def save(request: Request, ctx: Context) -> Reply:
    text = request.form.get("text", "")
    return Reply(
        sections=[f"saved {request.action_value}: {text} ({request.message_ref})"], replace=True
    )


def _form(draft: str) -> Reply:
    return Reply(
        title="Edit draft",
        sections=["Change the reply & save"],
        inputs=[Input("text", "Reply text", "Thanks <3 & see you", multiline=True, max_length=500)],
        actions=[Action("sample.save", "Save", draft, "primary")],
    )
